// query_name.hpp — DNSBL targets (IPv4, IPv6, domain) and the query names built from them (RFC 5782).
//
// Input trust: targets come from the command line or from NDR text (hostile); zone names come from rule
// files (configuration). Every function here is pure and bounded; a name is validated (LDH labels of
// 1..63 bytes, 253 bytes in all) before anything may be queried with it. IDN targets are converted to
// A-labels with libidn2 (IDNA 2008, non-transitional).
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace ndr::agent::dnsbl {

enum class TargetKind { ipv4, ipv6, domain };
std::string_view to_string(TargetKind kind);

struct Target {
    TargetKind kind = TargetKind::ipv4;
    std::string text;                   // normalised: dotted quad, RFC 5952 IPv6, lower-case A-label domain
    std::array<std::uint8_t, 16> bytes{}; // IPv4: first 4 bytes; IPv6: all 16 (mapped forms kept as IPv6)
};

// Parses one target. IPv4 must be a dotted quad without leading zeros; IPv6 any RFC 4291 form
// (compressed, embedded IPv4, optionally in brackets; zone ids are refused); anything else must be a
// domain name (U-labels converted to A-labels, lower-cased, one trailing dot dropped, at least two
// labels, alphabetic or A-label top-level label). Errors say what is wrong with the input.
std::expected<Target, std::string> parse_target(std::string_view text);

// Targets for the RFC 5782 test points: IPv4 127.0.0.2 / 127.0.0.1, IPv6 ::FFFF:7F00:2 / ::FFFF:7F00:1
// (raw 16 bytes, never turned into IPv4), domains "test" / "invalid".
Target test_point(TargetKind kind, bool listed);

// "d.c.b.a" for IPv4 a.b.c.d.
std::string ipv4_reversed(const Target& target);
// 32 lower-case hex nibbles, least significant first, dot-separated.
std::string ipv6_nibbles(const Target& target);

// The registered domain by a small built-in rule (no public-suffix list): the last two labels, or the
// last three when the second-level label is a common ccTLD second level (co.uk, com.au, ...). Known
// limitation: private suffixes and uncommon registries are not recognised.
std::string registered_domain(std::string_view domain);

// True when `name` is a valid query name: labels of 1..63 bytes of letters, digits and '-' (no label
// starts or ends with '-'), at most 253 bytes, no trailing dot.
bool valid_dns_name(std::string_view name);

// The query name for `target` in `zone` ("<reversed>.<zone>"), or an error when the result is not a
// valid name. `registered` applies registered_domain() to domain targets.
std::expected<std::string, std::string> query_name(const Target& target, std::string_view zone,
                                                   bool registered = false);

} // namespace ndr::agent::dnsbl
