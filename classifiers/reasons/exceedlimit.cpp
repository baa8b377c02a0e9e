// exceedlimit.cpp — text patterns for the bounce reason "exceedlimit" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::exceedlimit, Kind::literal,
     R"re(message header size exceeds limit)re",
     R"re(message header size exceeds limit)re",
     "Sisimai Reason/ExceedLimit.pm"},
    {Reason::exceedlimit, Kind::literal,
     R"re(message too large)re",
     R"re(message too large)re",
     "Sisimai Reason/ExceedLimit.pm"},
};

} // namespace

std::span<const Pattern> exceedlimit_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
