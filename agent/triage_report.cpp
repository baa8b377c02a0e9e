// triage_report.cpp — builds the triage report from the store and the rule set; renders text and JSON.
#include "agent/triage_report.hpp"

#include "agent/drafts/plan.hpp"
#include "classifiers/text.hpp"

#include <algorithm>
#include <unordered_map>

namespace ndr::agent {

namespace {

std::string s(std::string_view text) { return classifiers::sanitise(text, 512); }

std::string postmaster_hint(const store::IncidentSummary& incident) {
    if (incident.recipient_domains.empty()) return "the rejecting site's postmaster";
    std::string out;
    const std::size_t n = std::min<std::size_t>(incident.recipient_domains.size(), 3);
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) out += ", ";
        out += "postmaster@" + s(incident.recipient_domains[i].first);
    }
    if (incident.recipient_domains.size() > n) out += ", ...";
    return out;
}

nlohmann::json counts_json(const store::Counts& counts, std::size_t max = SIZE_MAX) {
    nlohmann::json out = nlohmann::json::object();
    std::size_t i = 0;
    for (const auto& [name, n] : counts) {
        if (i++ >= max) break;
        out[s(name)] = n;
    }
    return out;
}

std::string counts_text(const store::Counts& counts, std::size_t max) {
    std::string out;
    std::size_t i = 0;
    for (const auto& [name, n] : counts) {
        if (i == max) {
            out += ", ... (" + std::to_string(counts.size() - max) + " more)";
            break;
        }
        if (i++ > 0) out += ", ";
        out += s(name) + " (" + std::to_string(n) + ")";
    }
    return out.empty() ? "-" : out;
}

std::string day(std::int64_t t) { return t > 0 ? format_utc(t) : "-"; }

} // namespace

NextStep next_step_for(const store::IncidentSummary& incident, const classifiers::rules::Blocklist* list) {
    NextStep next;
    const std::string who = postmaster_hint(incident);
    if (incident.records > 0 && incident.resolver_errors >= incident.records) {
        next.action = "receiver-resolver";
        next.text = "Not a listing: the receiving site's DNS resolver was refused by the list. The fix is the "
                    "receiver's; tell " + who + " (their resolver must not query it through a public DNS service).";
        return next;
    }
    if (list == nullptr) {
        next.action = "unknown";
        next.text = "Unknown or private block: write to " + who +
                    " with the rejection text, our sending IP and the time, and ask why the mail was refused.";
        return next;
    }
    const std::string name = s(list->name.empty() ? list->id : list->name);
    if (list->defunct) {
        next.action = "defunct";
        next.text = name + " no longer exists (" + s(list->defunct_note) + "); a site still querying it rejects " +
                    "everyone. Tell " + who + " to stop using it.";
        return next;
    }
    next.fix_first = list->fix_first;
    if (next.fix_first) next.checklist = drafts::remediation_checklist();
    const auto& r = list->removal;
    next.url = s(r.url);
    next.address = s(r.address);
    next.expiry_hours = r.expiry_hours;
    const std::string prefix = next.fix_first ? "Fix first (the listing means a host of ours sent spam or malware "
                                                "traffic), then "
                                              : "Fix the cause, then ";
    switch (r.method) {
    case classifiers::rules::RemovalMethod::form:
        next.action = "form";
        next.text = prefix + "request removal with " + name + "'s form" + (next.url.empty() ? "" : ": " + next.url) + ".";
        break;
    case classifiers::rules::RemovalMethod::email:
        next.action = "email";
        next.text = prefix + "ask " + name + " for removal by email" +
                    (next.address.empty() ? "" : " to " + next.address) + ".";
        break;
    case classifiers::rules::RemovalMethod::expiry:
        next.action = "expiry";
        next.text = prefix + "wait: " + name + " listings expire automatically" +
                    (r.expiry_hours > 0 ? " after about " + std::to_string(r.expiry_hours) + " hours" : "") +
                    "; nothing to request.";
        break;
    case classifiers::rules::RemovalMethod::none:
        next.action = "none";
        next.text = prefix + "note that " + name + " has no removal procedure (reputation): ask " + who +
                    " for a temporary allow-listing.";
        break;
    case classifiers::rules::RemovalMethod::provider:
        next.action = "provider";
        next.text = prefix + "use " + name + "'s sender support" +
                    (!next.url.empty() ? ": " + next.url : !next.address.empty() ? ": " + next.address : "") + ".";
        break;
    }
    return next;
}

