// suspend.cpp — text patterns for the bounce reason "suspend" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::suspend, Kind::literal,
     R"re( is currently suspended)re",
     R"re( is currently suspended)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re( temporary locked)re",
     R"re( temporary locked)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(boite du destinataire archivee)re",
     R"re(boite du destinataire archivee)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(email account that you tried to reach is disabled)re",
     R"re(email account that you tried to reach is disabled)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(has been suspended)re",
     R"re(has been suspended)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(invalid/inactive user)re",
     R"re(invalid/inactive user)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(is a deactivated mailbox)re",
     R"re(is a deactivated mailbox)re",
     "Sisimai Reason/Suspend.pm: http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000742"},
    {Reason::suspend, Kind::literal,
     R"re(mailbox currently suspended)re",
     R"re(mailbox currently suspended)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(mailbox is frozen)re",
     R"re(mailbox is frozen)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(mailbox unavailable or access denied)re",
     R"re(mailbox unavailable or access denied)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(recipient rejected: temporarily inactive)re",
     R"re(recipient rejected: temporarily inactive)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(recipient suspend the service)re",
     R"re(recipient suspend the service)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(this account has been disabled or discontinued)re",
     R"re(this account has been disabled or discontinued)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(this mailbox is disabled)re",
     R"re(this mailbox is disabled)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(user suspended)re",
     R"re(user suspended)re",
     "Sisimai Reason/Suspend.pm: http://mail.163.com/help/help_spam_16.htm"},
    {Reason::suspend, Kind::literal,
     R"re(vdelivermail: account is locked email bounced)re",
     R"re(vdelivermail: account is locked email bounced)re",
     "Sisimai Reason/Suspend.pm"},
    {Reason::suspend, Kind::literal,
     R"re(account is disabled)re",
     R"re(account is disabled)re",
     "Sisimai 5 Reason/Suspend.pm (EZweb: The user(s) account is disabled)"},
};

} // namespace

std::span<const Pattern> suspend_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
