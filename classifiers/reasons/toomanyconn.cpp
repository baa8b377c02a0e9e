// toomanyconn.cpp — text patterns for the bounce reason "toomanyconn" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::toomanyconn, Kind::literal,
     R"re(all available ips are at maximum connection limit)re",
     R"re(all available ips are at maximum connection limit)re",
     "Sisimai Reason/TooManyConn.pm: SendGrid"},
    {Reason::toomanyconn, Kind::literal,
     R"re(connection rate limit exceeded)re",
     R"re(connection rate limit exceeded)re",
     "Sisimai Reason/TooManyConn.pm"},
    {Reason::toomanyconn, Kind::literal,
     R"re(exceeds per-domain connection limit for)re",
     R"re(exceeds per-domain connection limit for)re",
     "Sisimai Reason/TooManyConn.pm"},
    {Reason::toomanyconn, Kind::literal,
     R"re(has exceeded the max emails per hour )re",
     R"re(has exceeded the max emails per hour )re",
     "Sisimai Reason/TooManyConn.pm"},
    {Reason::toomanyconn, Kind::literal,
     R"re(throttling failure: daily message quota exceeded)re",
     R"re(throttling failure: daily message quota exceeded)re",
     "Sisimai Reason/TooManyConn.pm"},
    {Reason::toomanyconn, Kind::literal,
     R"re(throttling failure: maximum sending rate exceeded)re",
     R"re(throttling failure: maximum sending rate exceeded)re",
     "Sisimai Reason/TooManyConn.pm"},
    {Reason::toomanyconn, Kind::literal,
     R"re(too many connections)re",
     R"re(too many connections)re",
     "Sisimai Reason/TooManyConn.pm"},
    {Reason::toomanyconn, Kind::literal,
     R"re(too many connections from your host.)re",
     R"re(too many connections from your host.)re",
     "Sisimai Reason/TooManyConn.pm: Microsoft"},
    {Reason::toomanyconn, Kind::literal,
     R"re(too many concurrent smtp connections)re",
     R"re(too many concurrent smtp connections)re",
     "Sisimai Reason/TooManyConn.pm: Microsoft"},
    {Reason::toomanyconn, Kind::literal,
     R"re(too many errors from your ip)re",
     R"re(too many errors from your ip)re",
     "Sisimai Reason/TooManyConn.pm: Free.fr"},
    {Reason::toomanyconn, Kind::literal,
     R"re(too many recipients)re",
     R"re(too many recipients)re",
     "Sisimai Reason/TooManyConn.pm: ntt docomo"},
    {Reason::toomanyconn, Kind::literal,
     R"re(too many smtp sessions for this host)re",
     R"re(too many smtp sessions for this host)re",
     "Sisimai Reason/TooManyConn.pm: Sendmail(daemon.c)"},
    {Reason::toomanyconn, Kind::literal,
     R"re(trop de connexions, )re",
     R"re(trop de connexions, )re",
     "Sisimai Reason/TooManyConn.pm"},
    {Reason::toomanyconn, Kind::literal,
     R"re(we have already made numerous attempts to deliver this message)re",
     R"re(we have already made numerous attempts to deliver this message)re",
     "Sisimai Reason/TooManyConn.pm"},
};

} // namespace

std::span<const Pattern> toomanyconn_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
