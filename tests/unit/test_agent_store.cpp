// test_agent_store.cpp — agent/store: file mode, migrations, one-transaction recording, dedupe,
// incidents and sanitising on insert.
#include "agent/store/migrations.hpp"
#include "agent/store/store.hpp"
#include "classifiers/text.hpp"

#include <doctest/doctest.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace ndr::agent::store;
namespace cl = ndr::classifiers;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/ndr-store-test-XXXXXX";
        const char* d = ::mkdtemp(tmpl);
        REQUIRE(d != nullptr);
        path = d;
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
    std::string file(const std::string& name) const { return path + "/" + name; }
    // A folder of its own (0700) inside the temporary one.
    std::string subdir(const std::string& name) const {
        const auto sub = file(name);
        REQUIRE(::mkdir(sub.c_str(), 0700) == 0);
        return sub;
    }
};

std::unique_ptr<Store> open_ok(const std::string& path, int migrate_to = k_schema_version) {
    auto s = Store::open(path, Store::OpenOptions{migrate_to, true});
    REQUIRE_MESSAGE(s.has_value(), "open failed: " << (s ? "" : s.error()));
    return std::move(*s);
}

cl::DeliveryReport spamhaus_report(const std::string& recipient, const std::string& listed) {
    cl::DeliveryReport r;
    r.kind = cl::Kind::failed;
    r.format = "rfc3464";
    r.subject = "Undelivered Mail Returned to Sender";
    r.date = "Mon, 16 Nov 2026 09:12:03 +0000";
    cl::RecipientRecord rec;
    rec.final_recipient = recipient;
    rec.action = cl::Action::failed;
    rec.status = "5.7.1";
    rec.reply_code = 554;
    rec.diagnostic = "554 5.7.1 Client host [" + listed + "] blocked using zen.spamhaus.org";
    rec.verdict.reason = cl::Reason::blocked;
    rec.verdict.lists.push_back(
        {"spamhaus-zen", listed, "zone-reject", "blocked using zen.spamhaus.org", 50});
    r.recipients.push_back(rec);
    return r;
}

MessageInput input_for(const std::string& raw, std::uint32_t uid, const cl::DeliveryReport* report) {
    MessageInput in;
    in.fingerprint = sha256_hex(raw);
    in.where = Location{"maildir:/m", "INBOX", 7, uid, "INBOX/" + std::to_string(uid)};
    in.size = raw.size();
    in.seen_at = 1'800'000'000;
    in.event_at = 1'790'000'000 + uid;
    in.report = report;
    return in;
}

} // namespace

TEST_CASE("store: sha256_hex matches the known digest of \"abc\"") {
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("").size() == 64);
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("store: a new database is created 0600, WAL, at the current schema version") {
    TempDir dir;
    const auto path = dir.file("state.db");
    const mode_t old = ::umask(0);
    auto s = open_ok(path);
    ::umask(old);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK_MESSAGE((st.st_mode & 0777) == 0600,
                  "got mode " << std::oct << (st.st_mode & 0777) << ", want 600");
    CHECK(s->schema_version() == k_schema_version);
    CHECK(s->query_int("SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'") == 1);
    CHECK(s->query_int("PRAGMA foreign_keys") == 1);
    CHECK(s->query_int("PRAGMA temp_store") == 2); // savepoint sub-journals in memory, no temporary file
    for (const char* table :
         {"checkpoints", "messages", "message_locations", "recipient_records", "list_hits", "dnsbl_answers",
          "incidents", "events", "drafts", "runs", "derived"}) {
        CAPTURE(table);
        CHECK(
            s->query_int(std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '") +
                         table + "'") == 1);
    }
}

TEST_CASE("store: a closed store leaves its WAL (0600, no checkpoint at close); the next open reads it") {
    TempDir dir;
    const auto path = dir.file("state.db");
    const auto report = spamhaus_report("bob@example.net", "192.0.2.25");
    {
        auto s = open_ok(path);
        s->record_message(input_for("raw-1", 1, &report), true);
    }
    struct stat st {};
    REQUIRE(::stat((path + "-wal").c_str(), &st) == 0);
    CHECK(st.st_size > 0);
    CHECK((st.st_mode & 0777) == 0600);
    {
        auto ro = Store::open(path, Store::OpenOptions{k_schema_version, false, true});
        REQUIRE_MESSAGE(ro.has_value(), (ro ? "" : ro.error()));
        CHECK((*ro)->query_int("SELECT COUNT(*) FROM messages") == 1);
    }
    auto s = open_ok(path);
    CHECK(s->query_int("SELECT COUNT(*) FROM messages") == 1);
    CHECK(s->record_message(input_for("raw-2", 2, &report), true).is_new);
    CHECK(s->query_int("SELECT COUNT(*) FROM messages") == 2);
}

