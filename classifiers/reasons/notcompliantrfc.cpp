// notcompliantrfc.cpp — text patterns for the bounce reason "notcompliantrfc" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::notcompliantrfc, Kind::literal,
     R"re(this message is not rfc 5322 compliant)re",
     R"re(this message is not rfc 5322 compliant)re",
     "Sisimai 5 Reason/NotCompliantRFC.pm (Gmail 5.7.1)"},
    {Reason::notcompliantrfc, Kind::literal,
     R"re(https://support.google.com/mail/?p=rfcmessagenoncompliant)re",
     R"re(https://support.google.com/mail/?p=rfcmessagenoncompliant)re",
     "Sisimai 5 Reason/NotCompliantRFC.pm (Gmail)"},
    {Reason::notcompliantrfc, Kind::literal,
     R"re(multiple from headers)re",
     R"re(multiple from headers)re",
     "Sisimai 5 Reason/NotCompliantRFC.pm"},
    {Reason::notcompliantrfc, Kind::literal,
     R"re(non-compliant with rfc 5322)re",
     R"re(non-compliant with rfc 5322)re",
     "Microsoft 550 5.6.211 / Gmail RFC 5322 wording"},
    {Reason::notcompliantrfc, Kind::literal,
     R"re(multiple addresses in from:)re",
     R"re(multiple addresses in from:)re",
     "Sisimai 5 Reason/NotCompliantRFC.pm (Gmail 5.7.1; was PolicyViolation in 4.25)"},
    {Reason::notcompliantrfc, Kind::literal,
     R"re(missing a valid address in from: header)re",
     R"re(missing a valid address in from: header)re",
     "Gmail 550 5.7.1 Messages missing a valid address in From: header are not accepted (RFC 5322)"},
};

} // namespace

std::span<const Pattern> notcompliantrfc_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
