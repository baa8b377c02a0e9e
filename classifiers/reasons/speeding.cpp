// speeding.cpp — text patterns for the bounce reason "speeding" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::speeding, Kind::literal,
     R"re(please try again slower)re",
     R"re(please try again slower)re",
     "Sisimai 5 Reason/Speeding.pm"},
    {Reason::speeding, Kind::literal,
     R"re(receiving mail at a rate that prevents additional messages from being delivered)re",
     R"re(receiving mail at a rate that prevents additional messages from being delivered)re",
     "Sisimai 5 Reason/Speeding.pm (Gmail 4.2.1)"},
    {Reason::speeding, Kind::literal,
     R"re(is receiving mail too quickly)re",
     R"re(is receiving mail too quickly)re",
     "Gmail 4.2.1 The user you are trying to contact is receiving mail too quickly"},
};

} // namespace

std::span<const Pattern> speeding_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
