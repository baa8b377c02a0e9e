// reverse_dns.cpp — see reverse_dns.hpp.
#include "agent/dnsbl/reverse_dns.hpp"

#include "agent/dnsbl/query_name.hpp"
#include "classifiers/text.hpp"

#include <algorithm>

namespace ndr::agent::dnsbl {
namespace {

constexpr std::size_t k_max_names = 3; // PTR names per address that get a forward lookup

std::string reverse_name(const Target& t) {
    return t.kind == TargetKind::ipv4 ? ipv4_reversed(t) + ".in-addr.arpa" : ipv6_nibbles(t) + ".ip6.arpa";
}

std::string failure(const Answer& a) {
    return a.detail.empty() ? std::string(to_string(a.status)) : a.detail;
}

} // namespace

std::vector<ReverseDns> reverse_dns(std::span<const std::string> ips, Resolver& resolver) {
    std::vector<Target> targets;
    for (const auto& ip : ips) {
        auto t = parse_target(ip);
        if (!t || t->kind == TargetKind::domain) continue;
        if (std::any_of(targets.begin(), targets.end(), [&](const Target& o) { return o.text == t->text; }))
            continue;
        targets.push_back(std::move(*t));
        if (targets.size() == k_max_reverse_lookups) break;
    }
    std::vector<ReverseDns> out(targets.size());
    std::vector<Query> ptr_queries;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        out[i].ip = targets[i].text;
        ptr_queries.push_back({reverse_name(targets[i]), QueryType::ptr});
    }
    const auto ptrs = resolver.resolve(ptr_queries);

    // Forward lookups of every usable PTR name: (address index, name) per query.
    std::vector<Query> forward;
    std::vector<std::pair<std::size_t, std::string>> asked;
    for (std::size_t i = 0; i < targets.size() && i < ptrs.size(); ++i) {
        const auto& a = ptrs[i];
        auto& r = out[i];
        if (a.status == AnswerStatus::nxdomain || a.status == AnswerStatus::nodata) {
            r.state = ReverseDns::State::no_ptr;
            continue;
        }
        if (a.status != AnswerStatus::answer) {
            r.detail = "PTR lookup: " + failure(a);
            continue;
        }
        std::size_t usable = 0;
        for (const auto& record : a.records) {
            const auto name = classifiers::to_lower_ascii(record);
            if (!valid_dns_name(name) || usable == k_max_names) continue;
            ++usable;
            forward.push_back({name, targets[i].kind == TargetKind::ipv4 ? QueryType::a : QueryType::aaaa});
            asked.emplace_back(i, name);
        }
        if (usable == 0) r.detail = "the PTR record is not a host name";
    }
    const auto answers = resolver.resolve(forward);
    for (std::size_t q = 0; q < asked.size() && q < answers.size(); ++q) {
        auto& r = out[asked[q].first];
        if (r.state == ReverseDns::State::confirmed) continue;
        const auto& a = answers[q];
        bool matches = false;
        if (a.status == AnswerStatus::answer)
            for (const auto& rec : a.records) {
                const auto t = parse_target(rec);
                matches = matches || (t && t->kind == targets[asked[q].first].kind &&
                                      t->bytes == targets[asked[q].first].bytes);
            }
        if (matches) {
            r.state = ReverseDns::State::confirmed;
            r.name = asked[q].second;
            r.detail.clear();
        } else if (r.name.empty()) {
            r.state = ReverseDns::State::mismatch;
            r.name = asked[q].second;
            if (a.status != AnswerStatus::answer) r.detail = "forward lookup: " + failure(a);
        }
    }
    return out;
}

std::string describe(const ReverseDns& r) {
    switch (r.state) {
    case ReverseDns::State::confirmed:
        return r.ip + " -> " + r.name + " (forward-confirmed)";
    case ReverseDns::State::mismatch:
        return r.ip + " -> " + r.name + " (NOT forward-confirmed: " +
               (r.detail.empty() ? "the name does not resolve back to this address" : r.detail) + ")";
    case ReverseDns::State::no_ptr:
        return r.ip + " -> (no PTR record)";
    case ReverseDns::State::failed:
        break;
    }
    return r.ip + " -> (not known: " + r.detail + ")";
}

} // namespace ndr::agent::dnsbl
