// hostunknown.cpp — text patterns for the bounce reason "hostunknown" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::hostunknown, Kind::literal,
     R"re(domain does not exist)re",
     R"re(domain does not exist)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(domain is not reachable)re",
     R"re(domain is not reachable)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(domain must exist)re",
     R"re(domain must exist)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(host or domain name not found)re",
     R"re(host or domain name not found)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(host unknown)re",
     R"re(host unknown)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(host unreachable)re",
     R"re(host unreachable)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(mail domain mentioned in email address is unknown)re",
     R"re(mail domain mentioned in email address is unknown)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(name or service not known)re",
     R"re(name or service not known)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(no such domain)re",
     R"re(no such domain)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(recipient address rejected: unknown domain name)re",
     R"re(recipient address rejected: unknown domain name)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(recipient domain must exist)re",
     R"re(recipient domain must exist)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(the account or domain may not exist)re",
     R"re(the account or domain may not exist)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(unknown host)re",
     R"re(unknown host)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(unroutable address)re",
     R"re(unroutable address)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::literal,
     R"re(unrouteable address)re",
     R"re(unrouteable address)re",
     "Sisimai Reason/HostUnknown.pm"},
    {Reason::hostunknown, Kind::regex,
     R"re(553[ ][^ ]+[ ]does[ ]not[ ]exist)re",
     R"re(553 x does not exist)re",
     "Sisimai Reason/HostUnknown.pm"},
};

} // namespace

std::span<const Pattern> hostunknown_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