TEST_CASE("store: a pass's last commit is checkpointed on a connection of its own, then the automatic "
          "checkpoint is back") {
    TempDir dir;
    const auto path = dir.file("state.db");
    const auto report = spamhaus_report("bob@example.net", "192.0.2.25");
    std::int64_t pages = 0;
    std::int64_t page_size = 0;
    {
        auto s = open_ok(path);
        const auto automatic = s->query_int("PRAGMA wal_autocheckpoint");
        REQUIRE(automatic > 0);
        s->commit_batch_checkpoint_behind(); // no batch open: nothing written, nothing to checkpoint
        CHECK(s->query_int("PRAGMA wal_autocheckpoint") == automatic);

        s->begin_batch(false);
        for (std::uint32_t uid = 1; uid <= 40; ++uid)
            s->record_message(input_for("raw-" + std::to_string(uid), uid, &report), true);
        s->commit_batch_checkpoint_behind();
        CHECK_FALSE(s->in_batch());
        CHECK(s->totals().messages == 40);
        CHECK(s->checkpoint("maildir:/m", "INBOX")->last_uid == 40);
        // Its own commit ran without the automatic checkpoint, until the next batch.
        CHECK(s->query_int("PRAGMA wal_autocheckpoint") == 0);
        s->begin_batch(false);
        CHECK(s->query_int("PRAGMA wal_autocheckpoint") == automatic);
        s->rollback_batch();
        pages = s->query_int("PRAGMA page_count");
        page_size = s->query_int("PRAGMA page_size");
    } // the store is closed without a checkpoint of its own (NO_CKPT_ON_CLOSE)
    // Every page is in the database file itself: the WAL was copied into it. A plain commit_batch()
    // of these few pages leaves them in the WAL alone (its checkpoint waits for 1,000 pages).
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(st.st_size == pages * page_size);
    auto s = open_ok(path);
    CHECK(s->totals().messages == 40);
}

TEST_CASE("store: a read-only open never reads the file without the WAL left beside it") {
    // A writer leaves its WAL (no checkpoint at close). Without the -shm and without write access to
    // the folder, mode=ro cannot read it and immutable would ignore it: stale counts. So either the
    // WAL is read (root, or a folder that can be written) or the open fails and says why.
    TempDir dir;
    const auto sub = dir.subdir("ro");
    const auto path = sub + "/state.db";
    const auto report = spamhaus_report("bob@example.net", "192.0.2.25");
    {
        auto s = open_ok(path);
        s->record_message(input_for("raw-1", 1, &report), true);
        s->query_int("PRAGMA wal_checkpoint(TRUNCATE)"); // the file holds one message, the WAL the next
        s->record_message(input_for("raw-2", 2, &report), true);
    }
    struct stat st {};
    REQUIRE(::stat((path + "-wal").c_str(), &st) == 0);
    REQUIRE(st.st_size > 0);
    ::unlink((path + "-shm").c_str());
    REQUIRE(::chmod(sub.c_str(), 0500) == 0);
    auto ro = Store::open(path, Store::OpenOptions{k_schema_version, false, true});
    if (ro) {
        CHECK((*ro)->query_int("SELECT COUNT(*) FROM messages") == 2);
    } else {
        CHECK(ro.error().find("write-ahead log") != std::string::npos);
    }
    ro = {};
    ::chmod(sub.c_str(), 0700);
}

TEST_CASE("store: an existing group- or world-readable database is refused") {
    TempDir dir;
    const auto path = dir.file("state.db");
    { auto s = open_ok(path); }
    ::chmod(path.c_str(), 0644);
    auto again = Store::open(path);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().find("group- or world-accessible") != std::string::npos);
}

