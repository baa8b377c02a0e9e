// provenance.cpp — ours or backscatter (see provenance.hpp).
#include "agent/incidents/provenance.hpp"

#include "classifiers/text.hpp"

#include <arpa/inet.h>
#include <cstring>

#include "agent/provenance/dkim.hpp"

namespace ndr::agent::incidents {

namespace {

// Received fields looked at per message and bytes of one field: bounded work on hostile input.
constexpr std::size_t k_max_received_fields = 32;
constexpr std::size_t k_max_received_bytes = 4096;
constexpr std::size_t k_max_literals_per_field = 8;

std::optional<std::array<std::uint8_t, 16>> parse_address(std::string_view text, bool& v6) {
    std::string s(classifiers::trim(text));
    if (s.size() > 5 && classifiers::iequals(std::string_view(s).substr(0, 5), "ipv6:")) s = s.substr(5);
    if (s.empty() || s.size() > 64) return std::nullopt;
    std::array<std::uint8_t, 16> out{};
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
        std::memcpy(out.data(), &a4, 4);
        v6 = false;
        return out;
    }
    if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
        std::memcpy(out.data(), &a6, 16);
        v6 = true;
        // ::ffff:a.b.c.d is the IPv4 address.
        static constexpr std::uint8_t k_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::memcmp(out.data(), k_mapped, 12) == 0) {
            std::array<std::uint8_t, 16> v4{};
            std::memcpy(v4.data(), out.data() + 12, 4);
            v6 = false;
            return v4;
        }
        return out;
    }
    return std::nullopt;
}

std::string lower(std::string_view s) {
    return classifiers::to_lower_ascii(s);
}

std::string domain_of_address(std::string_view from) {
    auto s = from;
    if (const auto lt = s.rfind('<'); lt != std::string_view::npos) s = s.substr(lt + 1);
    if (const auto gt = s.find('>'); gt != std::string_view::npos) s = s.substr(0, gt);
    const auto at = s.rfind('@');
    if (at == std::string_view::npos) return {};
    return lower(classifiers::trim(s.substr(at + 1)));
}

} // namespace

std::optional<Network> parse_network(std::string_view text) {
    Network net;
    auto s = classifiers::trim(text);
    int prefix = -1;
    if (const auto slash = s.find('/'); slash != std::string_view::npos) {
        const auto p = s.substr(slash + 1);
        if (p.empty() || p.size() > 3) return std::nullopt;
        prefix = 0;
        for (const char c : p) {
            if (c < '0' || c > '9') return std::nullopt;
            prefix = prefix * 10 + (c - '0');
        }
        s = s.substr(0, slash);
    }
    bool v6 = false;
    const auto bytes = parse_address(s, v6);
    if (!bytes) return std::nullopt;
    net.v6 = v6;
    net.bytes = *bytes;
    const int max = v6 ? 128 : 32;
    if (prefix > max) return std::nullopt;
    net.prefix = prefix < 0 ? max : prefix;
    return net;
}

bool network_contains(const Network& net, std::string_view address) {
    bool v6 = false;
    const auto bytes = parse_address(address, v6);
    if (!bytes || v6 != net.v6) return false;
    int bits = net.prefix;
    for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
        const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
        if (((*bytes)[i] & mask) != (net.bytes[i] & mask)) return false;
    }
    return true;
}

bool in_networks(const std::vector<Network>& nets, std::string_view address) {
    for (const auto& n : nets)
        if (network_contains(n, address)) return true;
    return false;
}

