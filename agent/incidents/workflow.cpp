// workflow.cpp — incident checks, status rules and drafts after a pass (see workflow.hpp).
#include "agent/incidents/workflow.hpp"

#include "agent/dnsbl/cares_resolver.hpp"
#include "agent/dnsbl/checker.hpp"
#include "agent/dnsbl/query_name.hpp"
#include "agent/dnsbl/reverse_dns.hpp"
#include "agent/drafts/plan.hpp"
#include "agent/scan.hpp"
#include "classifiers/text.hpp"

#include "agent/sources/imap_drafts.hpp"

#include <algorithm>
#include <map>

namespace ndr::agent::incidents {

namespace {

std::string s(std::string_view text) {
    return classifiers::sanitise(text, 512);
}

bool active(std::string_view status) {
    return status == "open" || status == "fix-first" || status == "requested" || status == "waiting";
}

// The DNSBL state of one incident's listed IP or domain in its own list, or "" when it cannot be
// checked (no zone, nothing listed, not a valid target).
struct DnsState {
    std::string state;
    std::string detail;
};

DnsState check_listing(const classifiers::rules::RuleSet& rules, const classifiers::rules::Blocklist& list,
                       std::string_view listed, dnsbl::Resolver& resolver) {
    if (list.zones.empty() || listed.empty()) return {};
    auto target = dnsbl::parse_target(listed);
    if (!target) return {};
    dnsbl::CheckOptions options;
    options.lists = {list.id};
    auto report = dnsbl::run_check(rules, std::span<const dnsbl::Target>(&*target, 1), options, resolver);
    if (!report) return {"lookup-failed", s(report.error())};
    DnsState out;
    for (const auto& r : report->results) {
        if (r.list != list.id) continue;
        std::string state(dnsbl::to_string(r.outcome));
        if (r.outcome == dnsbl::Outcome::listed && r.untrusted) state = "untrusted";
        // Any zone of the list that lists it wins; else the most informative other outcome.
        if (out.state.empty() || state == "listed" || (out.state != "listed" && state == "not-listed")) {
            out.state = state;
            std::string detail = r.zone;
            if (!r.codes.empty()) detail += " " + r.codes.front();
            if (!r.meanings.empty()) detail += " (" + r.meanings.front() + ")";
            if (!r.note.empty()) detail += "; " + r.note;
            out.detail = s(detail);
        }
    }
    return out;
}

} // namespace

// The FCrDNS of the incident's IPs (the listed one first), for the draft's evidence. `seen` holds the
// lines of the IPs already looked up in this pass: one IP is often named by several incidents.
using ReverseDnsSeen = std::map<std::string, std::string>; // normalised IP -> describe() line
void look_up_reverse_dns(store::IncidentDetail& detail, dnsbl::Resolver& resolver, ReverseDnsSeen& seen) {
    std::vector<std::string> ips; // normalised, in order, no domains, no repeats
    const auto add = [&ips](const std::string& text) {
        const auto t = dnsbl::parse_target(text);
        if (t && t->kind != dnsbl::TargetKind::domain && std::find(ips.begin(), ips.end(), t->text) == ips.end() &&
            ips.size() < dnsbl::k_max_reverse_lookups)
            ips.push_back(t->text);
    };
    add(detail.summary.listed);
    for (const auto& ip : detail.sending_ips)
        add(ip);
    std::vector<std::string> missing;
    for (const auto& ip : ips)
        if (!seen.contains(ip)) missing.push_back(ip);
    for (const auto& r : dnsbl::reverse_dns(missing, resolver))
        seen[r.ip] = dnsbl::describe(r);
    for (const auto& ip : ips)
        if (const auto it = seen.find(ip); it != seen.end()) detail.reverse_dns.push_back(it->second);
}

std::expected<std::unique_ptr<dnsbl::Resolver>, std::string> make_incident_resolver(const Config& config) {
    if (config.dns.resolvers.empty()) return std::unique_ptr<dnsbl::Resolver>();
    dnsbl::CaresOptions options;
    options.servers = config.dns.resolvers;
    options.timeout_ms = config.dns.timeout_ms;
    auto r = dnsbl::CaresResolver::create(options);
    if (!r) return std::unexpected(r.error());
    return std::unique_ptr<dnsbl::Resolver>(std::move(*r));
}

WorkflowResult update_incidents(store::Store& db, const Config& config,
                                const classifiers::rules::RuleSet* rules, dnsbl::Resolver* resolver,
                                std::int64_t now) {
    WorkflowResult out;
    const auto mid_domain = drafts::message_id_domain(config.identity);
    ReverseDnsSeen reverse_dns_seen;
    for (const auto& summary : db.incident_rows(true)) { // the breakdowns come with incident_detail()
        if (!active(summary.status)) continue;
        ++out.incidents;
        const std::string name = s(summary.system) + (summary.listed.empty() ? "" : " " + s(summary.listed));
        const auto* list = rules ? rules->find(summary.system) : nullptr;
        bool ever_listed = summary.ever_listed;
        if (resolver != nullptr && list != nullptr) {
            const auto dns = check_listing(*rules, *list, summary.listed, *resolver);
            if (!dns.state.empty()) {
                ++out.checked;
                if (dns.state != summary.dnsbl_state)
                    out.log.push_back("incident " + std::to_string(summary.id) + " " + name + ": DNSBL " +
                                      dns.state);
                db.set_dnsbl_state(summary.id, dns.state, dns.detail, now);
                ever_listed = ever_listed || dns.state == "listed";
                if (dns.state == "not-listed" && ever_listed) {
                    db.set_incident_status(summary.id, "resolved", "the listing has cleared (DNSBL re-check)",
                                           now);
                    ++out.resolved;
                    ++out.status_changes;
                    out.log.push_back("incident " + std::to_string(summary.id) + " " + name +
                                      ": resolved, listing cleared");
                    continue;
                }
            }
        }
        auto detail = db.incident_detail(summary.id);
        if (!detail) continue;
        if (resolver != nullptr) look_up_reverse_dns(*detail, *resolver, reverse_dns_seen);
        const auto plan = drafts::plan_incident(*detail, list, config.identity);
        std::string status = summary.status;
        const auto change = [&](std::string_view to, std::string_view why) {
            if (db.set_incident_status(summary.id, to, why, now)) {
                ++out.status_changes;
                out.log.push_back("incident " + std::to_string(summary.id) + " " + name + ": " + status +
                                  " -> " + std::string(to));
                status = to;
            }
        };
        if (plan.waiting_for_fix && status == "open") {
            change("fix-first",
                   "the listing means an infected or abused host: fix it, then `incidents fixed`");
        } else if (!plan.waiting_for_fix && status == "fix-first") {
            change("open", "remediation recorded");
        }
        if (plan.action == "expiry" && !plan.waiting_for_fix && status == "open")
            change("waiting", plan.note);
        if (plan.has_draft && status != "requested") {
            const auto [id, what] = db.upsert_draft(summary.id, plan.text, mid_domain, now);
            if (what == store::DraftUpsert::created) {
                ++out.drafts_created;
                out.log.push_back("incident " + std::to_string(summary.id) + " " + name + ": draft " +
                                  std::to_string(id) + " (" + plan.action + ") written for review");
            } else if (what == store::DraftUpsert::updated) {
                ++out.drafts_updated;
                out.log.push_back("incident " + std::to_string(summary.id) + " " + name + ": draft " +
                                  std::to_string(id) + " updated with the new evidence");
            }
        }
    }
    return out;
}

WorkflowResult after_pass(store::Store& db, const Config& config, const classifiers::rules::RuleSet* rules,
                          bool imap_drafts, std::int64_t now) {
    auto resolver = make_incident_resolver(config);
    WorkflowResult out;
    if (!resolver) {
        out = update_incidents(db, config, rules, nullptr, now);
        out.log.push_back("no DNSBL check of incidents: " + s(resolver.error()));
    } else {
        out = update_incidents(db, config, rules, resolver->get(), now);
    }
    if (imap_drafts)
        for (auto& e : sync_drafts_to_imap(db, config, now))
            out.log.push_back(std::move(e));
    return out;
}

std::vector<std::string> sync_drafts_to_imap(store::Store& db, const Config& config, std::int64_t now) {
    std::vector<std::string> errors;
    if (config.imap.host.empty()) return errors;
    for (const auto& d : db.drafts(true)) {
        if (d.status == "rejected" || d.status == "sent") {
            // Out of review: its copy leaves the Drafts folder, so no mail client offers it again.
            if (d.imap_message_id.empty()) continue;
            if (auto removed = remove_draft(config, d.imap_message_id); !removed) {
                errors.push_back("draft " + std::to_string(d.id) + ": IMAP Drafts: " + s(removed.error()));
                continue;
            }
            db.set_draft_imap_copy(d.id, "");
            continue;
        }
        if (d.message_id.empty() || d.imap_message_id == d.message_id) continue;
        const auto message = drafts::compose_message(d, config.identity, now);
        auto stored = store_draft(config, message, d.imap_message_id);
        if (!stored) {
            errors.push_back("draft " + std::to_string(d.id) + ": IMAP Drafts: " + s(stored.error()));
            continue;
        }
        db.set_draft_imap_copy(d.id, d.message_id);
    }
    return errors;
}

} // namespace ndr::agent::incidents