TEST_CASE("store: read-only opening reads the data, refuses writes, and takes any path") {
    TempDir dir;
    const auto sub = dir.subdir("odd dir ?#%");
    const auto path = sub + "/state.db";
    const auto report = spamhaus_report("bob@example.net", "192.0.2.25");
    {
        auto s = open_ok(path);
        s->record_message(input_for("raw-1", 1, &report), true);
    }
    auto ro = Store::open(path, Store::OpenOptions{k_schema_version, false, true});
    REQUIRE_MESSAGE(ro.has_value(), (ro ? "" : ro.error()));
    CHECK((*ro)->query_int("SELECT COUNT(*) FROM messages") == 1);
    CHECK_THROWS((*ro)->record_message(input_for("raw-2", 2, &report), true));
    bool read_only = true;
    auto rw = Store::open_existing(path, &read_only); // writable: opened as usual
    REQUIRE(rw.has_value());
    CHECK_FALSE(read_only);
    CHECK_FALSE(Store::open_existing(dir.file("missing.db")).has_value());
    ::chmod(path.c_str(), 0640);
    auto refused = Store::open(path, Store::OpenOptions{k_schema_version, false, true});
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().find("group- or world-accessible") != std::string::npos);
}

TEST_CASE("store: dnsbl_answers has exactly the shape fixed in schema.md") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    const char* want[] = {"qname", "qtype", "status", "answers", "ttl", "fetched_at", "expires_at"};
    CHECK(s->query_int("SELECT COUNT(*) FROM pragma_table_info('dnsbl_answers')") == 7);
    int i = 0;
    for (const char* col : want) {
        CAPTURE(col);
        CHECK(s->query_int(std::string("SELECT cid FROM pragma_table_info('dnsbl_answers') WHERE name = '") +
                           col + "'") == i++);
    }
    CHECK(s->query_int("SELECT COUNT(*) FROM pragma_table_info('dnsbl_answers') WHERE pk > 0") == 2);
}

TEST_CASE("store: migration from v1 keeps the data and reaches the current version") {
    TempDir dir;
    const auto path = dir.file("state.db");
    const auto report = spamhaus_report("bob@example.net", "198.51.100.23");
    {
        auto v1 = open_ok(path, 1);
        CHECK(v1->schema_version() == 1);
        CHECK(v1->query_int("SELECT COUNT(*) FROM sqlite_master WHERE name = 'runs'") == 0);
        v1->record_message(input_for("raw-1", 1, &report), true);
    }
    auto v2 = open_ok(path);
    CHECK(v2->schema_version() == k_schema_version);
    CHECK(v2->query_int("SELECT COUNT(*) FROM sqlite_master WHERE name = 'runs'") == 1);
    CHECK(v2->totals().messages == 1);
    CHECK(v2->totals().records == 1);
    CHECK(v2->checkpoint("maildir:/m", "INBOX")->last_uid == 1);
    CHECK(v2->query_int("SELECT COUNT(*) FROM schema_version") == k_schema_version);
}

TEST_CASE("store: migration 5 rebuilds messages with every row, id and reference, and the same checks") {
    TempDir dir;
    const auto path = dir.file("state.db");
    const auto a = spamhaus_report("bob@example.net", "198.51.100.23");
    auto b = spamhaus_report("carol@example.org", "198.51.100.24");
    b.anomalies = {"header-too-large"};
    std::int64_t second = 0;
    {
        auto v4 = open_ok(path, 4);
        v4->record_message(input_for("raw-1", 1, &a), true);
        second = v4->record_message(input_for("raw-2", 2, &b), true).message_id;
        v4->record_message(input_for("raw-3", 3, nullptr), true);
        v4->query_int("DELETE FROM messages WHERE id = 1 RETURNING 0"); // a gap in the ids
    }
    auto s = open_ok(path);
    CHECK(s->schema_version() == 5);
    CHECK(s->query_int("SELECT COUNT(*) FROM messages") == 2);
    CHECK(s->query_int("SELECT id FROM messages WHERE fingerprint = '" + sha256_hex("raw-2") + "'") ==
          second);
    CHECK(s->query_int("SELECT COUNT(*) FROM messages WHERE anomalies = '[\"header-too-large\"]' AND "
                       "parse_status = 'parsed' AND kind = 'failed' AND provenance = 'unknown'") == 1);
    CHECK(s->query_int("SELECT COUNT(*) FROM pragma_foreign_key_check") == 0);
    CHECK(s->query_int("SELECT COUNT(*) FROM sqlite_master WHERE name = 'recipient_records_message'") == 0);
    CHECK(s->query_int("SELECT COUNT(*) FROM sqlite_master WHERE name = 'messages_event_at'") == 1);
    CHECK(s->query_int("SELECT COUNT(*) FROM sqlite_master WHERE name = 'messages_v5'") == 0);
    // The checks hold as before: a bad parse_status or fingerprint is refused.
    CHECK_THROWS(s->query_int("UPDATE messages SET parse_status = 'other' RETURNING 0"));
    CHECK_THROWS(s->query_int("UPDATE messages SET fingerprint = 'short' RETURNING 0"));
    // New messages take the next ids, and deleting a message still cascades to its rows.
    const auto fourth = s->record_message(input_for("raw-4", 4, &a), true).message_id;
    CHECK(fourth == 4);
    s->query_int("DELETE FROM messages WHERE id = " + std::to_string(second) + " RETURNING 0");
    CHECK(s->query_int("SELECT COUNT(*) FROM recipient_records WHERE message_id = " +
                       std::to_string(second)) == 0);
    CHECK(s->query_int("SELECT COUNT(*) FROM message_locations WHERE message_id = " +
                       std::to_string(second)) == 0);
    CHECK(s->query_int("SELECT COUNT(*) FROM pragma_foreign_key_check") == 0);
}

