// test_agent_triage_report.cpp — agent/triage_report: JSON keys and values, next steps per removal
// method, and the text form.
#include <doctest/doctest.h>

#include <unistd.h>

#include <string>

#include "agent/store/store.hpp"
#include "agent/triage_report.hpp"

using namespace ndr::agent;
namespace cl = ndr::classifiers;
namespace rules = ndr::classifiers::rules;

namespace {

struct TempDb {
    std::string dir;
    std::unique_ptr<store::Store> db;
    TempDb() {
        char tmpl[] = "/tmp/ndr-report-test-XXXXXX";
        const char* d = ::mkdtemp(tmpl);
        REQUIRE(d != nullptr);
        dir = d;
        db = std::move(*store::Store::open(dir + "/state.db"));
    }
    ~TempDb() {
        db.reset();
        std::system(("rm -rf '" + dir + "'").c_str());
    }
};

std::int64_t record(store::Store& db, const std::string& raw, const std::string& list, const std::string& listed,
                    const std::string& rcpt, bool resolver_error = false) {
    cl::DeliveryReport r;
    r.kind = cl::Kind::failed;
    cl::RecipientRecord rec;
    rec.final_recipient = rcpt;
    rec.verdict.reason = cl::Reason::blocked;
    rec.verdict.receiver_resolver_error = resolver_error;
    rec.verdict.lists.push_back({list, listed, "r", "evidence", 50});
    r.recipients.push_back(rec);
    store::MessageInput in;
    in.fingerprint = store::sha256_hex(raw);
    in.where = {"files", "(command line)", 1, 1, raw};
    in.event_at = 1794820323;
    in.seen_at = 1794820400;
    in.report = &r;
    return db.record_message(in, false).message_id;
}

rules::RuleSet test_rules() {
    rules::RuleSet set;
    rules::Blocklist zen;
    zen.id = "spamhaus-zen";
    zen.name = "Spamhaus ZEN";
    zen.removal.method = rules::RemovalMethod::form;
    zen.removal.url = "https://check.spamhaus.org/";
    rules::Blocklist cbl = zen;
    cbl.id = "spamhaus-xbl";
    cbl.name = "Spamhaus XBL";
    cbl.fix_first = true;
    set.lists = {cbl, zen};
    return set;
}

} // namespace

TEST_CASE("triage_report: the JSON report has the documented keys and this pass's counts") {
    TempDb t;
    const auto m1 = record(*t.db, "one", "spamhaus-zen", "198.51.100.23", "bob@example.net");
    record(*t.db, "two", "spamhaus-zen", "198.51.100.23", "carol@example.org");
    ScanResult pass;
    pass.source = "files";
    pass.messages = 3;
    pass.new_messages = 1;
    pass.ndrs = 1;
    pass.records = 1;
    pass.new_message_ids = {m1};
    const auto set = test_rules();
    const auto json = to_json(build_triage_report(&pass, *t.db, &set));
    for (const char* key : {"messages", "new", "ndrs", "records", "incidents", "reasons", "unparsed", "totals"}) {
        CAPTURE(key);
        CHECK(json.contains(key));
    }
    CHECK(json["messages"] == 3);
    CHECK(json["new"] == 1);
    REQUIRE(json["incidents"].size() == 1);
    const auto& i = json["incidents"][0];
    CHECK(i["list"] == "spamhaus-zen");
    CHECK(i["listed"] == "198.51.100.23");
    CHECK(i["bounces"] == 2);
    CHECK(i["new_bounces"] == 1);
    CHECK(i.contains("provider"));
    CHECK(i["first_seen"] == "2026-11-16T09:12:03Z");
    CHECK(i["recipient_domains"]["example.net"] == 1);
    CHECK(i["next_step"]["action"] == "form");
    CHECK(i["next_step"]["url"] == "https://check.spamhaus.org/");
    CHECK(json["reasons"]["blocked"] == 1);
    CHECK(json["totals"]["messages"] == 2);
}

