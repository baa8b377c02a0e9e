// format.hpp — the vendor-format modules (one .cpp per MTA or provider format in this folder).
//
// A module reads the parsed MIME tree of a message that has no usable RFC 3464 part (or whose DSN part
// needs the human-readable text to be complete) and fills recipient records. Modules never throw; a
// module that does not recognise the message returns false and leaves the report untouched.
#pragma once

#include "classifiers/mime.hpp"
#include "classifiers/report.hpp"

namespace ndr::classifiers::formats {

// Called by parse_message() after the RFC 3464 pass. Tries the vendor modules in their documented
// order (registry.cpp) and lets the first that recognises the message fill or enrich the report.
void apply_vendor_formats(const ParsedMessage& msg, DeliveryReport& report);

// For a bounce notice that no module read a recipient from: its first line (outside a quoted or
// inline returned original) with a 4xx/5xx reply code or an RFC 3463 status, with the rest of its
// paragraph, trimmed, about k_max_diagnostic_bytes at most (make_record() caps it exactly); empty
// when there is none (notice.cpp).
std::string notice_rejection_line(const ParsedMessage& msg);

} // namespace ndr::classifiers::formats