TEST_CASE("store: a migration another process applied meanwhile is skipped, not applied twice") {
    // Two ndr-triage processes opening one old state file: both read the old version, one migrates
    // first; the other must not re-run ALTER TABLE ("duplicate column name").
    TempDir dir;
    const auto path = dir.file("state.db");
    auto old = open_ok(path, 2);
    REQUIRE(old->schema_version() == 2);
    bool other_ran = false;
    old->set_fault_hook([&](std::string_view at) {
        if (at != "migrate" || other_ran) return;
        other_ran = true;
        auto other = open_ok(path);
        CHECK(other->schema_version() == k_schema_version);
    });
    old->migrate(k_schema_version);
    CHECK(other_ran);
    CHECK(old->schema_version() == k_schema_version);
    CHECK(old->query_int("SELECT COUNT(*) FROM schema_version") == k_schema_version);
    CHECK(old->query_int("SELECT COUNT(*) FROM pragma_table_info('messages') WHERE name = 'provenance'") ==
          1);
}

TEST_CASE("store: migrations are numbered 1..k_schema_version without gaps") {
    int want = 1;
    for (const auto& m : migrations())
        CHECK(m.version == want++);
    CHECK(want - 1 == k_schema_version);
}

TEST_CASE("store: a database newer than this binary is refused") {
    TempDir dir;
    const auto path = dir.file("state.db");
    { auto s = open_ok(path); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    const std::string sql =
        "INSERT INTO schema_version VALUES(" + std::to_string(k_schema_version + 1) + ", 'future', 0)";
    REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    auto again = Store::open(path);
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().find("newer") != std::string::npos);
}

TEST_CASE("store: a failure at any step of record_message leaves nothing behind") {
    const char* steps[] = {"begin", "message", "records", "incidents", "location", "checkpoint"};
    for (const char* step : steps) {
        CAPTURE(step);
        TempDir dir;
        auto s = open_ok(dir.file("state.db"));
        const auto first = spamhaus_report("bob@example.net", "198.51.100.23");
        s->record_message(input_for("raw-1", 1, &first), true);
        const auto before = s->totals();

        const auto second = spamhaus_report("carol@example.org", "198.51.100.23");
        s->set_fault_hook([step](std::string_view at) {
            if (at == step) throw std::runtime_error("injected");
        });
        CHECK_THROWS_AS(s->record_message(input_for("raw-2", 2, &second), true), std::runtime_error);
        s->set_fault_hook({});

        const auto after = s->totals();
        CHECK_MESSAGE(after.messages == before.messages,
                      "messages: got " << after.messages << ", want " << before.messages);
        CHECK(after.records == before.records);
        CHECK(after.list_hits == before.list_hits);
        CHECK(s->checkpoint("maildir:/m", "INBOX")->last_uid == 1);
        CHECK(s->incidents(true).at(0).bounces == 1);
        CHECK(s->query_int("SELECT COUNT(*) FROM message_locations") == 1);

        // And the same message goes through afterwards.
        CHECK(s->record_message(input_for("raw-2", 2, &second), true).is_new);
        CHECK(s->incidents(true).at(0).bounces == 2);
    }
}

TEST_CASE("store: a fingerprint recorded twice counts once and gains a location") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    const auto report = spamhaus_report("bob@example.net", "198.51.100.23");
    const auto a = s->record_message(input_for("same bytes", 1, &report), true);
    CHECK(a.is_new);
    auto moved = input_for("same bytes", 9, &report);
    moved.where.uid_validity = 8;
    const auto b = s->record_message(moved, true);
    CHECK_FALSE(b.is_new);
    CHECK(b.message_id == a.message_id);
    CHECK(s->totals().messages == 1);
    CHECK(s->totals().records == 1);
    CHECK(s->incidents(true).at(0).bounces == 1);
    CHECK(s->query_int("SELECT COUNT(*) FROM message_locations") == 2);
    CHECK(s->checkpoint("maildir:/m", "INBOX")->uid_validity == 8);
    CHECK(s->checkpoint("maildir:/m", "INBOX")->last_uid == 9);
}

