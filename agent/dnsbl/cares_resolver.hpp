// cares_resolver.hpp — the Resolver over c-ares: every query of a batch on ONE channel, at most
// k_max_dnsbl_in_flight on the wire at once (the next one is sent as an answer arrives), each with its
// own timeout and tries. Rcodes are classified here from the raw answer (ARES_FLAG_NOCHECKRESP), so a
// REFUSED is not mistaken for a dead server.
//
// Input trust: server specs are configuration (validated, errors returned); answers are hostile and
// parsed by dns_message.hpp.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "agent/dnsbl/resolver.hpp"

namespace ndr::agent::dnsbl {

struct CaresOptions {
    std::vector<std::string> servers; // "ip", "ip:port", "[ipv6]:port"; empty: /etc/resolv.conf
    int timeout_ms = 2000;            // first try; c-ares doubles it on each retry
    int tries = 2;
    std::size_t max_in_flight = 0;    // 0: k_max_dnsbl_in_flight
};

// "HOST[:PORT]" (HOST an IPv4 or IPv6 literal, IPv6 with a port in brackets) -> c-ares CSV form, or
// an error message naming the bad spec.
std::expected<std::string, std::string> normalise_server_spec(const std::string& spec);

class CaresResolver final : public Resolver {
public:
    static std::expected<std::unique_ptr<CaresResolver>, std::string> create(const CaresOptions& options);
    ~CaresResolver() override;
    CaresResolver(const CaresResolver&) = delete;
    CaresResolver& operator=(const CaresResolver&) = delete;

    std::vector<Answer> resolve(std::span<const Query> queries) override;

private:
    struct Impl;
    explicit CaresResolver(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace ndr::agent::dnsbl
