// rules_dirs.hpp — reads the rule directories (shipped, site, --rules-dir) and loads them.
//
// Shipped: --shipped-rules, else $NDR_TRIAGE_SHIPPED_RULES, else <exe>/../share/ndr-triage/rules.d when it
// exists, else the source tree's rules.d. Site: /etc/ndr-triage/rules.d unless --no-site, then each
// --rules-dir in order. Unreadable files are errors ("path: message").
#pragma once

#include "agent/global_options.hpp"
#include "classifiers/rules/loader.hpp"

namespace ndr::agent {

classifiers::rules::LoadResult load_rule_dirs(const GlobalOptions& options);

} // namespace ndr::agent
