// interpret.cpp — return-code decoding and outcome rules (see interpret.hpp). Linear in the number of
// records (already capped by dns_message.cpp) times the number of codes of the list.
#include "agent/dnsbl/interpret.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>

namespace ndr::agent::dnsbl {
namespace {

using classifiers::rules::Blocklist;
using classifiers::rules::CodeOutcome;
using classifiers::rules::ReturnCode;

std::optional<std::uint32_t> parse_ipv4(std::string_view s) {
    if (s.size() > 15) return std::nullopt;
    std::string str(s);
    in_addr a{};
    if (inet_pton(AF_INET, str.c_str(), &a) != 1) return std::nullopt;
    return ntohl(a.s_addr);
}

// "a.b.c.d" (prefix 32) or "a.b.c.d/len".
std::optional<std::pair<std::uint32_t, int>> parse_code(std::string_view code) {
    int prefix = 32;
    auto slash = code.find('/');
    if (slash != std::string_view::npos) {
        std::string_view len = code.substr(slash + 1);
        if (len.empty() || len.size() > 2) return std::nullopt;
        prefix = 0;
        for (char c : len) {
            if (c < '0' || c > '9') return std::nullopt;
            prefix = prefix * 10 + (c - '0');
        }
        if (prefix > 32) return std::nullopt;
        code = code.substr(0, slash);
    }
    auto addr = parse_ipv4(code);
    if (!addr) return std::nullopt;
    return std::pair{*addr, prefix};
}

bool in_prefix(std::uint32_t addr, std::uint32_t net, int prefix) {
    if (prefix == 0) return true;
    std::uint32_t mask = prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
    return (addr & mask) == (net & mask);
}

CodeMeaning from_code(std::string_view answer, const ReturnCode& c) {
    CodeMeaning m;
    m.code = std::string(answer);
    m.meaning = c.meaning;
    m.outcome = c.outcome;
    m.sublist = c.sublist;
    m.fix_first = c.fix_first;
    return m;
}

CodeMeaning unknown(std::string_view answer) {
    CodeMeaning m;
    m.code = std::string(answer);
    m.meaning = std::string(k_meaning_unknown);
    m.known = false;
    return m;
}

} // namespace

std::string_view to_string(Outcome outcome) {
    switch (outcome) {
    case Outcome::listed: return "listed";
    case Outcome::not_listed: return "not-listed";
    case Outcome::lookup_failed: return "lookup-failed";
    case Outcome::query_refused: return "query-refused";
    case Outcome::not_applicable: return "not-applicable";
    }
    return "?";
}

std::string_view to_string(ZoneHealth health) {
    switch (health) {
    case ZoneHealth::ok: return "ok";
    case ZoneHealth::lists_everything: return "lists-everything";
    case ZoneHealth::lists_nothing: return "lists-nothing";
    case ZoneHealth::unknown: return "unknown";
    }
    return "?";
}

std::vector<CodeMeaning> decode_code(const Blocklist& list, std::string_view address) {
    auto addr = parse_ipv4(address);
    if (!addr) return {};
    if ((*addr >> 24) != 127) {
        CodeMeaning m;
        m.code = std::string(address);
        m.meaning = std::string(k_meaning_rewrite);
        m.outcome = CodeOutcome::error;
        m.resolver_rewrites = true;
        return {m};
    }
    const bool bitmask = list.policy.bitmask ||
                         std::any_of(list.codes.begin(), list.codes.end(), [](const ReturnCode& c) { return c.bit; });

    // Exact codes first, then the longest matching CIDR.
    const ReturnCode* best = nullptr;
    int best_prefix = -1;
    for (const auto& c : list.codes) {
        if (c.bit) continue;
        auto parsed = parse_code(c.code);
        if (!parsed) continue;
        if (in_prefix(*addr, parsed->first, parsed->second) && parsed->second > best_prefix) {
            best = &c;
            best_prefix = parsed->second;
        }
    }
    if (best) return {from_code(address, *best)};

    if (bitmask && (*addr >> 8) == 0x7f0000u) {
        std::uint32_t value = *addr & 0xffu;
        std::uint32_t left = value;
        std::vector<CodeMeaning> out;
        for (const auto& c : list.codes) {
            if (!c.bit) continue;
            auto parsed = parse_code(c.code);
            if (!parsed) continue;
            std::uint32_t bit = parsed->first & 0xffu;
            if (bit && (value & bit) == bit) {
                out.push_back(from_code(address, c));
                left &= ~bit;
            }
        }
        if (left || out.empty()) out.push_back(unknown(address));
        return out;
    }
    if (*addr == 0x7f000001u) {
        CodeMeaning m;
        m.code = std::string(address);
        m.meaning = std::string(k_meaning_loopback);
        m.outcome = CodeOutcome::error;
        m.known = false;
        return {m};
    }
    return {unknown(address)};
}

Interpretation interpret_answer(const Blocklist& list, const Answer& a) {
    Interpretation r;
    r.ttl = a.ttl;
    switch (a.status) {
    case AnswerStatus::nxdomain:
    case AnswerStatus::nodata: r.outcome = Outcome::not_listed; return r;
    case AnswerStatus::timeout: r.outcome = Outcome::lookup_failed; r.detail = "timeout"; return r;
    case AnswerStatus::servfail: r.outcome = Outcome::lookup_failed; r.detail = "SERVFAIL"; return r;
    case AnswerStatus::refused: r.outcome = Outcome::lookup_failed; r.detail = "REFUSED"; return r;
    case AnswerStatus::error:
        r.outcome = Outcome::lookup_failed;
        r.detail = a.detail.empty() ? std::string("lookup error") : a.detail;
        return r;
    case AnswerStatus::answer: break;
    }

    bool any_error = false, any_listed = false, any_allow = false;
    for (const auto& rec : a.records) {
        auto meanings = decode_code(list, rec);
        if (meanings.empty()) continue;
        r.codes.push_back(rec);
        for (const auto& m : meanings) {
            if (std::find(r.meanings.begin(), r.meanings.end(), m.meaning) == r.meanings.end())
                r.meanings.push_back(m.meaning);
            if (!m.sublist.empty() && std::find(r.sublists.begin(), r.sublists.end(), m.sublist) == r.sublists.end())
                r.sublists.push_back(m.sublist);
            if (m.resolver_rewrites) r.resolver_rewrites = true;
            switch (m.outcome) {
            case CodeOutcome::error: any_error = true; break;
            case CodeOutcome::allow: any_allow = true; break;
            case CodeOutcome::listed:
                any_listed = true;
                if (m.fix_first) r.fix_first = true;
                break;
            }
        }
    }
    if (r.codes.empty()) {
        r.outcome = Outcome::lookup_failed;
        r.detail = "malformed answer";
    } else if (any_error) {
        r.outcome = Outcome::query_refused;
        r.fix_first = false;
    } else if (any_listed) {
        r.outcome = Outcome::listed;
        if (list.fix_first) r.fix_first = true;
    } else {
        r.outcome = Outcome::not_listed;
        r.allow = any_allow;
    }
    return r;
}

HealthReport assess_zone(const Blocklist& list, const Answer& listed_probe, const Answer& unlisted_probe) {
    Interpretation pos = interpret_answer(list, listed_probe);
    Interpretation neg = interpret_answer(list, unlisted_probe);
    HealthReport h;
    // An allow-list answers its test points with allow codes: those count as "listed" here.
    const bool pos_listed = pos.outcome == Outcome::listed || pos.allow;
    const bool neg_listed = neg.outcome == Outcome::listed || neg.allow;
    if (neg_listed) {
        h.health = ZoneHealth::lists_everything;
        h.detail = "the never-listed RFC 5782 test point is listed: the zone lists everything";
    } else if (pos.outcome == Outcome::not_listed && !pos_listed) {
        h.health = ZoneHealth::lists_nothing;
        h.detail = "the always-listed RFC 5782 test point is not listed: the zone lists nothing (dead or defunct?)";
    } else if (pos_listed && neg.outcome == Outcome::not_listed) {
        h.health = ZoneHealth::ok;
    } else {
        h.health = ZoneHealth::unknown;
        const Interpretation& bad = !pos_listed ? pos : neg;
        h.detail = "test point " + std::string(to_string(bad.outcome)) + (bad.detail.empty() ? "" : ": " + bad.detail);
    }
    return h;
}

} // namespace ndr::agent::dnsbl
