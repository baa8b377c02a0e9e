// test_agent_incidents_store.cpp — the store's v3 incident and draft API: migration from v2 keeps
// incidents and their events, backscatter gets no incident, dismissed leaves the open list, status and
// DNSBL changes are events, one draft per incident and kind, updated not duplicated, edits kept.
#include "agent/store/store.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <string>
#include <unistd.h>

using namespace ndr::agent::store;
namespace cl = ndr::classifiers;

namespace {

struct TempDb {
    std::string dir;
    TempDb() {
        char tmpl[] = "/tmp/ndr-incidents-test-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        dir = tmpl;
    }
    ~TempDb() { std::system(("rm -rf '" + dir + "'").c_str()); }
    std::string path() const { return dir + "/state.db"; }
};

std::unique_ptr<Store> open_at(const std::string& path, int version = k_schema_version) {
    auto s = Store::open(path, Store::OpenOptions{version, true});
    REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error()));
    return std::move(*s);
}

cl::DeliveryReport listed_report(const std::string& listed) {
    cl::DeliveryReport r;
    r.kind = cl::Kind::failed;
    cl::RecipientRecord rec;
    rec.final_recipient = "bob@example.net";
    rec.action = cl::Action::failed;
    rec.diagnostic = "554 5.7.1 Client host [" + listed + "] blocked using xbl.spamhaus.org";
    rec.verdict.lists.push_back(
        {"spamhaus-xbl", listed, "zone-reject", "blocked using xbl.spamhaus.org", 80});
    r.recipients.push_back(rec);
    return r;
}

RecordOutcome record(Store& s, const cl::DeliveryReport& r, std::uint32_t uid,
                     const std::string& provenance = "ours") {
    MessageInput in;
    in.fingerprint = sha256_hex("message " + std::to_string(uid));
    in.where = Location{"files", "(command line)", 1, uid, "m" + std::to_string(uid)};
    in.seen_at = 1'796'000'000;
    in.event_at = 1'796'000'000 + uid;
    in.report = &r;
    in.provenance = provenance;
    in.sending_ip = "192.0.2.25";
    return s.record_message(in, true);
}

} // namespace

