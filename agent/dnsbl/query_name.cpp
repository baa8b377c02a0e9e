// query_name.cpp — target parsing and RFC 5782 query names. Pure functions: inet_pton and libidn2 do no
// I/O. Input longer than a DNS name is refused before any conversion.
#include "agent/dnsbl/query_name.hpp"

#include <arpa/inet.h>
#include <idn2.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace ndr::agent::dnsbl {
namespace {

constexpr std::size_t k_max_name = 253;
constexpr std::size_t k_max_label = 63;

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ldh(char c) { return is_alpha(c) || is_digit(c) || c == '-'; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::vector<std::string_view> split_labels(std::string_view name) {
    std::vector<std::string_view> labels;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) {
            labels.push_back(name.substr(start));
            break;
        }
        labels.push_back(name.substr(start, dot - start));
        start = dot + 1;
    }
    return labels;
}

std::expected<Target, std::string> parse_domain(std::string_view text) {
    bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    std::string name;
    if (ascii) {
        name = lower(text);
    } else {
        std::string in(text);
        char* out = nullptr;
        int rc = idn2_to_ascii_8z(in.c_str(), &out, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
        if (rc != IDN2_OK) {
            if (out) idn2_free(out);
            return std::unexpected(std::string("not a valid internationalised domain name (") + idn2_strerror(rc) + ")");
        }
        name = lower(out);
        idn2_free(out);
    }
    if (!name.empty() && name.back() == '.') name.pop_back();
    if (name.empty()) return std::unexpected(std::string("empty domain name"));
    if (!valid_dns_name(name)) return std::unexpected(std::string("not a valid domain name (letters, digits and '-' in labels of 1..63 bytes, 253 bytes in all)"));
    auto labels = split_labels(name);
    if (labels.size() < 2) return std::unexpected(std::string("a domain needs at least two labels"));
    std::string_view tld = labels.back();
    bool tld_ok = tld.starts_with("xn--") || std::all_of(tld.begin(), tld.end(), is_alpha);
    if (!tld_ok) return std::unexpected(std::string("the top-level label must be alphabetic"));
    Target t;
    t.kind = TargetKind::domain;
    t.text = std::move(name);
    return t;
}

char hex_digit(unsigned v) { return "0123456789abcdef"[v & 0xf]; }

} // namespace

std::string_view to_string(TargetKind kind) {
    switch (kind) {
    case TargetKind::ipv4: return "ipv4";
    case TargetKind::ipv6: return "ipv6";
    case TargetKind::domain: return "domain";
    }
    return "?";
}

std::expected<Target, std::string> parse_target(std::string_view text) {
    if (text.empty()) return std::unexpected(std::string("empty target"));
    if (text.size() > k_max_name + 1) return std::unexpected(std::string("target longer than a DNS name"));
    for (char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ' ')
            return std::unexpected(std::string("target contains spaces or control characters"));
    }
    std::string s(text);
    if (s.find(':') != std::string::npos) {
        if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
        if (s.find('%') != std::string::npos) return std::unexpected(std::string("IPv6 zone ids are not allowed"));
        Target t;
        t.kind = TargetKind::ipv6;
        if (inet_pton(AF_INET6, s.c_str(), t.bytes.data()) != 1)
            return std::unexpected(std::string("not a valid IPv6 address"));
        char buf[INET6_ADDRSTRLEN] = {};
        inet_ntop(AF_INET6, t.bytes.data(), buf, sizeof buf);
        t.text = buf;
        return t;
    }
    bool numeric = std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c) || c == '.'; });
    if (numeric) {
        Target t;
        t.kind = TargetKind::ipv4;
        // glibc's inet_pton accepts exactly a.b.c.d with decimal octets 0..255 and no leading zeros.
        if (inet_pton(AF_INET, s.c_str(), t.bytes.data()) != 1)
            return std::unexpected(std::string("not a valid IPv4 address (a dotted quad, no leading zeros)"));
        char buf[INET_ADDRSTRLEN] = {};
        inet_ntop(AF_INET, t.bytes.data(), buf, sizeof buf);
        t.text = buf;
        return t;
    }
    return parse_domain(s);
}

Target test_point(TargetKind kind, bool listed) {
    Target t;
    t.kind = kind;
    switch (kind) {
    case TargetKind::ipv4:
        t.bytes[0] = 127;
        t.bytes[3] = listed ? 2 : 1;
        t.text = listed ? "127.0.0.2" : "127.0.0.1";
        break;
    case TargetKind::ipv6:
        t.bytes[10] = 0xff;
        t.bytes[11] = 0xff;
        t.bytes[12] = 0x7f;
        t.bytes[15] = listed ? 2 : 1;
        t.text = listed ? "::ffff:7f00:2" : "::ffff:7f00:1";
        break;
    case TargetKind::domain:
        t.text = listed ? "test" : "invalid";
        break;
    }
    return t;
}

std::string ipv4_reversed(const Target& target) {
    std::string out;
    for (int i = 3; i >= 0; --i) {
        out += std::to_string(target.bytes[static_cast<std::size_t>(i)]);
        if (i) out += '.';
    }
    return out;
}

std::string ipv6_nibbles(const Target& target) {
    std::string out;
    out.reserve(63);
    for (int i = 15; i >= 0; --i) {
        unsigned b = target.bytes[static_cast<std::size_t>(i)];
        out += hex_digit(b & 0xf);
        out += '.';
        out += hex_digit(b >> 4);
        if (i) out += '.';
    }
    return out;
}

std::string registered_domain(std::string_view domain) {
    // Second-level labels under which ccTLD registries hand out third-level names (co.uk, com.au, ...).
    static constexpr std::string_view k_second_levels[] = {"co", "com", "net", "org", "gov", "edu", "ac",
                                                           "ne", "or", "go", "gob", "mil", "ltd", "plc",
                                                           "nic", "sch", "nhs", "gen", "biz", "info"};
    auto labels = split_labels(domain);
    if (labels.size() <= 2) return std::string(domain);
    std::size_t keep = 2;
    std::string_view tld = labels[labels.size() - 1];
    std::string_view sld = labels[labels.size() - 2];
    if (tld.size() == 2 && std::find(std::begin(k_second_levels), std::end(k_second_levels), sld) != std::end(k_second_levels))
        keep = 3;
    if (labels.size() <= keep) return std::string(domain);
    std::size_t pos = domain.size();
    for (std::size_t i = 0; i < keep; ++i) pos = domain.rfind('.', pos - 1);
    return std::string(domain.substr(pos + 1));
}

bool valid_dns_name(std::string_view name) {
    if (name.empty() || name.size() > k_max_name) return false;
    for (std::string_view label : split_labels(name)) {
        if (label.empty() || label.size() > k_max_label) return false;
        if (label.front() == '-' || label.back() == '-') return false;
        if (!std::all_of(label.begin(), label.end(), is_ldh)) return false;
    }
    return true;
}

std::expected<std::string, std::string> query_name(const Target& target, std::string_view zone, bool registered) {
    std::string prefix;
    switch (target.kind) {
    case TargetKind::ipv4: prefix = ipv4_reversed(target); break;
    case TargetKind::ipv6: prefix = ipv6_nibbles(target); break;
    case TargetKind::domain: prefix = registered ? registered_domain(target.text) : target.text; break;
    }
    std::string name = prefix + "." + lower(zone);
    if (!valid_dns_name(name))
        return std::unexpected("query name for " + target.text + " in zone " + std::string(zone) +
                               " is not a valid DNS name (too long or bad characters)");
    return name;
}

} // namespace ndr::agent::dnsbl