TEST_CASE("store: incidents group by list and listed item, with domains and reasons") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    const auto r1 = spamhaus_report("bob@example.net", "198.51.100.23");
    const auto r2 = spamhaus_report("carol@example.org", "198.51.100.23");
    const auto r3 = spamhaus_report("dave@example.org", "198.51.100.99");
    const auto m1 = s->record_message(input_for("m1", 1, &r1), true).message_id;
    s->record_message(input_for("m2", 2, &r2), true);
    s->record_message(input_for("m3", 3, &r3), true);
    const auto incidents = s->incidents(true, {m1});
    REQUIRE(incidents.size() == 2);
    const auto& main = incidents[0].listed == "198.51.100.23" ? incidents[0] : incidents[1];
    CHECK(main.system == "spamhaus-zen");
    CHECK(main.bounces == 2);
    CHECK(main.records == 2);
    CHECK(main.new_bounces == 1);
    CHECK(main.first_seen == 1'790'000'001);
    CHECK(main.last_seen == 1'790'000'002);
    CHECK(main.recipient_domains.size() == 2);
    REQUIRE(main.reasons.size() == 1);
    CHECK(main.reasons[0] == std::pair<std::string, std::int64_t>{"blocked", 2});
    CHECK(s->query_int("SELECT COUNT(*) FROM events WHERE kind = 'opened'") == 2);
}

TEST_CASE("store: NDR text is sanitised on insert") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    auto r = spamhaus_report("bob@example.net", "198.51.100.23");
    r.subject = "Undelivered\x1b[31m red\r\nBcc: injected";
    r.recipients[0].diagnostic = std::string("550 \x07 bell\x9b") + "2J";
    s->record_message(input_for("m1", 1, &r), true);
    CHECK(s->query_int("SELECT COUNT(*) FROM messages WHERE instr(subject, char(27)) > 0 OR "
                       "instr(subject, char(13)) > 0 OR instr(subject, char(10)) > 0") == 0);
    CHECK(s->query_int("SELECT COUNT(*) FROM recipient_records WHERE instr(diagnostic, char(7)) > 0") == 0);
    CHECK(s->query_int("SELECT COUNT(*) FROM messages WHERE subject LIKE 'Undelivered%'") == 1);
}

TEST_CASE("store: an unparsed message is recorded with its fingerprint and error") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    auto in = input_for("garbage", 1, nullptr);
    in.status = ParseStatus::unparsed;
    in.error = "boom";
    CHECK(s->record_message(in, true).is_new);
    CHECK(s->totals().unparsed == 1);
    CHECK(s->find_message(sha256_hex("garbage")).has_value());
    CHECK_FALSE(s->message_is_ndr(*s->find_message(sha256_hex("garbage"))));
}

TEST_CASE("store: checkpoints never move backwards; reset drops old locations") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    s->advance_checkpoint(Location{"src", "F", 5, 10, ""}, 1);
    s->advance_checkpoint(Location{"src", "F", 5, 4, ""}, 2);
    CHECK(s->checkpoint("src", "F")->last_uid == 10);
    s->record_message(input_for("x", 3, nullptr), true);
    s->reset_checkpoint("maildir:/m", "INBOX", 99, 3);
    CHECK(s->checkpoint("maildir:/m", "INBOX")->uid_validity == 99);
    CHECK(s->checkpoint("maildir:/m", "INBOX")->last_uid == 0);
    CHECK(s->query_int("SELECT COUNT(*) FROM message_locations") == 0);
    CHECK(s->totals().messages == 1);
}

TEST_CASE("store: runs are recorded and the last one is reported") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    CHECK_FALSE(s->last_run().has_value());
    const auto id = s->begin_run("scan", "files", "(command line)", 100);
    s->finish_run(id, "ok", 5, 3, "", 110);
    const auto last = s->last_run();
    REQUIRE(last.has_value());
    CHECK(last->status == "ok");
    CHECK(last->messages == 5);
    CHECK(last->new_messages == 3);
    CHECK(last->finished_at == 110);
    for (int i = 0; i < 1100; ++i)
        s->begin_run("run", "imap://u@h:993", "INBOX", 200 + i);
    CHECK_MESSAGE(s->query_int("SELECT COUNT(*) FROM runs") <= 1001, "the run history must stay bounded");
    CHECK(s->last_run()->started_at == 1299);
}

