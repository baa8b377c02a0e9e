// failedstarttls.cpp — text patterns for the bounce reason "failedstarttls" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::failedstarttls, Kind::literal,
     R"re(starttls is required to send mail)re",
     R"re(starttls is required to send mail)re",
     "Sisimai 5 Reason/FailedSTARTTLS.pm"},
    {Reason::failedstarttls, Kind::literal,
     R"re(tls required but not supported)re",
     R"re(tls required but not supported)re",
     "Sisimai 5 Reason/FailedSTARTTLS.pm (SendGrid; was SecurityError in 4.25)"},
    {Reason::failedstarttls, Kind::literal,
     R"re(must issue a starttls command first)re",
     R"re(must issue a starttls command first)re",
     "Postfix smtpd_tls_security_level=encrypt reply (smtpd.c)"},
    {Reason::failedstarttls, Kind::literal,
     R"re(encryption required for requested authentication mechanism)re",
     R"re(encryption required for requested authentication mechanism)re",
     "RFC 4954 / RFC 3463 X.7.11 text"},
    {Reason::failedstarttls, Kind::literal,
     R"re(tls is required)re",
     R"re(tls is required)re",
     "Sisimai 5 Reason/FailedSTARTTLS.pm"},
};

} // namespace

std::span<const Pattern> failedstarttls_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
