// test_agent_scan.cpp — agent/scan: the loop over a fake MailSource (UIDVALIDITY change, dedupe, bad
// messages, fetch failures, --since, stop requests) and mail date parsing.
#include "agent/scan.hpp"
#include "agent/store/store.hpp"

#include <doctest/doctest.h>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace ndr::agent;
namespace cl = ndr::classifiers;

namespace {

struct TempDb {
    std::string dir;
    std::unique_ptr<store::Store> db;
    TempDb() {
        char tmpl[] = "/tmp/ndr-scan-test-XXXXXX";
        const char* d = ::mkdtemp(tmpl);
        REQUIRE(d != nullptr);
        dir = d;
        auto s = store::Store::open(dir + "/state.db");
        REQUIRE(s.has_value());
        db = std::move(*s);
    }
    ~TempDb() {
        db.reset();
        std::system(("rm -rf '" + dir + "'").c_str());
    }
};

// An IMAP-like folder held in memory: UID → bytes.
class FakeSource : public MailSource {
  public:
    std::uint32_t uid_validity = 1;
    std::map<std::uint32_t, std::string> messages;
    std::map<std::uint32_t, std::string> dates; // internal dates
    std::map<std::uint32_t, bool> marked;       // uid → is_ndr
    std::set<std::uint32_t> failing;            // fetch throws
    std::set<std::uint32_t> vanishing;          // fetch returns nullopt
    std::function<void(std::uint32_t)> on_fetch;
    bool open_fails = false;

    FolderState open() override {
        if (open_fails) throw std::runtime_error("connection refused");
        return {"fake://box", "INBOX", uid_validity, 0};
    }
    std::vector<std::uint32_t> list_after(std::uint32_t after) override {
        std::vector<std::uint32_t> out;
        for (const auto& [uid, raw] : messages)
            if (uid > after) out.push_back(uid);
        return out;
    }
    std::optional<SourceMessage> fetch(std::uint32_t uid) override {
        if (on_fetch) on_fetch(uid);
        if (failing.count(uid)) throw std::runtime_error("fetch failed");
        if (vanishing.count(uid)) return std::nullopt;
        return SourceMessage{uid, "INBOX/" + std::to_string(uid), messages.at(uid), dates[uid]};
    }
    void mark_processed(std::uint32_t uid, bool is_ndr) override { marked[uid] = is_ndr; }
    // As IMAP's UNKEYWORD search: listed UIDs up to last_uid that were never marked.
    std::vector<std::uint32_t> unmarked_up_to(std::uint32_t last_uid) override {
        std::vector<std::uint32_t> out;
        for (const auto& [uid, raw] : messages)
            if (uid <= last_uid && !marked.contains(uid)) out.push_back(uid);
        return out;
    }
};

// "NDR <list> <listed>" → a failed report with one record and one hit; "PLAIN" → not an NDR;
// "THROW" → the analyser throws.
cl::DeliveryReport fake_analyse(std::string_view raw) {
    if (raw.starts_with("THROW")) throw std::runtime_error("analyser exploded");
    cl::DeliveryReport r;
    if (!raw.starts_with("NDR")) return r;
    r.kind = cl::Kind::failed;
    cl::RecipientRecord rec;
    rec.final_recipient = "user@example.net";
    rec.verdict.reason = cl::Reason::blocked;
    rec.verdict.lists.push_back({"spamhaus-zen", "198.51.100.23", "zone-reject", "blocked", 50});
    r.recipients.push_back(rec);
    return r;
}

std::string ndr_text(int n) {
    return "NDR #" + std::to_string(n);
}

} // namespace

