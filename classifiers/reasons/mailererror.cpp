// mailererror.cpp — text patterns for the bounce reason "mailererror" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::mailererror, Kind::regex,
     R"re(\Aprocmail:[ ])re",
     R"re(procmail: )re",
     "Sisimai Reason/MailerError.pm"},
    {Reason::mailererror, Kind::regex,
     R"re(bin/(?:procmail|maildrop))re",
     R"re(bin/procmail)re",
     "Sisimai Reason/MailerError.pm"},
    {Reason::mailererror, Kind::regex,
     R"re(command[ ](?:failed:[ ]|died[ ]with[ ]status[ ]\d+|output:))re",
     R"re(command failed: )re",
     "Sisimai Reason/MailerError.pm"},
    {Reason::mailererror, Kind::regex,
     R"re(exit[ ]\d+)re",
     R"re(exit 1)re",
     "Sisimai Reason/MailerError.pm"},
    {Reason::mailererror, Kind::regex,
     R"re(mailer[ ]error)re",
     R"re(mailer error)re",
     "Sisimai Reason/MailerError.pm"},
    {Reason::mailererror, Kind::regex,
     R"re(pipe[ ]to[ ][|][/][^ ]+)re",
     R"re(pipe to |/x)re",
     "Sisimai Reason/MailerError.pm"},
    {Reason::mailererror, Kind::regex,
     R"re(x[-]unix[;][ ]\d+)re",
     R"re(x-unix; 1)re",
     "Sisimai Reason/MailerError.pm"},
};

} // namespace

std::span<const Pattern> mailererror_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