TEST_CASE("store: inside a batch a failed message rolls back alone; the batch commits or rolls back whole") {
    const char* steps[] = {"begin", "message", "records", "incidents", "location", "checkpoint"};
    for (const char* step : steps) {
        CAPTURE(step);
        TempDir dir;
        auto s = open_ok(dir.file("state.db"));
        const auto first = spamhaus_report("bob@example.net", "198.51.100.23");
        const auto second = spamhaus_report("carol@example.org", "198.51.100.23");
        s->begin_batch();
        CHECK(s->in_batch());
        s->record_message(input_for("raw-1", 1, &first), true);
        s->set_fault_hook([step](std::string_view at) {
            if (at == step) throw std::runtime_error("injected");
        });
        CHECK_THROWS_AS(s->record_message(input_for("raw-2", 2, &second), true), std::runtime_error);
        s->set_fault_hook({});
        CHECK(s->in_batch());
        s->commit_batch();
        CHECK_FALSE(s->in_batch());
        CHECK(s->totals().messages == 1);
        CHECK(s->totals().records == 1);
        CHECK(s->checkpoint("maildir:/m", "INBOX")->last_uid == 1);
        CHECK(s->incidents(true).at(0).bounces == 1);
        CHECK(s->query_int("SELECT COUNT(*) FROM message_locations") == 1);
    }
}

TEST_CASE("store: an uncommitted batch leaves neither rows nor checkpoint (a killed process)") {
    TempDir dir;
    {
        auto s = open_ok(dir.file("state.db"));
        const auto report = spamhaus_report("bob@example.net", "198.51.100.23");
        s->record_message(input_for("raw-1", 1, &report), true);
        s->begin_batch();
        s->record_message(input_for("raw-2", 2, &report), true);
        s->record_message(input_for("raw-3", 3, &report), true);
        CHECK(s->totals().messages == 3); // visible inside the batch
        s->rollback_batch();
        CHECK(s->totals().messages == 1);
        s->begin_batch();
        s->record_message(input_for("raw-4", 4, &report), true);
        // Closed without commit_batch(): as if killed.
    }
    auto s = open_ok(dir.file("state.db"));
    CHECK(s->totals().messages == 1);
    CHECK(s->checkpoint("maildir:/m", "INBOX")->last_uid == 1);
    CHECK(s->incidents(true).at(0).bounces == 1);
}

TEST_CASE("store: a batch that SQLite rolled back by itself is an error, never a silent commit") {
    // SQLite drops the whole transaction on its own on SQLITE_FULL and some I/O errors. A commit that
    // then did nothing and reported success let the scan mark messages on the server that were never
    // recorded (tests/integration/fault_store.sh found it). ROLLBACK behind the Store's back does the same.
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    const auto report = spamhaus_report("bob@example.net", "198.51.100.23");
    s->begin_batch();
    s->record_message(input_for("raw-1", 1, &report), true);
    s->query_int("ROLLBACK");
    CHECK(s->in_batch());                                   // the Store still believes in it...
    CHECK_THROWS_AS(s->commit_batch(), std::runtime_error); // ...and says it was lost when asked to commit
    CHECK_FALSE(s->in_batch());
    CHECK(s->totals().messages == 0);

    s->begin_batch();
    s->record_message(input_for("raw-2", 2, &report), true);
    s->query_int("ROLLBACK");
    CHECK_THROWS_AS(s->begin_batch(), std::runtime_error); // reopening a lost batch is refused too
    s->begin_batch();                                      // after the error a new batch starts cleanly
    s->record_message(input_for("raw-3", 3, &report), true);
    s->commit_batch();
    CHECK(s->totals().messages == 1);
}