TEST_CASE("scan: first pass records everything, a second pass nothing") {
    TempDb t;
    FakeSource src;
    for (std::uint32_t uid : {3u, 5u, 8u})
        src.messages[uid] = ndr_text(static_cast<int>(uid));
    src.messages[9] = "PLAIN hello";
    auto r = scan_source(src, *t.db, fake_analyse);
    CHECK(r.messages == 4);
    CHECK(r.new_messages == 4);
    CHECK(r.ndrs == 3);
    CHECK(r.records == 3);
    CHECK(src.marked.size() == 4);
    CHECK(src.marked[3]);
    CHECK_FALSE(src.marked[9]);
    CHECK(t.db->checkpoint("fake://box", "INBOX")->last_uid == 9);
    CHECK(t.db->incidents(true).at(0).bounces == 3);

    auto again = scan_source(src, *t.db, fake_analyse);
    CHECK(again.messages == 0);
    CHECK(again.new_messages == 0);
    CHECK(t.db->totals().messages == 4);
    CHECK(t.db->last_run()->status == "ok");
}

TEST_CASE("scan: a pass ends with its pages in the database file, checkpointed beside the caller") {
    TempDb t;
    FakeSource src;
    for (std::uint32_t uid = 1; uid <= 60; ++uid)
        src.messages[uid] = ndr_text(static_cast<int>(uid));
    auto r = scan_source(src, *t.db, fake_analyse);
    REQUIRE(r.new_messages == 60);
    // The last commit left its checkpoint to another connection (the automatic one is off until the
    // store records again or closes).
    CHECK(t.db->query_int("PRAGMA wal_autocheckpoint") == 0);
    const auto pages = t.db->query_int("PRAGMA page_count");
    const auto page_size = t.db->query_int("PRAGMA page_size");
    t.db.reset(); // waits for that checkpoint; closing makes none of its own
    struct stat st {};
    REQUIRE(::stat((t.dir + "/state.db").c_str(), &st) == 0);
    // Without it these pages would still be in the WAL alone (fewer than wal_autocheckpoint of them)
    // and the database file a page or two. The run's closing row may come after the checkpoint.
    CHECK(st.st_size >= (pages - 2) * page_size);
}

TEST_CASE("scan: messages recorded but left unmarked by a killed scan are marked by the next one") {
    TempDb t;
    FakeSource src;
    for (std::uint32_t uid = 1; uid <= 4; ++uid)
        src.messages[uid] = ndr_text(static_cast<int>(uid));
    src.messages[5] = "PLAIN hello";
    scan_source(src, *t.db, fake_analyse);
    REQUIRE(src.marked.size() == 5);
    // Killed between the commit and the marking: the store has them, the folder shows no mark. UID 6
    // sits below the checkpoint without ever having been recorded (say, delivered late with a low
    // UID): it is not this state's to mark.
    src.marked.erase(2);
    src.marked.erase(5);
    src.messages[6] = ndr_text(6);
    t.db->query_int("UPDATE checkpoints SET last_uid = 6 RETURNING 0");
    src.messages[7] = ndr_text(7);
    auto r = scan_source(src, *t.db, fake_analyse);
    CHECK(r.remarked == 2);
    CHECK(r.new_messages == 1);
    REQUIRE(src.marked.contains(2));
    CHECK(src.marked[2]); // an NDR: marked as one (a processed folder would take it)
    REQUIRE(src.marked.contains(5));
    CHECK_FALSE(src.marked[5]); // not an NDR
    CHECK_FALSE(src.marked.contains(6));
    CHECK(src.marked.contains(7));
    // Nothing left to mark: the pass after marks nothing again.
    CHECK(scan_source(src, *t.db, fake_analyse).remarked == 0);
}