TEST_CASE("triage_report: parts read before the incident step changes the incidents give the same report") {
    TempDb t;
    const auto m1 = record(*t.db, "one", "spamhaus-zen", "198.51.100.23", "bob@example.net");
    record(*t.db, "two", "spamhaus-xbl", "198.51.100.24", "carol@example.org");
    record(*t.db, "three", "spamhaus-sbl", "198.51.100.25", "dave@example.com");
    const auto id_of = [&](const std::string& system) {
        for (const auto& i : t.db->incident_rows(false))
            if (i.system == system) return i.id;
        return std::int64_t{0};
    };
    t.db->set_incident_status(id_of("spamhaus-sbl"), "resolved", "test", 1794820500);
    ScanResult pass;
    pass.new_messages = 1;
    pass.new_message_ids = {m1};
    const auto set = test_rules();
    auto reader = store::Store::open(t.dir + "/state.db",
                                     store::Store::OpenOptions{store::k_schema_version, false, true});
    REQUIRE(reader.has_value());
    const auto parts = read_triage_report_parts(pass, **reader);
    CHECK(parts.incidents.size() == 2);
    // What the incident step may change meanwhile: incidents' status (one leaves the report, one comes
    // back: its breakdowns are read then) and the drafts.
    t.db->set_incident_status(id_of("spamhaus-xbl"), "resolved", "test", 1794820600);
    t.db->set_incident_status(id_of("spamhaus-sbl"), "open", "test", 1794820600);
    const auto with_parts = to_json(build_triage_report(&pass, *t.db, &set, &parts));
    const auto without = to_json(build_triage_report(&pass, *t.db, &set));
    CHECK(with_parts == without);
    REQUIRE(with_parts["incidents"].size() == 2);
    CHECK(with_parts["incidents"][0]["recipient_domains"].size() == 1);
    CHECK(with_parts["incidents"][1]["recipient_domains"].size() == 1);
    CHECK(with_parts["incidents"][0]["new_bounces"] == 1);
    CHECK(with_parts["totals"]["open_incidents"] == 2);
    CHECK(with_parts["totals"]["messages"] == 3);
}

TEST_CASE("triage_report: next steps follow the removal method") {
    store::IncidentSummary inc;
    inc.records = 2;
    inc.recipient_domains = {{"example.net", 2}};
    rules::Blocklist list;
    list.id = "x";
    list.name = "X List";
    struct Case {
        rules::RemovalMethod method;
        const char* want_action;
        const char* want_text;
    };
    const Case cases[] = {
        {rules::RemovalMethod::form, "form", "https://x.example/remove"},
        {rules::RemovalMethod::email, "email", "removals@x.example"},
        {rules::RemovalMethod::expiry, "expiry", "after about 24 hours"},
        {rules::RemovalMethod::none, "none", "postmaster@example.net"},
        {rules::RemovalMethod::provider, "provider", "https://x.example/remove"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.want_action);
        list.removal.method = c.method;
        list.removal.url = "https://x.example/remove";
        list.removal.address = "removals@x.example";
        list.removal.expiry_hours = 24;
        const auto next = next_step_for(inc, &list);
        CHECK(next.action == c.want_action);
        CHECK_MESSAGE(next.text.find(c.want_text) != std::string::npos, "got: " << next.text);
    }
    list.defunct = true;
    list.defunct_note = "shut down in 2024";
    CHECK(next_step_for(inc, &list).action == "defunct");
    CHECK(next_step_for(inc, nullptr).action == "unknown");
    inc.resolver_errors = 2;
    const auto resolver = next_step_for(inc, &list);
    CHECK(resolver.action == "receiver-resolver");
    CHECK(resolver.text.find("receiver") != std::string::npos);
}

TEST_CASE("triage_report: fix-first lists carry the remediation checklist in text and JSON") {
    TempDb t;
    record(*t.db, "one", "spamhaus-xbl", "192.0.2.50", "bob@example.net");
    const auto set = test_rules();
    const auto report = build_triage_report(nullptr, *t.db, &set);
    REQUIRE(report.incidents.size() == 1);
    CHECK(report.incidents[0].next.fix_first);
    CHECK_FALSE(report.incidents[0].next.checklist.empty());
    const auto text = render_text(report);
    CHECK(text.find("spamhaus-xbl (Spamhaus XBL) x 192.0.2.50") != std::string::npos);
    CHECK(text.find("Fix first") != std::string::npos);
    CHECK(text.find("port 25") != std::string::npos);
    const auto json = to_json(report);
    CHECK_FALSE(json.contains("messages"));
    CHECK(json["incidents"][0]["next_step"]["fix_first"] == true);
}
