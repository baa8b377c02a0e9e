// rules_dirs.cpp — (Skeleton: loads nothing until the rules engine lands.)
#include "agent/rules_dirs.hpp"

namespace ndr::agent {

classifiers::rules::LoadResult load_rule_dirs(const GlobalOptions&) { return {}; }

} // namespace ndr::agent
