// dns_message.hpp — reads a raw DNS response (RFC 1035) into an Answer: rcode, A, AAAA, TXT or PTR
// records, TTLs, and the SOA minimum from the authority section for negative caching (RFC 2308).
//
// Input trust: none; the bytes come off the network. Every read is bounds-checked; compression pointers
// are skipped, and followed only inside a PTR name (each backwards, at most 16, 255 bytes in all); at
// most k_max_dns_answer_records records per section are read and TXT records are cut at
// k_max_dns_txt_bytes. PTR names are returned as read: the caller checks they are host names. A message that cannot be walked gives status `error`.
#pragma once

#include <cstdint>
#include <span>

#include "agent/dnsbl/resolver.hpp"

namespace ndr::agent::dnsbl {

// `type` is the type that was asked: records of other types (CNAMEs) are skipped.
Answer parse_dns_response(std::span<const std::uint8_t> message, QueryType type);

} // namespace ndr::agent::dnsbl
