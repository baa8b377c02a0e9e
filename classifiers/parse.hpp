// parse.hpp — bytes in, DeliveryReport out: the entry point of the classifiers library.
//
// parse_message(): any bytes (LF, CRLF or CR; NULs; truncated MIME) give a report, never an exception.
// The report's kind, records and returned original are filled; verdicts are left for classify().
// split_mbox(): splits on "From " separator lines; a file without one is one message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "classifiers/report.hpp"

namespace ndr::classifiers {

DeliveryReport parse_message(std::string_view raw);

// Messages of an mbox file (mboxo/mboxrd ">From " unquoting applied), or the whole input as one
// message when it does not start with a "From " line.
std::vector<std::string_view> split_mbox(std::string_view data);

} // namespace ndr::classifiers
