// fuzz_dns_answer.cpp — DNS response parsing (A, TXT, PTR, AAAA) on arbitrary bytes off the network.
#include <cstddef>
#include <cstdint>
#include <span>

#include "agent/dnsbl/dns_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> msg(data, size);
    (void)ndr::agent::dnsbl::parse_dns_response(msg, ndr::agent::dnsbl::QueryType::a);
    (void)ndr::agent::dnsbl::parse_dns_response(msg, ndr::agent::dnsbl::QueryType::txt);
    (void)ndr::agent::dnsbl::parse_dns_response(msg, ndr::agent::dnsbl::QueryType::ptr);
    (void)ndr::agent::dnsbl::parse_dns_response(msg, ndr::agent::dnsbl::QueryType::aaaa);
    return 0;
}