TEST_CASE("store: a batch without savepoints sums incidents and the checkpoint, written at its commit") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    const auto a = spamhaus_report("bob@example.net", "198.51.100.23");
    auto b = spamhaus_report("carol@example.org", "198.51.100.23");
    b.recipients.push_back(b.recipients[0]);
    b.recipients[1].final_recipient = "dave@example.org";
    b.recipients[1].verdict.receiver_resolver_error = true;
    // An incident resolved earlier is reopened by the batch's first bounce, once.
    s->record_message(input_for("raw-0", 1, &a), true);
    s->query_int("UPDATE incidents SET status = 'resolved' RETURNING 0");
    s->begin_batch(false);
    auto in1 = input_for("raw-1", 5, &a);
    in1.event_at = 1'700'000'000; // earlier than every other
    s->record_message(in1, true);
    s->record_message(input_for("raw-2", 3, &b), true); // a lower UID: the checkpoint keeps the highest
    s->advance_checkpoint(Location{"maildir:/m", "INBOX", 7, 4, ""}, 1'800'000'100);
    CHECK(s->checkpoint("maildir:/m", "INBOX")->last_uid == 5); // readers see what is pending
    s->record_message(input_for("raw-3", 6, &a), true);
    s->commit_batch();
    const auto i = s->incidents(true).at(0);
    CHECK(i.status == "open");
    CHECK(i.bounces == 4);
    CHECK(i.records == 5);
    CHECK(i.resolver_errors == 1);
    CHECK(i.first_seen == 1'700'000'000);
    CHECK(i.last_seen == 1'790'000'006);
    CHECK(s->query_int("SELECT COUNT(*) FROM events WHERE kind = 'reopened'") == 1);
    CHECK(s->query_int("SELECT COUNT(*) FROM events WHERE kind = 'opened'") == 1);
    CHECK(s->checkpoint("maildir:/m", "INBOX")->last_uid == 6);
    CHECK(s->totals().list_hits == 5);
}

TEST_CASE("store: a failed message spoils a batch without savepoints: it is never committed in part") {
    const char* steps[] = {"begin", "message", "records", "incidents", "location", "checkpoint"};
    for (const char* step : steps) {
        CAPTURE(step);
        TempDir dir;
        auto s = open_ok(dir.file("state.db"));
        const auto first = spamhaus_report("bob@example.net", "198.51.100.23");
        const auto second = spamhaus_report("carol@example.org", "198.51.100.24");
        s->record_message(input_for("raw-0", 1, &first), true);
        s->begin_batch(false);
        s->record_message(input_for("raw-1", 2, &first), true);
        s->set_fault_hook([step](std::string_view at) {
            if (at == step) throw std::runtime_error("injected");
        });
        CHECK_THROWS_AS(s->record_message(input_for("raw-2", 3, &second), true), std::runtime_error);
        s->set_fault_hook({});
        // Nothing more goes into it, and it cannot be committed: only rolled back, whole.
        CHECK_THROWS_AS(s->record_message(input_for("raw-3", 4, &first), true), std::runtime_error);
        CHECK_THROWS_AS(s->advance_checkpoint(Location{"maildir:/m", "INBOX", 7, 9, ""}, 1),
                        std::runtime_error);
        CHECK_THROWS_AS(s->commit_batch(), std::runtime_error);
        CHECK_FALSE(s->in_batch());
        CHECK(s->totals().messages == 1);
        CHECK(s->totals().incidents == 1);
        CHECK(s->incidents(true).at(0).bounces == 1);
        CHECK(s->checkpoint("maildir:/m", "INBOX")->last_uid == 1);
        // The next batch starts clean.
        s->begin_batch(false);
        s->record_message(input_for("raw-1", 2, &first), true);
        s->record_message(input_for("raw-2", 3, &second), true);
        s->commit_batch();
        CHECK(s->totals().messages == 3);
        CHECK(s->totals().incidents == 2);
        CHECK(s->checkpoint("maildir:/m", "INBOX")->last_uid == 3);
    }
}

TEST_CASE("store: a duplicate fingerprint in a batch without savepoints only gains its location") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    const auto report = spamhaus_report("bob@example.net", "198.51.100.23");
    s->begin_batch(false);
    const auto a = s->record_message(input_for("same", 1, &report), true);
    const auto b = s->record_message(input_for("same", 2, &report), true);
    s->commit_batch();
    CHECK(a.is_new);
    CHECK_FALSE(b.is_new);
    CHECK(a.message_id == b.message_id);
    CHECK(s->totals().messages == 1);
    CHECK(s->totals().records == 1);
    CHECK(s->incidents(true).at(0).bounces == 1);
    CHECK(s->query_int("SELECT COUNT(*) FROM message_locations") == 2);
}

TEST_CASE("store: anomalies are stored as the JSON array nlohmann::json writes, escapes and all") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    const std::vector<std::vector<std::string>> cases = {
        {},
        {"header-too-large"},
        {"quote\"d", "back\\slash", "two  spaces ", "caf\xC3\xA9", "tab\there",
         "bad\xFF"
         "byte"},
        std::vector<std::string>(70, "many"), // capped at 64
    };
    std::uint32_t uid = 0;
    for (const auto& anomalies : cases) {
        auto report = spamhaus_report("bob@example.net", "198.51.100.23");
        report.anomalies = anomalies;
        ++uid;
        const auto id =
            s->record_message(input_for("raw-" + std::to_string(uid), uid, &report), true).message_id;
        nlohmann::json want = nlohmann::json::array();
        for (std::size_t i = 0; i < anomalies.size() && i < 64; ++i)
            want.push_back(cl::sanitise(anomalies[i], 512));
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open_v2(dir.file("state.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
                SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(db, "SELECT anomalies FROM messages WHERE id = ?", -1, &st, nullptr) ==
                SQLITE_OK);
        sqlite3_bind_int64(st, 1, id);
        REQUIRE(sqlite3_step(st) == SQLITE_ROW);
        CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == want.dump());
        sqlite3_finalize(st);
        sqlite3_close(db);
    }
}