TEST_CASE("scan: a UIDVALIDITY change rescans and recognises recorded messages by fingerprint") {
    TempDb t;
    FakeSource src;
    for (std::uint32_t uid = 1; uid <= 4; ++uid)
        src.messages[uid] = ndr_text(static_cast<int>(uid));
    scan_source(src, *t.db, fake_analyse);
    REQUIRE(t.db->totals().messages == 4);

    // The server renumbers everything and one new message arrives.
    FakeSource renumbered;
    renumbered.uid_validity = 2;
    for (std::uint32_t uid = 1; uid <= 4; ++uid)
        renumbered.messages[100 + uid] = ndr_text(static_cast<int>(uid));
    renumbered.messages[105] = ndr_text(5);
    auto r = scan_source(renumbered, *t.db, fake_analyse);
    CHECK(r.uidvalidity_changed);
    CHECK(r.messages == 5);
    CHECK_MESSAGE(r.new_messages == 1, "got " << r.new_messages << " new, want 1");
    CHECK(r.duplicates == 4);
    CHECK(t.db->totals().messages == 5);
    CHECK(t.db->incidents(true).at(0).bounces == 5);
    CHECK(t.db->checkpoint("fake://box", "INBOX")->uid_validity == 2);
    CHECK(t.db->checkpoint("fake://box", "INBOX")->last_uid == 105);
    // The locations now point at the new UIDs only.
    CHECK(t.db->query_int("SELECT COUNT(*) FROM message_locations WHERE uidvalidity = 2") == 5);
    CHECK(t.db->query_int("SELECT COUNT(*) FROM message_locations WHERE uidvalidity = 1") == 0);
    // Already recorded messages are still marked (an earlier run may have died before marking).
    CHECK(renumbered.marked.size() == 5);
}

TEST_CASE("scan: an analyser exception records the message as unparsed and the scan goes on") {
    TempDb t;
    FakeSource src;
    src.messages[1] = ndr_text(1);
    src.messages[2] = "THROW me";
    src.messages[3] = ndr_text(3);
    auto r = scan_source(src, *t.db, fake_analyse);
    CHECK(r.new_messages == 3);
    CHECK(r.unparsed == 1);
    CHECK(r.ndrs == 2);
    CHECK(t.db->totals().unparsed == 1);
    CHECK(t.db->query_int("SELECT COUNT(*) FROM messages WHERE error LIKE '%exploded%'") == 1);
    CHECK_FALSE(src.marked.at(2));
    CHECK(t.db->checkpoint("fake://box", "INBOX")->last_uid == 3);
}

TEST_CASE("scan: a failed fetch freezes the checkpoint; the next pass records it without double counting") {
    TempDb t;
    FakeSource src;
    for (std::uint32_t uid = 1; uid <= 4; ++uid)
        src.messages[uid] = ndr_text(static_cast<int>(uid));
    src.failing = {2};
    auto r = scan_source(src, *t.db, fake_analyse);
    CHECK(r.fetch_errors == 1);
    CHECK(r.new_messages == 3);
    CHECK_FALSE(r.source_error);
    CHECK(t.db->checkpoint("fake://box", "INBOX")->last_uid == 1);

    src.failing.clear();
    auto again = scan_source(src, *t.db, fake_analyse);
    CHECK(again.new_messages == 1);
    CHECK(again.duplicates == 2);
    CHECK(t.db->totals().messages == 4);
    CHECK(t.db->incidents(true).at(0).bounces == 4);
    CHECK(t.db->checkpoint("fake://box", "INBOX")->last_uid == 4);
}

TEST_CASE("scan: too many fetch failures in a row end the pass as a source error") {
    TempDb t;
    FakeSource src;
    for (std::uint32_t uid = 1; uid <= 10; ++uid) {
        src.messages[uid] = ndr_text(static_cast<int>(uid));
        src.failing.insert(uid);
    }
    ScanOptions options;
    options.max_consecutive_fetch_errors = 3;
    auto r = scan_source(src, *t.db, fake_analyse, options);
    CHECK(r.source_error);
    CHECK(r.fetch_errors == 3);
    CHECK(t.db->last_run()->status == "error");
}

TEST_CASE("scan: a source that cannot be opened is reported, not thrown") {
    TempDb t;
    FakeSource src;
    src.open_fails = true;
    auto r = scan_source(src, *t.db, fake_analyse);
    CHECK(r.source_error);
    CHECK(r.error.find("connection refused") != std::string::npos);
}

TEST_CASE("scan: vanished messages are skipped and the checkpoint moves past them") {
    TempDb t;
    FakeSource src;
    for (std::uint32_t uid = 1; uid <= 3; ++uid)
        src.messages[uid] = ndr_text(static_cast<int>(uid));
    src.vanishing = {3};
    auto r = scan_source(src, *t.db, fake_analyse);
    CHECK(r.vanished == 1);
    CHECK(r.new_messages == 2);
    CHECK(t.db->checkpoint("fake://box", "INBOX")->last_uid == 3);
}