TriageReportParts read_triage_report_parts(const ScanResult& pass, store::Store& db) {
    TriageReportParts parts;
    parts.reasons = db.reasons(pass.new_message_ids);
    parts.message_totals = db.message_totals();
    parts.incidents = db.incidents(true, pass.new_message_ids);
    return parts;
}

namespace {

// The open incidents with their breakdowns: from `parts` where they hold the incident, the rest read.
std::vector<store::IncidentSummary> open_incidents(const ScanResult* pass, store::Store& db,
                                                   const TriageReportParts* parts) {
    const auto& recent = pass ? pass->new_message_ids : std::vector<std::int64_t>{};
    if (parts == nullptr) return db.incidents(true, recent);
    std::unordered_map<std::int64_t, const store::IncidentSummary*> read;
    for (const auto& i : parts->incidents)
        read.emplace(i.id, &i);
    auto out = db.incident_rows(true);
    for (auto& i : out) {
        const auto it = read.find(i.id);
        if (it == read.end()) {
            db.fill_incident_breakdowns(i, recent);
            continue;
        }
        i.recipient_domains = it->second->recipient_domains;
        i.reasons = it->second->reasons;
        i.providers = it->second->providers;
        i.remote_mtas = it->second->remote_mtas;
        i.new_bounces = it->second->new_bounces;
    }
    return out;
}

} // namespace

TriageReport build_triage_report(const ScanResult* pass, store::Store& db,
                                 const classifiers::rules::RuleSet* rules, const TriageReportParts* parts) {
    TriageReport report;
    if (pass == nullptr) parts = nullptr;
    if (pass != nullptr) {
        report.has_pass = true;
        report.pass = *pass;
        report.reasons = parts ? parts->reasons : db.reasons(pass->new_message_ids);
    } else {
        report.reasons = db.reasons({}, true);
    }
    report.totals = parts ? parts->message_totals : db.message_totals();
    db.add_incident_totals(report.totals);
    for (auto& incident : open_incidents(pass, db, parts)) {
        IncidentReport ir;
        const auto* list = rules ? rules->find(incident.system) : nullptr;
        if (list != nullptr) {
            ir.name = list->name;
            ir.kind = std::string(classifiers::rules::to_string(list->kind));
        } else {
            ir.kind = "unknown";
        }
        if (!incident.providers.empty()) ir.provider = incident.providers.front().first;
        else if (list != nullptr && list->kind == classifiers::rules::ListKind::provider_internal) ir.provider = list->id;
        ir.next = next_step_for(incident, list);
        ir.incident = std::move(incident);
        report.incidents.push_back(std::move(ir));
    }
    return report;
}

nlohmann::json incident_json(const IncidentReport& ir) {
    const auto& i = ir.incident;
    nlohmann::json next{{"action", ir.next.action}, {"text", ir.next.text}, {"fix_first", ir.next.fix_first}};
    if (!ir.next.url.empty()) next["url"] = ir.next.url;
    if (!ir.next.address.empty()) next["address"] = ir.next.address;
    if (ir.next.expiry_hours > 0) next["expiry_hours"] = ir.next.expiry_hours;
    if (!ir.next.checklist.empty()) next["checklist"] = ir.next.checklist;
    return nlohmann::json{
        {"id", i.id},
        {"list", s(i.system)},
        {"name", s(ir.name)},
        {"kind", ir.kind},
        {"provider", s(ir.provider)},
        {"listed", s(i.listed)},
        {"status", i.status},
        {"bounces", i.bounces},
        {"new_bounces", i.new_bounces},
        {"records", i.records},
        {"resolver_errors", i.resolver_errors},
        {"first_seen", day(i.first_seen)},
        {"last_seen", day(i.last_seen)},
        {"recipient_domains", counts_json(i.recipient_domains, k_max_report_domains)},
        {"reasons", counts_json(i.reasons, k_max_report_domains)},
        {"remote_mtas", counts_json(i.remote_mtas, k_max_report_domains)},
        {"next_step", next},
        {"dnsbl_state", i.dnsbl_state},
    };
}

