// hasmoved.cpp — text patterns for the bounce reason "hasmoved" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::hasmoved, Kind::literal,
     R"re( has been replaced by )re",
     R"re( has been replaced by )re",
     "Sisimai Reason/HasMoved.pm"},
};

} // namespace

std::span<const Pattern> hasmoved_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
