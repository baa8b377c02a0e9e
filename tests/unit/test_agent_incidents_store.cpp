// test_agent_incidents_store.cpp — the store's v3 incident and draft API: migration from v2 keeps
// incidents and their events, backscatter gets no incident, dismissed leaves the open list, status and
// DNSBL changes are events, one draft per incident and kind, updated not duplicated, edits kept.
#include "agent/store/store.hpp"

#include <algorithm>
#include <cstdlib>
#include <doctest/doctest.h>
#include <random>
#include <sqlite3.h>
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

TEST_CASE(
    "incidents store: detail and breakdowns are what SQLite's DISTINCT, ORDER BY and LIMIT queries give") {
    // incident_detail() and the breakdowns read the incident's rows once and pick the distinct
    // values in C++; here they are checked against the SQL they replaced, over messages whose
    // sending IPs, names, HELOs and From repeat, are empty, or run past the limits (10, 50).
    TempDb t;
    auto s = open_at(t.path());
    std::mt19937 random(7);
    const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
    for (std::uint32_t uid = 1; uid <= 400; ++uid) {
        auto r = listed_report("192.0.2.25");
        r.recipients[0].final_recipient =
            "user" + std::to_string(pick(30)) + "@d" + std::to_string(pick(60)) + ".example";
        r.recipients[0].remote_mta = pick(4) == 0 ? "" : "mx" + std::to_string(pick(70)) + ".example";
        r.recipients[0].verdict.provider = pick(3) == 0 ? "" : "p" + std::to_string(pick(5));
        if (pick(5) == 0) { // a second record of the same incident, and a second hit on one record
            r.recipients.push_back(r.recipients[0]);
            r.recipients[1].final_recipient = "other@d" + std::to_string(pick(60)) + ".example";
            r.recipients[0].verdict.lists.push_back(r.recipients[0].verdict.lists[0]);
        }
        r.original.from = pick(6) == 0 ? "" : "Sender <s@f" + std::to_string(pick(90)) + ".example>";
        MessageInput in;
        in.fingerprint = sha256_hex("message " + std::to_string(uid));
        in.where = Location{"files", "(command line)", 1, uid, "m" + std::to_string(uid)};
        in.seen_at = 1'796'000'000;
        in.event_at = 1'796'000'000 + pick(1000);
        in.report = &r;
        in.provenance = "ours";
        in.sending_ip = pick(4) == 0 ? "" : "192.0.2." + std::to_string(pick(40));
        in.sending_rdns = pick(4) == 0 ? "" : "out" + std::to_string(pick(25)) + ".example";
        in.sending_helo = pick(2) == 0 ? "" : "helo" + std::to_string(pick(12));
        s->record_message(in, true);
    }
    const auto id = s->incident_rows(false).at(0).id;
    const auto detail = s->incident_detail(id);
    REQUIRE(detail.has_value());

    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(t.path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    const auto texts = [&](const std::string& sql) {
        std::vector<std::string> out;
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
        sqlite3_finalize(st);
        return out;
    };
    for (const auto& [column, got] :
         {std::pair{"sending_ip", detail->sending_ips}, std::pair{"sending_rdns", detail->sending_rdns},
          std::pair{"sending_helo", detail->sending_helos}}) {
        CAPTURE(column);
        const auto want = texts(std::string("SELECT DISTINCT m.") + column +
                                " FROM list_hits h JOIN messages m ON "
                                "m.id = h.message_id WHERE h.incident_id = ? AND m." +
                                column + " <> '' ORDER BY 1 LIMIT 10");
        CHECK(want.size() == 10);
        CHECK(got == want);
    }
    std::vector<std::string> want_domains;
    for (auto from :
         texts("SELECT DISTINCT m.original_from FROM list_hits h JOIN messages m ON m.id = h.message_id "
               "WHERE h.incident_id = ? LIMIT 50")) {
        if (const auto lt = from.rfind('<'); lt != std::string::npos) from = from.substr(lt + 1);
        if (const auto gt = from.find('>'); gt != std::string::npos) from.resize(gt);
        const auto at = from.rfind('@');
        const auto domain = at == std::string::npos ? std::string() : from.substr(at + 1);
        if (!domain.empty() &&
            std::find(want_domains.begin(), want_domains.end(), domain) == want_domains.end())
            want_domains.push_back(domain);
    }
    CHECK(want_domains.size() > 10);
    CHECK(detail->from_domains == want_domains);

    const char* columns[] = {"recipient_domain", "reason", "provider", "remote_mta"};
    const Counts* breakdowns[] = {&detail->summary.recipient_domains, &detail->summary.reasons,
                                  &detail->summary.providers, &detail->summary.remote_mtas};
    for (int c = 0; c < 4; ++c) {
        CAPTURE(columns[c]);
        Counts want;
        sqlite3_stmt* st = nullptr;
        const std::string sql = std::string("SELECT v, COUNT(*) AS n FROM (SELECT DISTINCT r.id, r.") +
                                columns[c] +
                                " AS v FROM list_hits h JOIN recipient_records r ON r.id = h.record_id WHERE "
                                "h.incident_id = ?) WHERE v <> '' GROUP BY v ORDER BY n DESC, v LIMIT 50";
        REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
        sqlite3_bind_int64(st, 1, id);
        while (sqlite3_step(st) == SQLITE_ROW)
            want.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                              sqlite3_column_int64(st, 1));
        sqlite3_finalize(st);
        CHECK(!want.empty());
        CHECK(*breakdowns[c] == want);
    }
    CHECK(detail->summary.recipient_domains.size() == 50);
    // New bounces: the incident's distinct messages among the recent ones (here the even ids; some
    // messages hit the incident twice).
    std::vector<std::int64_t> recent;
    for (std::int64_t m = 2; m <= 400; m += 2)
        recent.push_back(m);
    const auto listed = s->incidents(false, recent);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].new_bounces == s->query_int("SELECT COUNT(DISTINCT message_id) FROM list_hits WHERE "
                                                "message_id % 2 = 0 AND incident_id = " +
                                                std::to_string(id)));
    CHECK(s->query_int("SELECT COUNT(*) - COUNT(DISTINCT message_id) FROM list_hits") > 0);
    CHECK(listed[0].recipient_domains == detail->summary.recipient_domains);
    sqlite3_close(db);
}
