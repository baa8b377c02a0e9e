// parse.cpp — (Skeleton: returns an empty report until the parser lands.)
#include "classifiers/parse.hpp"

namespace ndr::classifiers {

DeliveryReport parse_message(std::string_view) { return {}; }

std::vector<std::string_view> split_mbox(std::string_view data) { return {data}; }

} // namespace ndr::classifiers
