// vacation.cpp — text patterns for the bounce reason "vacation" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::vacation, Kind::literal,
     R"re(i am away on vacation)re",
     R"re(i am away on vacation)re",
     "Sisimai Reason/Vacation.pm"},
    {Reason::vacation, Kind::literal,
     R"re(i am away until)re",
     R"re(i am away until)re",
     "Sisimai Reason/Vacation.pm"},
    {Reason::vacation, Kind::literal,
     R"re(i am out of the office)re",
     R"re(i am out of the office)re",
     "Sisimai Reason/Vacation.pm"},
    {Reason::vacation, Kind::literal,
     R"re(i will be traveling for work on)re",
     R"re(i will be traveling for work on)re",
     "Sisimai Reason/Vacation.pm"},
};

} // namespace

std::span<const Pattern> vacation_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
