// reverse_dns.hpp — forward-confirmed reverse DNS (FCrDNS) of our sending IPs, for the delisting
// drafts: what a list's removal form asks for, and a common cause of rejection in its own right.
// The PTR name of each address is looked up, then its A or AAAA records; the address is
// "confirmed" when one of them gives it back. Every query of one round goes out together through the
// Resolver (all PTRs, then all forward lookups).
//
// Input trust: addresses come from the store (parsed again here, others skipped); answers come off
// the network and a PTR name is used only when it is a valid host name (valid_dns_name).
#pragma once

#include "agent/dnsbl/resolver.hpp"

#include <span>
#include <string>
#include <vector>

namespace ndr::agent::dnsbl {

struct ReverseDns {
    enum class State { confirmed, mismatch, no_ptr, failed };
    std::string ip; // as parsed (dotted quad, RFC 5952)
    State state = State::failed;
    std::string name;   // the PTR name (the confirmed one when there are several), "" with no_ptr/failed
    std::string detail; // failed: what went wrong ("timeout", "servfail", "PTR is not a host name")
};

// At most k_max_reverse_lookups addresses, in order, duplicates and non-addresses dropped.
inline constexpr std::size_t k_max_reverse_lookups = 10;
std::vector<ReverseDns> reverse_dns(std::span<const std::string> ips, Resolver& resolver);

// "192.0.2.25 -> mail.example.com (forward-confirmed)", "... (no PTR record)", ...
std::string describe(const ReverseDns& r);

} // namespace ndr::agent::dnsbl
