// notaccept.cpp — text patterns for the bounce reason "notaccept" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::notaccept, Kind::literal,
     R"re(does not accept mail (nullmx))re",
     R"re(does not accept mail (nullmx))re",
     "Sisimai Reason/NotAccept.pm"},
    {Reason::notaccept, Kind::literal,
     R"re(host/domain does not accept mail)re",
     R"re(host/domain does not accept mail)re",
     "Sisimai Reason/NotAccept.pm: iCloud"},
    {Reason::notaccept, Kind::literal,
     R"re(host does not accept mail)re",
     R"re(host does not accept mail)re",
     "Sisimai Reason/NotAccept.pm: Sendmail"},
    {Reason::notaccept, Kind::literal,
     R"re(name server: .: host not found)re",
     R"re(name server: .: host not found)re",
     "Sisimai Reason/NotAccept.pm: Sendmail"},
    {Reason::notaccept, Kind::literal,
     R"re(no mx record found for domain=)re",
     R"re(no mx record found for domain=)re",
     "Sisimai Reason/NotAccept.pm: Oath(Yahoo!)"},
    {Reason::notaccept, Kind::literal,
     R"re(no route for current request)re",
     R"re(no route for current request)re",
     "Sisimai Reason/NotAccept.pm"},
    {Reason::notaccept, Kind::literal,
     R"re(smtp protocol returned a permanent error)re",
     R"re(smtp protocol returned a permanent error)re",
     "Sisimai Reason/NotAccept.pm"},
    {Reason::notaccept, Kind::literal,
     R"re(returned null mx)re",
     R"re(returned null mx)re",
     "Gmail: The domain x doesn't receive email according to the administrator: returned Null MX (RFC 7505)"},
};

} // namespace

std::span<const Pattern> notaccept_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
