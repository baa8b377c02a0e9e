// networkerror.cpp — text patterns for the bounce reason "networkerror" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::networkerror, Kind::literal,
     R"re(could not connect and send the mail to)re",
     R"re(could not connect and send the mail to)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(dns records for the destination computer could not be found)re",
     R"re(dns records for the destination computer could not be found)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(hop count exceeded - possible mail loop)re",
     R"re(hop count exceeded - possible mail loop)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(host is unreachable)re",
     R"re(host is unreachable)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(host name lookup failure)re",
     R"re(host name lookup failure)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(host not found, try again)re",
     R"re(host not found, try again)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(mail forwarding loop for )re",
     R"re(mail forwarding loop for )re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(malformed name server reply)re",
     R"re(malformed name server reply)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(malformed or unexpected name server reply)re",
     R"re(malformed or unexpected name server reply)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(maximum forwarding loop count exceeded)re",
     R"re(maximum forwarding loop count exceeded)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(message looping)re",
     R"re(message looping)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(message probably in a routing loop)re",
     R"re(message probably in a routing loop)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(no route to host)re",
     R"re(no route to host)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(too many hops)re",
     R"re(too many hops)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(unable to resolve route )re",
     R"re(unable to resolve route )re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::literal,
     R"re(unrouteable mail domain)re",
     R"re(unrouteable mail domain)re",
     "Sisimai Reason/NetworkError.pm"},
    {Reason::networkerror, Kind::regex,
     R"re(dns[ ]type[ ]'[a-z]+'[ ]lookup[ ]of[ ][^ ]+[ ](?:had[ ]no[ ]relevant[ ]answers|responded[ ]with[ ]code[ ]nxdomain))re",
     R"re(dns type 'a' lookup of x had no relevant answers)re",
     "Gmail: DNS Error: N DNS type 'mx' lookup of x ... (Sisimai 5 Lhost/Gmail.pm)"},
};

} // namespace

std::span<const Pattern> networkerror_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