TEST_CASE("scan: --since skips older messages without moving the checkpoint past them") {
    TempDb t;
    FakeSource src;
    src.messages[1] = ndr_text(1);
    src.dates[1] = "2026-01-01T00:00:00Z";
    src.messages[2] = ndr_text(2);
    src.dates[2] = "2026-11-20T00:00:00Z";
    ScanOptions options;
    options.since = parse_mail_date("2026-11-01");
    auto r = scan_source(src, *t.db, fake_analyse, options);
    CHECK(r.skipped_since == 1);
    CHECK(r.new_messages == 1);
    CHECK(t.db->checkpoint("fake://box", "INBOX").has_value() == false);

    auto all = scan_source(src, *t.db, fake_analyse);
    CHECK(all.new_messages == 1);
    CHECK(all.duplicates == 1);
    CHECK(t.db->checkpoint("fake://box", "INBOX")->last_uid == 2);
}

TEST_CASE("scan: a stop request finishes the message in hand and stops") {
    TempDb t;
    FakeSource src;
    for (std::uint32_t uid = 1; uid <= 10; ++uid)
        src.messages[uid] = ndr_text(static_cast<int>(uid));
    src.on_fetch = [](std::uint32_t uid) {
        if (uid == 4) request_stop();
    };
    auto r = scan_source(src, *t.db, fake_analyse);
    clear_stop_request();
    CHECK(r.interrupted);
    CHECK(r.new_messages == 4);
    CHECK(t.db->checkpoint("fake://box", "INBOX")->last_uid == 4);
    CHECK(t.db->last_run()->status == "interrupted");

    src.on_fetch = nullptr;
    auto rest = scan_source(src, *t.db, fake_analyse);
    CHECK(rest.new_messages == 6);
    CHECK(t.db->totals().messages == 10);
}

TEST_CASE("scan: a message that fails to record is redone alone, its batch's other messages kept") {
    // A batch records without a savepoint per message: when one fails, the batch is rolled back and
    // redone with one savepoint per message. A failure that happens once is then recorded on the
    // redo; a failure that happens again ends the pass with the messages before it recorded and
    // marked, and none after it.
    for (const char* step : {"begin", "message", "records", "incidents", "location", "checkpoint"}) {
        CAPTURE(step);
        TempDb t;
        FakeSource src;
        for (std::uint32_t uid = 1; uid <= 6; ++uid)
            src.messages[uid] = ndr_text(static_cast<int>(uid));
        src.vanishing = {2};
        int calls = 0;
        t.db->set_fault_hook([&](std::string_view at) {
            if (at == step && ++calls == 3) throw std::runtime_error("injected once");
        });
        auto r = scan_source(src, *t.db, fake_analyse);
        CHECK(r.new_messages == 5);
        CHECK(r.ndrs == 5);
        CHECK(r.records == 5);
        CHECK(r.duplicates == 0);
        CHECK(r.vanished == 1);
        CHECK(r.new_message_ids.size() == 5);
        CHECK(src.marked.size() == 5);
        CHECK(t.db->totals().messages == 5);
        CHECK(t.db->totals().records == 5);
        CHECK(t.db->incidents(true).at(0).bounces == 5);
        CHECK(t.db->query_int("SELECT COUNT(*) FROM events WHERE kind = 'opened'") == 1);
        CHECK(t.db->checkpoint("fake://box", "INBOX")->last_uid == 6);
        CHECK(t.db->last_run()->status == "ok");
    }
    for (const char* step : {"begin", "records", "incidents", "checkpoint"}) {
        CAPTURE(step);
        TempDb t;
        FakeSource src;
        for (std::uint32_t uid = 1; uid <= 6; ++uid)
            src.messages[uid] = ndr_text(static_cast<int>(uid));
        // UID 4 is the fourth message recorded, and again the fourth when its batch is redone.
        t.db->set_fault_hook([&, begun = 0](std::string_view at) mutable {
            if (at == "begin") ++begun;
            if (at == step && (begun == 4 || begun == 8)) throw std::runtime_error("injected always");
        });
        CHECK_THROWS_AS(scan_source(src, *t.db, fake_analyse), std::runtime_error);
        t.db->set_fault_hook({});
        CHECK(t.db->totals().messages == 3);
        CHECK(t.db->incidents(true).at(0).bounces == 3);
        CHECK(t.db->checkpoint("fake://box", "INBOX")->last_uid == 3);
        CHECK(src.marked.size() == 3);
        CHECK_FALSE(src.marked.contains(4));
        CHECK(t.db->last_run()->status == "error");
        // The next pass records the rest, each message once.
        auto rest = scan_source(src, *t.db, fake_analyse);
        CHECK(rest.new_messages == 3);
        CHECK(t.db->totals().messages == 6);
        CHECK(t.db->incidents(true).at(0).bounces == 6);
    }
}