TEST_CASE("incidents store: migrating v2 to v3 keeps incidents, hits and events; 'dismissed' is allowed") {
    TempDb t;
    {
        auto v2 = open_at(t.path(), 2);
        record(*v2, listed_report("192.0.2.25"), 1);
        CHECK(v2->query_int("SELECT COUNT(*) FROM events") == 1);
        CHECK_THROWS(v2->query_int("UPDATE incidents SET status = 'dismissed' RETURNING 1"));
    }
    auto v3 = open_at(t.path(), 3);
    CHECK(v3->schema_version() == 3);
    CHECK(v3->query_int("SELECT COUNT(*) FROM incidents") == 1);
    CHECK(v3->query_int("SELECT COUNT(*) FROM events") == 1);
    CHECK(v3->query_int("SELECT COUNT(*) FROM list_hits WHERE incident_id IS NOT NULL") == 1);
    CHECK(v3->query_int("PRAGMA foreign_keys") == 1);
    const auto id = v3->incidents(true).at(0).id;
    CHECK(v3->set_incident_status(id, "dismissed", "test", 1'796'100'000));
    CHECK(v3->incidents(true).empty());
    CHECK(v3->incidents(false).size() == 1);
    CHECK(v3->totals().open_incidents == 0);
    // A new bounce does not reopen a dismissed incident.
    record(*v3, listed_report("192.0.2.25"), 2);
    CHECK(v3->incident(id)->status == "dismissed");
}

TEST_CASE("incidents store: backscatter hits are recorded without an incident") {
    TempDb t;
    auto s = open_at(t.path());
    record(*s, listed_report("203.0.113.66"), 1, "backscatter");
    CHECK(s->query_int("SELECT COUNT(*) FROM incidents") == 0);
    CHECK(s->query_int("SELECT COUNT(*) FROM list_hits WHERE incident_id IS NULL") == 1);
    CHECK(s->totals().backscatter == 1);
    record(*s, listed_report("192.0.2.25"), 2, "ours");
    CHECK(s->query_int("SELECT COUNT(*) FROM incidents") == 1);
}

TEST_CASE("incidents store: status, DNSBL state and remediation are events; detail gathers the evidence") {
    TempDb t;
    auto s = open_at(t.path());
    record(*s, listed_report("192.0.2.25"), 1);
    const auto id = s->incidents(true).at(0).id;
    CHECK(s->set_incident_status(id, "fix-first", "why", 1'796'100'010));
    CHECK_FALSE(s->set_incident_status(id, "fix-first", "again", 1'796'100'011));
    s->set_dnsbl_state(id, "listed", "xbl.spamhaus.org 127.0.0.4", 1'796'100'012);
    s->set_dnsbl_state(id, "listed", "xbl.spamhaus.org 127.0.0.4", 1'796'100'013); // unchanged: no event
    s->record_remediation(id, "reimaged\r\nthe laptop", 1'796'100'014);
    const auto d = s->incident_detail(id);
    REQUIRE(d);
    CHECK(d->summary.ever_listed);
    CHECK(d->summary.dnsbl_checked_at == 1'796'100'013);
    CHECK(d->summary.remediation == "reimaged the laptop");
    REQUIRE(d->events.size() == 4); // opened, status, dnsbl, remediation
    CHECK(d->events[1].detail == "open -> fix-first: why");
    CHECK(d->events[2].kind == "dnsbl");
    REQUIRE(d->rejections.size() == 1);
    CHECK(d->rejections[0].text == "554 5.7.1 Client host [192.0.2.25] blocked using xbl.spamhaus.org");
    CHECK(d->sending_ips == std::vector<std::string>{"192.0.2.25"});
}

TEST_CASE("incidents store: one draft per incident and kind, updated while unreviewed, kept once edited") {
    TempDb t;
    auto s = open_at(t.path());
    record(*s, listed_report("192.0.2.25"), 1);
    const auto id = s->incidents(true).at(0).id;
    DraftText text{"form", "", "Removal request", "body one", "https://example.org/form"};
    const auto [d1, w1] = s->upsert_draft(id, text, "example.com", 20);
    CHECK(w1 == DraftUpsert::created);
    const auto first = s->draft(d1);
    REQUIRE(first);
    CHECK(first->message_id.find("@example.com") != std::string::npos);
    CHECK(s->upsert_draft(id, text, "example.com", 21).second == DraftUpsert::unchanged);
    text.body = "body two";
    const auto [d2, w2] = s->upsert_draft(id, text, "example.com", 22);
    CHECK(d2 == d1);
    CHECK(w2 == DraftUpsert::updated);
    CHECK(s->draft(d1)->revision == 2);
    CHECK(s->draft(d1)->message_id != first->message_id);
    CHECK(s->query_int("SELECT COUNT(*) FROM drafts") == 1);
    s->edit_draft(d1, {"form", "", "Mine", "my text", ""}, "example.com", 23);
    text.body = "body three";
    CHECK(s->upsert_draft(id, text, "example.com", 24).second == DraftUpsert::kept);
    CHECK(s->draft(d1)->body == "my text");
    s->set_draft_imap_copy(d1, s->draft(d1)->message_id);
    CHECK(s->draft(d1)->imap_message_id == s->draft(d1)->message_id);
    s->set_draft_status(d1, "rejected", 25);
    CHECK(s->drafts().empty());
    CHECK(s->drafts(true).size() == 1);
    // Another kind for the same incident is a second draft.
    CHECK(s->upsert_draft(id, {"email", "delist@example.org", "x", "y", ""}, "example.com", 26).second ==
          DraftUpsert::created);
    CHECK(s->drafts_of(id).size() == 2);
}
