// badreputation.cpp — text patterns for the bounce reason "badreputation" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::badreputation, Kind::regex,
     R"re(ip[/]domain[ ]reputation[ ]problems)re",
     R"re(ip/domain reputation problems)re",
     "Sisimai Reason/Blocked.pm (moved to badreputation as in Sisimai 5)"},
    {Reason::badreputation, Kind::regex,
     R"re(rejected[ ]due[ ]to[ ](?:a[ ]poor[ ]email[ ]reputation[ ]score|the[ ]sending[ ]mta's[ ]poor[ ]reputation))re",
     R"re(rejected due to a poor email reputation score)re",
     "Sisimai Reason/Blocked.pm (moved to badreputation as in Sisimai 5)"},
    {Reason::badreputation, Kind::regex,
     R"re(temporarily[ ]deferred[ ]due[ ]to[ ]unexpected[ ]volume[ ]or[ ]user[ ]complaints)re",
     R"re(temporarily deferred due to unexpected volume or user complaints)re",
     "Sisimai Reason/Blocked.pm (moved to badreputation as in Sisimai 5)"},
    {Reason::badreputation, Kind::literal,
     R"re(has been temporarily rate limited due to ip reputation)re",
     R"re(has been temporarily rate limited due to ip reputation)re",
     "Sisimai 5 Reason/BadReputation.pm"},
    {Reason::badreputation, Kind::literal,
     R"re(likely suspicious due to the very low reputation)re",
     R"re(likely suspicious due to the very low reputation)re",
     "Sisimai 5 Reason/BadReputation.pm (Gmail 4.7.0/5.7.1)"},
    {Reason::badreputation, Kind::literal,
     R"re(our system has detected that this message is likely suspicious due to the very low reputation)re",
     R"re(our system has detected that this message is likely suspicious due to the very low reputation)re",
     "Gmail 550 5.7.1 (support.google.com/mail/answer/188131)"},
    {Reason::badreputation, Kind::literal,
     R"re(low reputation of the sending domain)re",
     R"re(low reputation of the sending domain)re",
     "Gmail 550 5.7.1 / 421 4.7.0 low domain reputation"},
    {Reason::badreputation, Kind::literal,
     R"re(low reputation of the sending ip)re",
     R"re(low reputation of the sending ip)re",
     "Gmail 421 4.7.0 low IP reputation"},
    {Reason::badreputation, Kind::literal,
     R"re(because of poor reputation)re",
     R"re(because of poor reputation)re",
     "Generic reputation wording (Microsoft, Comcast)"},
    {Reason::badreputation, Kind::regex,
     R"re(messages[ ]from[ ][^ ]+[ ]temporarily[ ]deferred[ ]due[ ]to[ ]user[ ]complaints)re",
     R"re(messages from x temporarily deferred due to user complaints)re",
     "Sisimai 5 Reason/BadReputation.pm (Yahoo! TS01)"},
    {Reason::badreputation, Kind::literal,
     R"re(sender reputation)re",
     R"re(sender reputation)re",
     "Generic sender reputation wording"},
    {Reason::badreputation, Kind::literal,
     R"re(rate limited due to ip reputation)re",
     R"re(rate limited due to ip reputation)re",
     "Microsoft 451 4.7.650 temporarily rate limited due to IP reputation (S3113)"},
};

} // namespace

std::span<const Pattern> badreputation_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
