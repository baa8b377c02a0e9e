// systemfull.cpp — text patterns for the bounce reason "systemfull" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::systemfull, Kind::literal,
     R"re(mail system full)re",
     R"re(mail system full)re",
     "Sisimai Reason/SystemFull.pm"},
    {Reason::systemfull, Kind::literal,
     R"re(requested mail action aborted: exceeded storage allocation)re",
     R"re(requested mail action aborted: exceeded storage allocation)re",
     "Sisimai Reason/SystemFull.pm: MS Exchange"},
};

} // namespace

std::span<const Pattern> systemfull_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
