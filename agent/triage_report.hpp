// triage_report.hpp — the report printed after a scan (and by `status`): what this pass saw, every open
// incident (list or provider × listed IP or domain) with its counts, dates, recipient domains, reasons,
// and what to do next according to the list's own removal procedure in rules.d.
//
// Input trust: incident and record texts come from the store, where they were sanitised on insert;
// they are sanitised again when rendered (cheap, and the report never trusts its inputs). Rule data
// is configuration. Sizes: at most k_max_report_domains domains and reasons listed per incident.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/scan.hpp"
#include "agent/store/store.hpp"
#include "classifiers/rules/model.hpp"

namespace ndr::agent {

inline constexpr std::size_t k_max_report_domains = 10;

// What the admin should do about one incident.
struct NextStep {
    // form | email | expiry | none | provider | unknown | defunct | receiver-resolver
    std::string action;
    std::string text;        // one or two sentences for the terminal
    std::string url;         // removal form or provider support page, may be empty
    std::string address;     // removal or postmaster address, may be empty
    int expiry_hours = 0;    // for expiry
    bool fix_first = false;  // listing means an infected or abused host: fix before asking
    std::vector<std::string> checklist; // remediation steps when fix_first
};

struct IncidentReport {
    store::IncidentSummary incident;
    std::string name;        // the system's name from rules.d; empty when the id is unknown
    std::string kind;        // ip-dnsbl | domain-dnsbl | reputation-service | provider-internal | unknown
    std::string provider;    // the receiving provider most of its records name, may be empty
    NextStep next;
};

struct TriageReport {
    bool has_pass = false;   // false for `status` (no pass counts)
    ScanResult pass;
    store::Counts reasons;   // reasons of the records recorded in this pass (all records for status)
    store::Totals totals;
    std::vector<IncidentReport> incidents; // open incidents, most recently seen first
};

// The parts of a pass's report that nothing after the pass's recording changes (the incident step
// writes incidents, events and drafts only): the pass's reasons, the message counts, and each open
// incident's breakdowns and new bounces. cmd_scan reads them on a second connection while the
// incident step runs.
struct TriageReportParts {
    store::Counts reasons;
    store::Totals message_totals;                  // store::Store::message_totals()
    std::vector<store::IncidentSummary> incidents; // the open incidents as they were, with breakdowns
};
TriageReportParts read_triage_report_parts(const ScanResult& pass, store::Store& db);

// rules may be null (no attribution data): next steps then say only what the id tells. `parts`, when
// given, were read from the same database after the pass (read_triage_report_parts): the report then
// reads only the incidents' current rows and counts, and the breakdowns of incidents opened since.
TriageReport build_triage_report(const ScanResult* pass, store::Store& db,
                                 const classifiers::rules::RuleSet* rules,
                                 const TriageReportParts* parts = nullptr);

// The advice for one incident (exposed for tests).
NextStep next_step_for(const store::IncidentSummary& incident, const classifiers::rules::Blocklist* list);

std::string render_text(const TriageReport& report);
// Keys: messages, new, duplicates, ndrs, records, unparsed, partial, skipped, fetch_errors,
// interrupted, uidvalidity_changed, source, folder, reasons {name: count}, incidents [{list, provider,
// listed, bounces, new_bounces, records, status, ...}], totals {...}.
nlohmann::json to_json(const TriageReport& report);
nlohmann::json incident_json(const IncidentReport& incident);

} // namespace ndr::agent