TEST_CASE("scan: large messages that fill the queues by bytes, and many small ones, all pass through") {
    // The queues between the threads wake their consumer per batch of messages, or when the producer
    // is blocked on a full queue: neither a few large messages nor a long run of small ones stalls.
    for (const std::size_t size : {std::size_t{3} * 1024 * 1024, std::size_t{64}}) {
        CAPTURE(size);
        TempDb t;
        FakeSource src;
        const std::uint32_t count = size > 1024 ? 12 : 1000;
        for (std::uint32_t uid = 1; uid <= count; ++uid)
            src.messages[uid] = ndr_text(static_cast<int>(uid)) + " " + std::string(size, 'x');
        auto r = scan_source(src, *t.db, fake_analyse);
        CHECK(r.new_messages == count);
        CHECK(src.marked.size() == count);
        CHECK(t.db->checkpoint("fake://box", "INBOX")->last_uid == count);
    }
}

TEST_CASE("scan: progress is reported for every UID") {
    TempDb t;
    FakeSource src;
    for (std::uint32_t uid = 1; uid <= 3; ++uid)
        src.messages[uid] = ndr_text(static_cast<int>(uid));
    std::vector<std::size_t> seen;
    ScanOptions options;
    options.on_progress = [&](const ScanProgress& p) {
        CHECK(p.total == 3);
        seen.push_back(p.done);
    };
    scan_source(src, *t.db, fake_analyse, options);
    CHECK(seen == std::vector<std::size_t>{0, 1, 2, 3});
}

struct DateCase {
    const char* text;
    std::int64_t want; // -1: not a date
};

TEST_CASE("scan: parse_mail_date reads RFC 5322, RFC 3339, plain dates and asctime") {
    const DateCase cases[] = {
        {"Mon, 16 Nov 2026 09:12:03 +0000", 1794820323},
        {"Mon, 16 Nov 2026 09:12:03 +0000 (UTC)", 1794820323},
        {"16 Nov 2026 10:12:03 +0100", 1794820323},
        {"Mon, 16 Nov 2026 04:12:03 EST", 1794820323},
        {"Mon, 16 Nov 26 09:12:03 GMT", 1794820323},
        {"Mon, 16 Nov 2026 09:12 +0000", 1794820320},
        {"2026-11-16T09:12:03Z", 1794820323},
        {"2026-11-16T10:12:03.250+01:00", 1794820323},
        {"2026-11-16", 1794787200},
        {"Mon Nov 16 09:12:03 2026", 1794820323},
        {"", -1},
        {"yesterday", -1},
        {"2026-13-01", -1},
        {"Mon, 32 Nov 2026 09:12:03 +0000", -1},
    };
    for (const auto& c : cases) {
        CAPTURE(c.text);
        const auto got = parse_mail_date(c.text);
        if (c.want < 0) {
            CHECK_FALSE(got.has_value());
        } else {
            REQUIRE(got.has_value());
            CHECK_MESSAGE(*got == c.want, "got " << *got << " (" << format_utc(*got) << "), want " << c.want);
        }
    }
    CHECK(format_utc(1794820323) == "2026-11-16T09:12:03Z");
}