std::vector<ReceivedFrom> received_from(std::string_view field) {
    std::vector<ReceivedFrom> out;
    field = field.substr(0, std::min(field.size(), k_max_received_bytes));
    const std::string low = lower(field);
    auto from = low.find("from ");
    if (from == std::string::npos) return out;
    // The "from" clause ends at " by " (RFC 5321 Stamp); without one, the whole field.
    auto end = low.find(" by ", from);
    if (end == std::string::npos) end = low.size();
    std::size_t helo_start = from + 5;
    while (helo_start < end && (low[helo_start] == ' ' || low[helo_start] == '\t'))
        ++helo_start;
    std::size_t helo_end = helo_start;
    while (helo_end < end && low[helo_end] != ' ' && low[helo_end] != '\t' && low[helo_end] != '(')
        ++helo_end;
    const std::string helo = classifiers::sanitise(low.substr(helo_start, helo_end - helo_start), 255);
    std::size_t pos = from;
    while (out.size() < k_max_literals_per_field) {
        const auto open = low.find('[', pos);
        if (open == std::string::npos || open >= end) break;
        const auto close = low.find(']', open);
        if (close == std::string::npos || close > end) break;
        ReceivedFrom r;
        r.helo = helo;
        const auto literal = std::string_view(low).substr(open + 1, close - open - 1);
        bool v6 = false;
        if (parse_address(literal, v6)) {
            r.ip = std::string(classifiers::trim(literal));
            if (r.ip.size() > 5 && r.ip.compare(0, 5, "ipv6:") == 0) r.ip = r.ip.substr(5);
            // "(rdns [ip])": the word before the bracket, inside the parenthesis.
            const auto paren = low.rfind('(', open);
            if (paren != std::string::npos && paren >= helo_end) {
                const auto name =
                    classifiers::trim(std::string_view(low).substr(paren + 1, open - paren - 1));
                if (!name.empty() && name.find(' ') == std::string_view::npos && name != "unknown")
                    r.rdns = classifiers::sanitise(name, 255);
            }
            if (helo.size() > 1 && helo.front() == '[') r.helo.clear();
            out.push_back(std::move(r));
        }
        pos = close + 1;
    }
    return out;
}

ProvenanceJudge::ProvenanceJudge(const IdentitySettings& identity, DkimCheck dkim) : m_dkim(std::move(dkim)) {
    for (const auto& text : identity.outbound_ips)
        if (auto n = parse_network(text)) m_networks.push_back(*n);
    for (const auto& d : identity.domains)
        m_domains.push_back(lower(d));
}

Provenance ProvenanceJudge::judge(const classifiers::DeliveryReport& report) const {
    Provenance p;
    if (!configured()) {
        p.detail = "no [identity] outbound_ips or domains configured: every bounce is treated as ours";
        return p;
    }
    const auto& original = report.original;
    std::size_t n = 0;
    for (const auto& field : original.received) {
        if (++n > k_max_received_fields) break;
        for (const auto& hop : received_from(field)) {
            if (!in_networks(m_networks, hop.ip)) continue;
            p.verdict = "ours";
            p.sending_ip = hop.ip;
            p.sending_rdns = hop.rdns;
            p.sending_helo = hop.helo;
            p.detail = "the returned original's Received chain shows it leaving our outbound IP " + hop.ip;
            return p;
        }
    }
    if (m_dkim && original.present && !original.raw_headers.empty() && !original.dkim_signatures.empty()) {
        if (auto pass = m_dkim(original)) {
            p.verdict = "ours";
            p.detail = *pass;
            return p;
        }
    }
    for (const auto& record : report.recipients)
        for (const auto& hit : record.verdict.lists)
            if (!hit.listed.empty() && in_networks(m_networks, hit.listed)) {
                p.verdict = "ours";
                p.sending_ip = classifiers::sanitise(hit.listed, 64);
                p.detail = "the rejection names our outbound IP " + p.sending_ip + " as listed";
                return p;
            }
    p.verdict = "backscatter";
    if (!original.present) {
        p.detail = "no returned original and the rejection names none of our outbound IPs";
    } else {
        const auto from_domain = domain_of_address(original.from);
        p.detail = "the returned original did not leave our outbound IPs (" +
                   std::to_string(original.received.size()) +
                   " Received fields) and has no DKIM signature of ours that verifies";
        if (!from_domain.empty())
            p.detail += "; From domain " + classifiers::sanitise(from_domain, 255) + " is forged or relayed";
    }
    return p;
}

DkimCheck make_dkim_check(const Config& config) {
    if (config.identity.domains.empty()) return {};
    const provenance::DkimKeyLookup lookup = provenance::config_key_lookup(
        config.identity.dkim_key_files, config.dns.resolvers, config.dns.timeout_ms);
    const auto domains = config.identity.domains;
    const auto selectors = config.identity.dkim_selectors;
    return [lookup, domains,
            selectors](const classifiers::ReturnedOriginal& original) -> std::optional<std::string> {
        const auto verdict = provenance::verify_ours(original.raw_headers, domains, selectors, lookup);
        if (verdict.result != provenance::DkimResult::pass) return std::nullopt;
        return "its DKIM-Signature d=" + verdict.domain + " s=" + verdict.selector +
               " verifies (header hash)";
    };
}

} // namespace ndr::agent::incidents
