// listed.cpp — see listed.hpp. Input is hostile NDR text (bounded by the callers' caps and by the
// length checks here); inet_pton/inet_ntop and libidn2 are pure functions, no I/O.
#include "classifiers/rules/listed.hpp"

#include <arpa/inet.h>
#include <idn2.h>

#include <cstdlib>

#include "classifiers/text.hpp"

namespace ndr::classifiers::rules {

namespace {

constexpr std::size_t k_max_domain_bytes = 253;
constexpr std::size_t k_max_ipv6_text_bytes = 64;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

} // namespace

std::string normalise_ipv4(std::string_view s) {
    if (s.size() < 7 || s.size() > 15) return {};
    int octets = 0;
    std::size_t i = 0;
    while (true) {
        std::size_t start = i;
        int value = 0;
        while (i < s.size() && is_digit(s[i]) && i - start < 3) value = value * 10 + (s[i++] - '0');
        std::size_t len = i - start;
        if (len == 0 || value > 255 || (len > 1 && s[start] == '0')) return {};
        ++octets;
        if (i == s.size()) break;
        if (s[i] != '.' || octets == 4) return {};
        ++i;
    }
    return octets == 4 ? std::string(s) : std::string();
}

std::string normalise_ipv6(std::string_view s) {
    if (istarts_with(s, "ipv6:")) s.remove_prefix(5);
    if (s.size() < 2 || s.size() > k_max_ipv6_text_bytes || s.find(':') == std::string_view::npos) return {};
    for (char c : s)
        if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.')) return {};
    std::string text(s);
    unsigned char bytes[16];
    if (inet_pton(AF_INET6, text.c_str(), bytes) != 1) return {};
    char out[INET6_ADDRSTRLEN];
    if (inet_ntop(AF_INET6, bytes, out, sizeof out) == nullptr) return {};
    return out;
}

std::string normalise_ip(std::string_view s) {
    std::string v4 = normalise_ipv4(s);
    return v4.empty() ? normalise_ipv6(s) : v4;
}

std::string normalise_domain(std::string_view s) {
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
    if (s.empty() || s.size() > k_max_domain_bytes * 4) return {};
    std::string name;
    bool ascii = true;
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    if (ascii) {
        name = to_lower_ascii(s);
    } else {
        std::string in(s);
        char* out = nullptr;
        if (idn2_lookup_u8(reinterpret_cast<const uint8_t*>(in.c_str()), reinterpret_cast<uint8_t**>(&out),
                           IDN2_NONTRANSITIONAL) != IDN2_OK ||
            out == nullptr) {
            idn2_free(out);
            return {};
        }
        name = to_lower_ascii(out);
        idn2_free(out);
    }
    if (name.size() > k_max_domain_bytes) return {};
    std::size_t labels = 0;
    std::size_t start = 0;
    std::string_view last;
    while (start <= name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        std::string_view label(name.data() + start, dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return {};
        for (char c : label)
            if (!(is_alpha(c) || is_digit(c) || c == '-')) return {};
        ++labels;
        last = label;
        start = dot + 1;
    }
    if (labels < 2) return {};
    bool alpha_tld = true;
    for (char c : last)
        if (!is_alpha(c)) alpha_tld = false;
    if (!alpha_tld && !istarts_with(last, "xn--")) return {};
    return name;
}

bool is_ipv4_or_cidr(std::string_view s, bool* is_cidr) {
    std::size_t slash = s.find('/');
    if (is_cidr) *is_cidr = slash != std::string_view::npos;
    if (slash == std::string_view::npos) return !normalise_ipv4(s).empty();
    if (normalise_ipv4(s.substr(0, slash)).empty()) return false;
    std::string_view len = s.substr(slash + 1);
    if (len.empty() || len.size() > 2 || (len.size() == 2 && len[0] == '0')) return false;
    int value = 0;
    for (char c : len) {
        if (!is_digit(c)) return false;
        value = value * 10 + (c - '0');
    }
    return value <= 32;
}

} // namespace ndr::classifiers::rules
