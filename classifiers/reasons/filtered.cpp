// filtered.cpp — text patterns for the bounce reason "filtered" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::filtered, Kind::literal,
     R"re(because the recipient is only accepting mail from specific email addresses)re",
     R"re(because the recipient is only accepting mail from specific email addresses)re",
     "Sisimai Reason/Filtered.pm: AOL Phoenix"},
    {Reason::filtered, Kind::literal,
     R"re(bounced address)re",
     R"re(bounced address)re",
     "Sisimai Reason/Filtered.pm: SendGrid|a message to an address has previously been Bounced."},
    {Reason::filtered, Kind::literal,
     R"re(due to extended inactivity new mail is not currently being accepted for this mailbox)re",
     R"re(due to extended inactivity new mail is not currently being accepted for this mailbox)re",
     "Sisimai Reason/Filtered.pm"},
    {Reason::filtered, Kind::literal,
     R"re(has restricted sms e-mail)re",
     R"re(has restricted sms e-mail)re",
     "Sisimai Reason/Filtered.pm: AT&T"},
    {Reason::filtered, Kind::literal,
     R"re(is not accepting any mail)re",
     R"re(is not accepting any mail)re",
     "Sisimai Reason/Filtered.pm"},
    {Reason::filtered, Kind::literal,
     R"re(message rejected due to user rules)re",
     R"re(message rejected due to user rules)re",
     "Sisimai Reason/Filtered.pm"},
    {Reason::filtered, Kind::literal,
     R"re(not found recipient account)re",
     R"re(not found recipient account)re",
     "Sisimai Reason/Filtered.pm"},
    {Reason::filtered, Kind::literal,
     R"re(refused due to recipient preferences)re",
     R"re(refused due to recipient preferences)re",
     "Sisimai Reason/Filtered.pm: Facebook"},
    {Reason::filtered, Kind::literal,
     R"re(resolver.rst.notauthorized)re",
     R"re(resolver.rst.notauthorized)re",
     "Sisimai Reason/Filtered.pm: Microsoft Exchange"},
    {Reason::filtered, Kind::literal,
     R"re(this account is protected by)re",
     R"re(this account is protected by)re",
     "Sisimai Reason/Filtered.pm"},
    {Reason::filtered, Kind::literal,
     R"re(user not found)re",
     R"re(user not found)re",
     "Sisimai Reason/Filtered.pm: Filter on MAIL.RU"},
    {Reason::filtered, Kind::literal,
     R"re(user reject)re",
     R"re(user reject)re",
     "Sisimai Reason/Filtered.pm"},
    {Reason::filtered, Kind::literal,
     R"re(we failed to deliver mail because the following address recipient id refuse to receive mail)re",
     R"re(we failed to deliver mail because the following address recipient id refuse to receive mail)re",
     "Sisimai Reason/Filtered.pm: Willcom"},
    {Reason::filtered, Kind::literal,
     R"re(you have been blocked by the recipient)re",
     R"re(you have been blocked by the recipient)re",
     "Sisimai Reason/Filtered.pm"},
};

} // namespace

std::span<const Pattern> filtered_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