TEST_CASE("store: derived values are kept by key and replaced") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    CHECK_FALSE(s->derived("k").has_value());
    s->set_derived("k", "one");
    CHECK(s->derived("k") == "one");
    s->set_derived("k", "two");
    CHECK(s->derived("k") == "two");
    CHECK_FALSE(s->derived("other").has_value());
}

TEST_CASE("store: the incident inputs digest changes with a message, an incident or a draft, and only then") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    const auto empty = s->incident_inputs_digest();
    CHECK(empty.size() == 64);
    CHECK(s->incident_inputs_digest() == empty);

    const auto report = spamhaus_report("bob@example.net", "198.51.100.23");
    s->record_message(input_for("raw-1", 1, &report), true);
    const auto one = s->incident_inputs_digest();
    CHECK(one != empty);
    s->totals();
    s->incidents(true);
    CHECK(s->incident_inputs_digest() == one); // reading changes nothing

    const auto second = spamhaus_report("carol@example.net", "198.51.100.23"); // same incident
    s->record_message(input_for("raw-2", 2, &second), true);
    const auto two = s->incident_inputs_digest();
    CHECK(two != one);

    const auto id = s->incidents(true).at(0).id;
    CHECK(s->set_incident_status(id, "fix-first", "test", 1'800'000'100));
    const auto fix_first = s->incident_inputs_digest();
    CHECK(fix_first != two);

    const auto [draft, what] =
        s->upsert_draft(id, DraftText{"form", "", "Removal", "body", ""}, "example.com", 1);
    CHECK(what == DraftUpsert::created);
    const auto drafted = s->incident_inputs_digest();
    CHECK(drafted != fix_first);
    s->set_draft_status(draft, "approved", 2);
    const auto approved = s->incident_inputs_digest();
    CHECK(approved != drafted);
    s->set_draft_imap_copy(draft, "<copy@example.com>");
    CHECK(s->incident_inputs_digest() != approved);
}

TEST_CASE("store: reasons over a pass's message ids, consecutive or not, each id counted once") {
    TempDir dir;
    auto s = open_ok(dir.file("state.db"));
    std::vector<std::int64_t> ids;
    const cl::Reason reasons[] = {cl::Reason::blocked, cl::Reason::authfailure, cl::Reason::blocked,
                                  cl::Reason::badreputation};
    for (std::uint32_t i = 0; i < 4; ++i) {
        auto report = spamhaus_report("u" + std::to_string(i) + "@example.net", "198.51.100.23");
        report.recipients.at(0).verdict.reason = reasons[i];
        ids.push_back(
            s->record_message(input_for("raw-r" + std::to_string(i), i + 1, &report), true).message_id);
    }
    const auto count_of = [](const Counts& c, const std::string& reason) {
        for (const auto& [r, n] : c)
            if (r == reason) return n;
        return std::int64_t{0};
    };
    const auto all = s->reasons(ids);
    CHECK(count_of(all, "blocked") == 2);
    CHECK(count_of(all, "authfailure") == 1);
    CHECK(count_of(all, "badreputation") == 1);
    CHECK(all.front().first == "blocked");
    const auto gaps = s->reasons({ids[3], ids[0], ids[0]}); // unsorted, repeated, not consecutive
    CHECK(count_of(gaps, "blocked") == 1);
    CHECK(count_of(gaps, "badreputation") == 1);
    CHECK(count_of(gaps, "authfailure") == 0);
    CHECK(s->reasons({}).empty());
    CHECK(s->reasons({ids[1] + 1000}).empty());
}
