// cmd_incidents.cpp — `ndr-triage incidents list|show ID|fixed ID --note TEXT|dismiss ID`: review the
// incidents (list or provider x listed IP or domain), record the remediation of a fix-first listing
// (which lets its request be drafted) and dismiss what needs no action. Every change is an event.
//
// Exit codes: 0 done; 1 usage error or no such incident; 2 no state database; 3 configuration or
// state database error.
#include "agent/commands.hpp"
#include "agent/drafts/plan.hpp"
#include "agent/incidents/workflow.hpp"
#include "agent/review_state.hpp"
#include "agent/scan.hpp"
#include "classifiers/text.hpp"

#include <ctime>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace ndr::agent {

namespace {

struct IncidentArgs {
    std::string state;
    bool json = false;
    bool all = false;
    std::int64_t id = 0;
    std::string note;
};

std::string s(std::string_view t) {
    return classifiers::sanitise(t, 1024);
}
std::string when(std::int64_t t) {
    return t > 0 ? format_utc(t) : "-";
}

nlohmann::json summary_json(const store::IncidentSummary& i) {
    nlohmann::json domains = nlohmann::json::object();
    for (const auto& [d, n] : i.recipient_domains)
        domains[s(d)] = n;
    return {{"id", i.id},
            {"list", s(i.system)},
            {"listed", s(i.listed)},
            {"status", i.status},
            {"bounces", i.bounces},
            {"records", i.records},
            {"first_seen", when(i.first_seen)},
            {"last_seen", when(i.last_seen)},
            {"recipient_domains", domains},
            {"dnsbl_state", i.dnsbl_state},
            {"dnsbl_detail", s(i.dnsbl_detail)},
            {"dnsbl_checked_at", when(i.dnsbl_checked_at)},
            {"remediation", s(i.remediation)},
            {"remediated_at", when(i.remediated_at)}};
}

int list(ReviewState& st, const IncidentArgs& a) {
    const auto all = st.db->incidents(!a.all);
    if (a.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& i : all)
            out.push_back(summary_json(i));
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    if (all.empty()) std::cout << (a.all ? "No incidents.\n" : "No open incidents.\n");
    for (const auto& i : all)
        std::cout << i.id << "  " << i.status << "  " << s(i.system) << " x "
                  << (i.listed.empty() ? "-" : s(i.listed)) << "  bounces " << i.bounces << ", last "
                  << when(i.last_seen) << (i.dnsbl_state.empty() ? "" : ", DNSBL " + i.dnsbl_state) << "\n";
    return 0;
}

int show(ReviewState& st, const IncidentArgs& a) {
    const auto d = st.db->incident_detail(a.id);
    if (!d) {
        std::cerr << "ndr-triage incidents: no incident " << a.id << "\n";
        return 1;
    }
    const auto* list = st.rules() ? st.rules()->find(d->summary.system) : nullptr;
    const auto plan = drafts::plan_incident(*d, list, st.config.identity);
    const auto drafts_of = st.db->drafts_of(a.id);
    if (a.json) {
        auto out = summary_json(d->summary);
        out["name"] = list ? s(list->name) : "";
        nlohmann::json rej = nlohmann::json::array();
        for (const auto& r : d->rejections)
            rej.push_back({{"at", when(r.at)},
                           {"recipient_domain", s(r.recipient_domain)},
                           {"remote_mta", s(r.remote_mta)},
                           {"text", s(r.text)}});
        out["rejections"] = rej;
        out["sending_ips"] = d->sending_ips;
        out["sending_rdns"] = d->sending_rdns;
        out["sending_helos"] = d->sending_helos;
        nlohmann::json ev = nlohmann::json::array();
        for (const auto& e : d->events)
            ev.push_back({{"at", when(e.at)}, {"kind", e.kind}, {"detail", s(e.detail)}});
        out["events"] = ev;
        out["plan"] = {{"action", plan.action},
                       {"fix_first", plan.fix_first},
                       {"waiting_for_fix", plan.waiting_for_fix},
                       {"has_draft", plan.has_draft},
                       {"note", s(plan.note)},
                       {"clears_at", plan.clears_at ? when(plan.clears_at) : ""}};
        if (plan.fix_first) out["plan"]["checklist"] = drafts::remediation_checklist();
        nlohmann::json ds = nlohmann::json::array();
        for (const auto& x : drafts_of)
            ds.push_back({{"id", x.id}, {"kind", x.kind}, {"status", x.status}});
        out["drafts"] = ds;
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    const auto& i = d->summary;
    std::cout << "Incident " << i.id << ": " << s(i.system) << (list ? " (" + s(list->name) + ")" : "")
              << " x " << (i.listed.empty() ? "(nothing named)" : s(i.listed)) << "  [" << i.status << "]\n"
              << "  bounces " << i.bounces << ", records " << i.records << ", first seen "
              << when(i.first_seen) << ", last seen " << when(i.last_seen) << "\n";
    if (!i.dnsbl_state.empty())
        std::cout << "  DNSBL: " << i.dnsbl_state << " (" << s(i.dnsbl_detail) << ") at "
                  << when(i.dnsbl_checked_at) << "\n";
    if (!d->sending_ips.empty()) {
        std::cout << "  our IPs seen:";
        for (const auto& ip : d->sending_ips)
            std::cout << " " << s(ip);
        std::cout << "\n";
    }
    std::cout << "  recipient domains:";
    for (const auto& [dom, n] : i.recipient_domains)
        std::cout << " " << s(dom) << " (" << n << ")";
    if (i.recipient_domains.empty()) std::cout << " -";
    std::cout << "\n  rejections:\n";
    for (const auto& r : d->rejections)
        std::cout << "    " << when(r.at) << " " << (r.recipient_domain.empty() ? "(no recipient named)" : s(r.recipient_domain))
                  << ": " << s(r.text) << "\n";
    std::cout << "  plan: " << plan.action << (plan.note.empty() ? "" : " - " + s(plan.note)) << "\n";
    if (plan.fix_first) {
        std::cout << "  remediation checklist (fix first):\n";
        for (const auto& c : drafts::remediation_checklist())
            std::cout << "    - " << c << "\n";
    }
    if (!i.remediation.empty())
        std::cout << "  remediation " << when(i.remediated_at) << ": " << s(i.remediation) << "\n";
    for (const auto& x : drafts_of)
        std::cout << "  draft " << x.id << " (" << x.kind << ", " << x.status << ")\n";
    std::cout << "  events:\n";
    for (const auto& e : d->events)
        std::cout << "    " << when(e.at) << " " << e.kind << " " << s(e.detail) << "\n";
    return 0;
}

int fixed(ReviewState& st, const IncidentArgs& a) {
    const auto i = st.db->incident(a.id);
    if (!i) {
        std::cerr << "ndr-triage incidents: no incident " << a.id << "\n";
        return 1;
    }
    const auto note = classifiers::sanitise(a.note, 2000);
    if (classifiers::trim(note).empty()) {
        std::cerr << "ndr-triage incidents fixed: --note must say what was done\n";
        return 1;
    }
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    st.db->record_remediation(a.id, note, now);
    const auto flow = incidents::after_pass(*st.db, st.config, st.rules(), true, now);
    for (const auto& line : flow.log)
        std::cerr << "ndr-triage incidents: " << s(line) << "\n";
    for (const auto& d : st.db->drafts_of(a.id))
        std::cout << "draft " << d.id << " (" << d.kind << ", " << d.status << ") for incident " << a.id
                  << "\n";
    std::cout << "remediation recorded for incident " << a.id << "\n";
    return 0;
}

int dismiss(ReviewState& st, const IncidentArgs& a) {
    if (!st.db->incident(a.id)) {
        std::cerr << "ndr-triage incidents: no incident " << a.id << "\n";
        return 1;
    }
    st.db->set_incident_status(a.id, "dismissed", a.note.empty() ? "dismissed by the operator" : s(a.note),
                               static_cast<std::int64_t>(std::time(nullptr)));
    std::cout << "incident " << a.id << " dismissed\n";
    return 0;
}

} // namespace

void add_incidents_command(CLI::App& app, CommandContext& ctx) {
    auto args = std::make_shared<IncidentArgs>();
    auto* sub =
        app.add_subcommand("incidents", "Review incidents: list, show ID, fixed ID --note, dismiss ID");
    sub->require_subcommand(1);
    sub->footer(
        "Exit: 0 done, 1 usage or no such incident, 2 no state database, 3 configuration or state error.");
    sub->add_option("--state", args->state, "State database (default as for scan)")->type_name("FILE");
    const auto with = [&ctx, args](int (*fn)(ReviewState&, const IncidentArgs&)) {
        return review_callback(ctx, args, "incidents", fn);
    };
    auto* l = sub->add_subcommand("list", "Open incidents (--all: also resolved and dismissed)");
    l->add_flag("--json", args->json, "Print as JSON");
    l->add_flag("--all", args->all, "Include resolved and dismissed incidents");
    l->callback(with(list));
    auto* sh =
        sub->add_subcommand("show", "One incident: evidence, DNSBL state, plan, checklist, drafts, events");
    sh->add_option("ID", args->id, "Incident id")->required();
    sh->add_flag("--json", args->json, "Print as JSON");
    sh->callback(with(show));
    auto* f = sub->add_subcommand(
        "fixed", "Record what was done about a fix-first listing; the request is then drafted");
    f->add_option("ID", args->id, "Incident id")->required();
    f->add_option("--note", args->note, "What was found and fixed, and when")->required();
    f->callback(with(fixed));
    auto* d = sub->add_subcommand(
        "dismiss", "No action needed: the incident is closed (a new bounce does not reopen it)");
    d->add_option("ID", args->id, "Incident id")->required();
    d->add_option("--note", args->note, "Why");
    d->callback(with(dismiss));
}

} // namespace ndr::agent
