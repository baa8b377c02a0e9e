// checker.cpp — plans the queries of a check, sends them as one batch, and turns the answers into
// results. Work is linear in targets × lists (bounded by k_max_dnsbl_queries).
#include "agent/dnsbl/checker.hpp"
#include "agent/metrics.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include <nlohmann/json.hpp>

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::agent::dnsbl {
namespace {

using classifiers::rules::Blocklist;
using classifiers::rules::QueryForm;
using classifiers::rules::RuleSet;
using classifiers::rules::Zone;

constexpr std::string_view k_dqs_key_name = "spamhaus_dqs";
constexpr std::size_t k_max_txt_shown = 512;

QueryForm form_of(TargetKind kind) {
    switch (kind) {
    case TargetKind::ipv4: return QueryForm::ipv4;
    case TargetKind::ipv6: return QueryForm::ipv6;
    case TargetKind::domain: return QueryForm::domain;
    }
    return QueryForm::ipv4;
}

std::string scrub(std::string s, const std::string& key) {
    if (key.empty()) return s;
    for (int pass = 0; pass < 2; ++pass) {
        std::string needle = key;
        if (pass == 1)
            std::transform(needle.begin(), needle.end(), needle.begin(),
                           [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
        std::size_t pos = 0;
        while ((pos = s.find(needle, pos)) != std::string::npos) {
            s.replace(pos, needle.size(), "<key>");
            pos += 5;
        }
    }
    return s;
}

// What one (target, list) pair needs: either a note (not applicable) or a zone and query name.
struct Plan {
    std::string query_zone;   // with the key, if any
    std::string shown_zone;   // with "<key>"
    std::string qname;
    std::optional<std::size_t> a_index, txt_index;
    std::string health_key;
    std::string not_applicable;
};

struct Probe {
    const Blocklist* list = nullptr;
    std::string shown_zone;
    std::size_t listed_index = 0, unlisted_index = 0;
    HealthReport report;
};

class Batch {
public:
    std::size_t add(std::string name, QueryType type) {
        auto key = std::make_pair(name, type);
        auto it = m_index.find(key);
        if (it != m_index.end()) return it->second;
        std::size_t i = m_queries.size();
        m_queries.push_back(Query{std::move(name), type});
        m_index.emplace(std::move(key), i);
        return i;
    }
    const std::vector<Query>& queries() const { return m_queries; }

private:
    std::vector<Query> m_queries;
    std::map<std::pair<std::string, QueryType>, std::size_t> m_index;
};

const Zone* pick_zone(const Blocklist& list, QueryForm form, bool have_key) {
    const Zone* first = nullptr;
    for (const auto& z : list.zones) {
        if (std::find(z.forms.begin(), z.forms.end(), form) == z.forms.end()) continue;
        if (have_key && !z.keyed_name.empty()) return &z;
        if (!first) first = &z;
    }
    return first;
}

std::string kind_phrase(TargetKind kind) {
    switch (kind) {
    case TargetKind::ipv4: return "IPv4 addresses";
    case TargetKind::ipv6: return "IPv6 addresses";
    case TargetKind::domain: return "domain names";
    }
    return "?";
}

} // namespace

bool valid_dqs_key(std::string_view key) {
    if (key.size() < 8 || key.size() > 63) return false; // short keys would make scrubbing mangle output
    return std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
}

std::expected<CheckReport, std::string> run_check(const RuleSet& rules, std::span<const Target> targets,
                                                  const CheckOptions& options, Resolver& resolver) {
    if (!options.dqs_key.empty() && !valid_dqs_key(options.dqs_key))
        return std::unexpected(std::string("the DQS key must be 8..63 letters and digits"));
    const bool have_key = !options.dqs_key.empty();

    std::vector<const Blocklist*> lists;
    std::vector<bool> named;
    if (!options.lists.empty()) {
        for (const auto& id : options.lists) {
            const Blocklist* l = rules.find(id);
            if (!l) return std::unexpected("unknown list \"" + classifiers::sanitise(id, 100) + "\" (see `ndr-triage rules list`)");
            if (std::find(lists.begin(), lists.end(), l) != lists.end()) continue;
            lists.push_back(l);
            named.push_back(true);
        }
    } else {
        for (const auto& l : rules.lists) {
            if (l.zones.empty()) continue;
            lists.push_back(&l);
            named.push_back(false);
        }
    }

    Batch batch;
    std::map<std::tuple<std::string, std::string, int>, Probe> probes; // (list, query zone, form)
    std::vector<Plan> plans;
    plans.reserve(targets.size() * lists.size());
    for (const auto& target : targets) {
        for (std::size_t li = 0; li < lists.size(); ++li) {
            const Blocklist& list = *lists[li];
            Plan p;
            const QueryForm form = form_of(target.kind);
            const Zone* zone = pick_zone(list, form, have_key);
            const bool key_usable = list.policy.key_name.empty() || list.policy.key_name == k_dqs_key_name;
            if (list.zones.empty()) {
                p.not_applicable = "no DNS zone (this system cannot be queried)";
            } else if (list.defunct && !named[li]) {
                p.not_applicable = "defunct: " + list.defunct_note;
            } else if (!zone) {
                p.not_applicable = "this list does not take " + kind_phrase(target.kind);
            } else if (list.policy.needs_key && (!have_key || zone->keyed_name.empty() || !key_usable)) {
                p.not_applicable = "needs a key (" + (list.policy.key_name.empty() ? std::string("spamhaus_dqs") : list.policy.key_name) +
                                   "; set --dqs-key-file or dns.spamhaus_dqs_key_file)";
            } else {
                if (have_key && key_usable && !zone->keyed_name.empty()) {
                    p.query_zone = options.dqs_key + "." + zone->keyed_name;
                    p.shown_zone = "<key>." + zone->keyed_name;
                } else {
                    p.query_zone = zone->name;
                    p.shown_zone = zone->name;
                }
                auto qn = query_name(target, p.query_zone, zone->registered_domain);
                if (!qn) {
                    p.not_applicable = scrub(qn.error(), options.dqs_key);
                } else {
                    p.qname = *qn;
                    p.a_index = batch.add(p.qname, QueryType::a);
                    p.txt_index = batch.add(p.qname, QueryType::txt);
                    if (options.probe_health) {
                        auto key = std::make_tuple(list.id, p.query_zone, static_cast<int>(form));
                        if (!probes.contains(key)) {
                            auto pos = query_name(test_point(target.kind, true), p.query_zone);
                            auto neg = query_name(test_point(target.kind, false), p.query_zone);
                            if (pos && neg) {
                                Probe probe;
                                probe.list = &list;
                                probe.shown_zone = p.shown_zone;
                                probe.listed_index = batch.add(*pos, QueryType::a);
                                probe.unlisted_index = batch.add(*neg, QueryType::a);
                                probes.emplace(key, probe);
                            }
                        }
                        p.health_key = list.id + "\n" + p.query_zone + "\n" + std::to_string(static_cast<int>(form));
                    }
                }
            }
            plans.push_back(std::move(p));
            if (batch.queries().size() > classifiers::k_max_dnsbl_queries)
                return std::unexpected("too many queries for one check (more than " +
                                       std::to_string(classifiers::k_max_dnsbl_queries) + "): check fewer targets or lists");
        }
    }

    std::vector<Answer> answers = resolver.resolve(batch.queries());
    answers.resize(batch.queries().size()); // a short answer list from a broken Resolver reads as errors

    std::map<std::string, const Probe*> health;
    for (auto& [key, probe] : probes) {
        probe.report = assess_zone(*probe.list, answers[probe.listed_index], answers[probe.unlisted_index]);
        health[std::get<0>(key) + "\n" + std::get<1>(key) + "\n" + std::to_string(std::get<2>(key))] = &probe;
    }

    CheckReport report;
    report.queries = batch.queries().size();
    std::size_t pi = 0;
    for (const auto& target : targets) {
        for (const Blocklist* list : lists) {
            const Plan& p = plans[pi++];
            CheckResult r;
            r.target = target.text;
            r.list = list->id;
            r.zone = p.shown_zone;
            if (!p.a_index) {
                r.outcome = Outcome::not_applicable;
                r.note = classifiers::sanitise(p.not_applicable, 300);
                report.results.push_back(std::move(r));
                continue;
            }
            const Answer& a = answers[*p.a_index];
            Interpretation in = interpret_answer(*list, a);
            r.outcome = in.outcome;
            for (auto& c : in.codes) r.codes.push_back(classifiers::sanitise(c, 64));
            r.meanings = std::move(in.meanings);
            r.sublists = std::move(in.sublists);
            r.ttl = in.ttl;
            r.cached = a.cached;
            r.allow = in.allow;
            r.resolver_rewrites = in.resolver_rewrites;
            r.fix_first = in.fix_first;
            r.note = classifiers::sanitise(scrub(in.detail, options.dqs_key), 300);
            if (r.outcome == Outcome::listed || r.outcome == Outcome::query_refused || r.allow) {
                const Answer& t = answers[*p.txt_index];
                if (t.status == AnswerStatus::answer)
                    for (const auto& s : t.records)
                        r.txt.push_back(classifiers::sanitise(scrub(s, options.dqs_key), k_max_txt_shown));
            }
            if (auto it = health.find(p.health_key); it != health.end()) {
                const HealthReport& h = it->second->report;
                r.zone_health = std::string(to_string(h.health));
                if ((h.health == ZoneHealth::lists_everything && r.outcome == Outcome::listed) ||
                    (h.health == ZoneHealth::lists_nothing && r.outcome == Outcome::not_listed)) {
                    r.untrusted = true;
                    r.note = r.note.empty() ? h.detail : r.note + "; " + h.detail;
                }
            }
            report.results.push_back(std::move(r));
        }
    }
    for (const auto& r : report.results) metrics::count_dnsbl_lookup(r.outcome); // Prometheus textfile
    return report;
}

int check_exit_code(const CheckReport& report) {
    bool listed = false, failed = false;
    for (const auto& r : report.results) {
        if (r.outcome == Outcome::listed && !r.untrusted) listed = true;
        if (r.outcome == Outcome::lookup_failed || r.outcome == Outcome::query_refused || r.untrusted) failed = true;
    }
    if (listed) return 1;
    if (failed) return 2;
    return 0;
}

std::string format_json(const CheckReport& report) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : report.results) {
        nlohmann::json o;
        o["target"] = r.target;
        o["list"] = r.list;
        o["zone"] = r.zone;
        o["outcome"] = std::string(to_string(r.outcome));
        o["codes"] = r.codes;
        o["meanings"] = r.meanings;
        o["txt"] = r.txt;
        o["ttl"] = r.ttl;
        o["cached"] = r.cached;
        o["untrusted"] = r.untrusted;
        o["allow"] = r.allow;
        o["resolver_rewrites"] = r.resolver_rewrites;
        o["fix_first"] = r.fix_first;
        o["sublists"] = r.sublists;
        o["zone_health"] = r.zone_health;
        o["note"] = r.note;
        arr.push_back(std::move(o));
    }
    return arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string format_text(const CheckReport& report) {
    std::size_t wt = 6, wl = 4, wz = 4, wo = 7;
    for (const auto& r : report.results) {
        wt = std::max(wt, r.target.size());
        wl = std::max(wl, r.list.size());
        wz = std::max(wz, r.zone.size());
        wo = std::max(wo, to_string(r.outcome).size() + (r.untrusted ? 11 : 0));
    }
    auto pad = [](std::string s, std::size_t w) {
        if (s.size() < w) s.append(w - s.size(), ' ');
        return s;
    };
    std::string out = pad("TARGET", wt) + "  " + pad("LIST", wl) + "  " + pad("ZONE", wz) + "  " + pad("OUTCOME", wo) + "  DETAIL\n";
    for (const auto& r : report.results) {
        std::string outcome(to_string(r.outcome));
        if (r.untrusted) outcome += " untrusted";
        std::string detail;
        for (std::size_t i = 0; i < r.codes.size(); ++i) detail += (i ? ", " : "") + r.codes[i];
        if (!r.meanings.empty()) {
            detail += detail.empty() ? "" : " ";
            detail += "(";
            for (std::size_t i = 0; i < r.meanings.size(); ++i) detail += (i ? "; " : "") + r.meanings[i];
            detail += ")";
        }
        if (r.allow) detail += detail.empty() ? "allow-list entry" : " allow-list entry";
        if (r.fix_first) detail += " [fix first: infected or abused host]";
        if (!r.note.empty()) detail += (detail.empty() ? "" : " ") + std::string("- ") + r.note;
        if (r.cached) detail += " [cached]";
        out += pad(r.target, wt) + "  " + pad(r.list, wl) + "  " + pad(r.zone.empty() ? "-" : r.zone, wz) + "  " +
               pad(outcome, wo) + "  " + detail + "\n";
        for (const auto& t : r.txt) out += std::string(wt + 2, ' ') + "TXT \"" + t + "\"\n";
    }
    return out;
}

} // namespace ndr::agent::dnsbl