nlohmann::json to_json(const TriageReport& report) {
    nlohmann::json out = nlohmann::json::object();
    if (report.has_pass) {
        const auto& p = report.pass;
        out["source"] = s(p.source);
        out["folder"] = s(p.folder);
        out["messages"] = p.messages;
        out["new"] = p.new_messages;
        out["duplicates"] = p.duplicates;
        out["ndrs"] = p.ndrs;
        out["records"] = p.records;
        out["unparsed"] = p.unparsed;
        out["partial"] = p.partial;
        out["skipped"] = p.skipped_since;
        out["vanished"] = p.vanished;
        out["remarked"] = p.remarked;
        out["fetch_errors"] = p.fetch_errors;
        out["interrupted"] = p.interrupted;
        out["uidvalidity_changed"] = p.uidvalidity_changed;
        out["backscatter"] = p.backscatter;
        if (!p.error.empty()) out["error"] = s(p.error);
    }
    out["reasons"] = counts_json(report.reasons);
    nlohmann::json incidents = nlohmann::json::array();
    for (const auto& ir : report.incidents) incidents.push_back(incident_json(ir));
    out["incidents"] = std::move(incidents);
    const auto& t = report.totals;
    out["totals"] = nlohmann::json{{"messages", t.messages},   {"ndrs", t.ndrs},
                                   {"records", t.records},     {"unparsed", t.unparsed},
                                   {"partial", t.partial},     {"list_hits", t.list_hits},
                                   {"incidents", t.incidents}, {"open_incidents", t.open_incidents},
                                   {"backscatter", t.backscatter}, {"drafts", t.drafts}};
    return out;
}

std::string render_text(const TriageReport& report) {
    std::string out;
    if (report.has_pass) {
        const auto& p = report.pass;
        const bool show_folder = !p.folder.empty() && p.folder.front() != '(' && p.source.find(p.folder) == std::string::npos;
        out += "Scanned " + s(p.source) + (show_folder ? " (" + s(p.folder) + ")" : "") + "\n";
        out += "  " + std::to_string(p.messages) + " messages read, " + std::to_string(p.new_messages) + " new: " +
               std::to_string(p.ndrs) + " NDRs, " + std::to_string(p.records) + " recipient records, " +
               std::to_string(p.unparsed) + " unparsed";
        if (p.duplicates > 0) out += "; " + std::to_string(p.duplicates) + " already recorded";
        if (p.skipped_since > 0) out += "; " + std::to_string(p.skipped_since) + " before --since";
        out += "\n";
        if (p.uidvalidity_changed) out += "  The folder's UIDVALIDITY changed: re-read it all, recorded messages recognised.\n";
        if (p.fetch_errors > 0) out += "  " + std::to_string(p.fetch_errors) + " messages could not be read (retried next time).\n";
        if (p.remarked > 0)
            out += "  " + std::to_string(p.remarked) +
                   " messages recorded by an earlier scan that stopped before marking them: marked now.\n";
        if (p.interrupted) out += "  Interrupted: the rest is read on the next run.\n";
        if (!p.error.empty()) out += "  Error: " + s(p.error) + "\n";
    }
    const auto& t = report.totals;
    out += "State: " + std::to_string(t.messages) + " messages recorded (" + std::to_string(t.ndrs) + " NDRs, " +
           std::to_string(t.records) + " records), " + std::to_string(t.open_incidents) + " open incidents" +
           (t.backscatter > 0 ? ", " + std::to_string(t.backscatter) + " backscatter NDRs (not about us, not acted on)" : "") +
           (t.drafts > 0 ? ", " + std::to_string(t.drafts) + " drafts to review (ndr-triage drafts list)" : "") + "\n";

    if (report.incidents.empty()) {
        out += "\nNo open incidents: no bounce names a blocklist or reputation system.\n";
    } else {
        out += "\nOpen incidents (list or provider x listed IP or domain):\n";
        std::size_t n = 0;
        for (const auto& ir : report.incidents) {
            const auto& i = ir.incident;
            out += "\n" + std::to_string(++n) + ". " + s(i.system);
            if (!ir.name.empty()) out += " (" + s(ir.name) + ")";
            out += " x " + (i.listed.empty() ? std::string("(nothing named)") : s(i.listed)) + "  [" + i.status + "]\n";
            out += "   bounces " + std::to_string(i.bounces);
            if (report.has_pass) out += " (" + std::to_string(i.new_bounces) + " new)";
            out += ", records " + std::to_string(i.records) + ", first seen " + day(i.first_seen) + ", last seen " +
                   day(i.last_seen) + "\n";
            if (!ir.provider.empty()) out += "   provider: " + s(ir.provider) + "\n";
            out += "   recipient domains: " + counts_text(i.recipient_domains, k_max_report_domains) + "\n";
            out += "   reasons: " + counts_text(i.reasons, k_max_report_domains) + "\n";
            out += "   next: " + ir.next.text + "\n";
            for (const auto& step : ir.next.checklist) out += "     - " + step + "\n";
        }
    }
    out += std::string("\nReasons") + (report.has_pass ? " in this pass" : " (all records)") + ": " +
           counts_text(report.reasons, 20) + "\n";
    return out;
}

} // namespace ndr::agent
