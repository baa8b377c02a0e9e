// listed.hpp — validation and normalisation of the IP addresses and domains that attribution takes
// from NDR text (hostile) and that rule files declare as return codes (configuration).
//
// Every function is pure and linear; anything that is not exactly the expected syntax gives "" (or
// false), never a guess. Input longer than a DNS name (253 bytes) or an address is rejected outright.
#pragma once

#include <string>
#include <string_view>

namespace ndr::classifiers::rules {

// Dotted quad, four decimal octets 0..255 without leading zeros ("198.51.100.23"); else "".
std::string normalise_ipv4(std::string_view s);
// Any RFC 4291 textual form (compressed, embedded IPv4; an "IPv6:" prefix is accepted), returned in
// RFC 5952 form (lower case, compressed); zone ids and anything else give "".
std::string normalise_ipv6(std::string_view s);
// IPv4 or IPv6 as above.
std::string normalise_ip(std::string_view s);
// A host or domain name: lower case, one trailing dot dropped, U-labels converted to A-labels (IDNA
// 2008), letters/digits/hyphens, labels 1..63 bytes not starting or ending with '-', at least two
// labels, 253 bytes at most, top-level label alphabetic (or an A-label); else "".
std::string normalise_domain(std::string_view s);
// "a.b.c.d" or "a.b.c.d/len" (len 0..32, host bits may be set). *is_cidr tells which.
bool is_ipv4_or_cidr(std::string_view s, bool* is_cidr);

} // namespace ndr::classifiers::rules
