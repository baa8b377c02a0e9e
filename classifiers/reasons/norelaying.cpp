// norelaying.cpp — text patterns for the bounce reason "norelaying" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::norelaying, Kind::literal,
     R"re(as a relay)re",
     R"re(as a relay)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(insecure mail relay)re",
     R"re(insecure mail relay)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(is not permitted to relay through this server without authentication)re",
     R"re(is not permitted to relay through this server without authentication)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(mail server requires authentication when attempting to send to a non-local e-mail address)re",
     R"re(mail server requires authentication when attempting to send to a non-local e-mail address)re",
     "Sisimai Reason/NoRelaying.pm: MailEnable"},
    {Reason::norelaying, Kind::literal,
     R"re(not a gateway)re",
     R"re(not a gateway)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(not allowed to relay through this machine)re",
     R"re(not allowed to relay through this machine)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(not an open relay, so get lost)re",
     R"re(not an open relay, so get lost)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(not local host)re",
     R"re(not local host)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(relay access denied)re",
     R"re(relay access denied)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(relay denied)re",
     R"re(relay denied)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(relaying mail to )re",
     R"re(relaying mail to )re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(relay not permitted)re",
     R"re(relay not permitted)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(relaying denied)re",
     R"re(relaying denied)re",
     "Sisimai Reason/NoRelaying.pm: Sendmail"},
    {Reason::norelaying, Kind::literal,
     R"re(that domain isn't in my list of allowed rcpthost)re",
     R"re(that domain isn't in my list of allowed rcpthost)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(this system is not configured to relay mail)re",
     R"re(this system is not configured to relay mail)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(recipient address rejected: no relaying)re",
     R"re(recipient address rejected: no relaying)re",
     "Postfix-style RCPT rejection of a relay attempt (\"Recipient address rejected: No relaying\")"},
    {Reason::norelaying, Kind::literal,
     R"re(unable to relay for)re",
     R"re(unable to relay for)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(we don't handle mail for)re",
     R"re(we don't handle mail for)re",
     "Sisimai Reason/NoRelaying.pm"},
    {Reason::norelaying, Kind::literal,
     R"re(message rejected: email address is not verified)re",
     R"re(message rejected: email address is not verified)re",
     "Sisimai 5 Reason/NoRelaying.pm (Amazon SES identity not verified; was Rejected in 4.25)"},
};

} // namespace

std::span<const Pattern> norelaying_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
