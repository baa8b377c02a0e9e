// suppressed.cpp — text patterns for the bounce reason "suppressed" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::suppressed, Kind::literal,
     R"re(address is on the suppression list)re",
     R"re(address is on the suppression list)re",
     "Sisimai 5 Reason/Suppressed.pm (Amazon SES)"},
    {Reason::suppressed, Kind::literal,
     R"re(is on the account-level suppression list)re",
     R"re(is on the account-level suppression list)re",
     "Amazon SES account-level suppression list bounce text"},
};

} // namespace

std::span<const Pattern> suppressed_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
