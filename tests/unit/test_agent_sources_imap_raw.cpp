// test_agent_sources_imap_raw.cpp — the raw IMAP layer without a server: response reassembly and caps,
// item and FETCH parsing, UID filtering, mailbox encoding, and the session (pipelining, IDLE, BYE,
// timeouts) against a scripted transport.
#include "agent/sources/imap_raw.hpp"
#include "classifiers/limits.hpp"

#include <deque>
#include <doctest/doctest.h>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace ndr::agent::imap;

namespace {

std::deque<Response> feed_all(std::initializer_list<std::string_view> chunks) {
    ResponseReader reader;
    std::deque<Response> out;
    for (auto c : chunks)
        reader.feed(c, out);
    return out;
}

// A server in a script: each command line the client sends (without CRLF) is looked up; its reply is
// queued for receive(). `later` replies are handed out only after `delay_polls` empty receives.
class ScriptedTransport : public Transport {
  public:
    std::map<std::string, std::string> replies;
    std::vector<std::string> sent;
    std::string queued;
    std::string later;
    int delay_polls = 0;
    bool closed = false;

    void send(std::string_view bytes) override {
        std::string s(bytes);
        if (s.size() >= 2 && s.ends_with("\r\n")) s.resize(s.size() - 2);
        sent.push_back(s);
        auto it = replies.find(s);
        if (it != replies.end()) queued += it->second;
    }
    std::size_t receive(char* buffer, std::size_t size) override {
        if (queued.empty() && !later.empty()) {
            if (delay_polls > 0) {
                --delay_polls;
                return 0;
            }
            queued = std::move(later);
            later.clear();
        }
        if (queued.empty()) {
            if (closed) throw ImapError(ImapError::Kind::connect, "closed");
            return 0;
        }
        // Hand out at most 7 bytes at a time: every response crosses reads.
        std::size_t n = std::min({size, queued.size(), std::size_t(7)});
        std::copy_n(queued.data(), n, buffer);
        queued.erase(0, n);
        return n;
    }
};

} // namespace

TEST_CASE("imap: reader splits tagged, untagged and continuation responses across reads") {
    auto out = feed_all({"* 3 EXI", "STS\r", "\n+ idling\r\nn1 OK do", "ne\r\n"});
    REQUIRE(out.size() == 3);
    CHECK(out[0].kind == Response::Kind::untagged);
    CHECK(out[0].text == "3 EXISTS");
    CHECK(out[1].kind == Response::Kind::continuation);
    CHECK(out[1].text == "idling");
    CHECK(out[2].kind == Response::Kind::tagged);
    CHECK(out[2].tag == "n1");
    CHECK(out[2].text == "OK done");
}

TEST_CASE("imap: reader keeps literal bytes verbatim, CRLF and braces included") {
    const std::string body = "Subject: x\r\n\r\n{5}\r\nline\r\n";
    const std::string wire =
        "* 1 FETCH (UID 7 BODY[] {" + std::to_string(body.size()) + "}\r\n" + body + ")\r\n";
    ResponseReader reader;
    std::deque<Response> out;
    for (char c : wire)
        reader.feed(std::string_view(&c, 1), out);
    REQUIRE(out.size() == 1);
    REQUIRE(out[0].literals.size() == 1);
    CHECK_MESSAGE(out[0].literals[0] == body, "got ", out[0].literals[0]);
    CHECK_FALSE(out[0].truncated);
    CHECK(reader.idle());
}

TEST_CASE("imap: reader refuses a response line over the cap") {
    ResponseReader reader;
    std::deque<Response> out;
    std::string chunk(1024 * 1024, 'a');
    bool threw = false;
    try {
        for (std::size_t i = 0; i <= ndr::classifiers::k_max_imap_line_bytes / chunk.size(); ++i)
            reader.feed(chunk, out);
    } catch (const ImapError& e) {
        threw = true;
        CHECK(e.kind() == ImapError::Kind::protocol);
    }
    CHECK(threw);
}

TEST_CASE("imap: reader refuses too many literals in one response") {
    std::string wire = "* 1 FETCH (";
    for (std::size_t i = 0; i <= ndr::classifiers::k_max_imap_literals; ++i)
        wire += "X {1}\r\nx ";
    wire += ")\r\n";
    ResponseReader reader;
    std::deque<Response> out;
    CHECK_THROWS_AS(reader.feed(wire, out), ImapError);
}

TEST_CASE("imap: parse_fetch reads UID, size, flags, internal date and the body") {
    auto out = feed_all({"* 12 FETCH (UID 5 RFC822.SIZE 4 FLAGS (\\Seen $NDRTriaged) INTERNALDATE "
                         "\"23-Nov-2026 18:25:49 +0100\" BODY[] {4}\r\nab\r\n)\r\n"});
    REQUIRE(out.size() == 1);
    auto f = parse_fetch(out[0]);
    REQUIRE(f);
    CHECK(f->seq == 12);
    CHECK(f->uid == 5u);
    CHECK(f->size == 4u);
    REQUIRE(f->flags);
    CHECK(*f->flags == std::vector<std::string>{"\\Seen", "$NDRTriaged"});
    CHECK(f->internal_date == "23-Nov-2026 18:25:49 +0100");
    CHECK(f->body == "ab\r\n");
}

TEST_CASE("imap: parse_fetch ignores other responses and rejects malformed FETCH") {
    Response exists{Response::Kind::untagged, "", "3 EXISTS", {}, false};
    CHECK_FALSE(parse_fetch(exists));
    Response odd{Response::Kind::untagged, "", "3 FETCH (UID)", {}, false};
    CHECK_THROWS_AS(parse_fetch(odd), ImapError);
    Response bad_uid{Response::Kind::untagged, "", "3 FETCH (UID x)", {}, false};
    CHECK_THROWS_AS(parse_fetch(bad_uid), ImapError);
    Response unbalanced{Response::Kind::untagged, "", "3 FETCH (UID 1", {}, false};
    CHECK_THROWS_AS(parse_fetch(unbalanced), ImapError);
    std::string deep = "3 FETCH (X ";
    for (std::size_t i = 0; i <= ndr::classifiers::k_max_imap_depth; ++i)
        deep += "(";
    Response too_deep{Response::Kind::untagged, "", deep, {}, false};
    CHECK_THROWS_AS(parse_fetch(too_deep), ImapError);
}

TEST_CASE("imap: parse_fetch reads a listing's UID and RFC822.SIZE lines as the general parser does") {
    const auto parsed = [](std::string text) {
        Response r{Response::Kind::untagged, "", std::move(text), {}, false};
        return parse_fetch(r);
    };
    struct Case {
        const char* text;
        std::optional<std::uint32_t> uid;
        std::optional<std::uint64_t> size;
    };
    // The listing's lines, and (after "()") ones that go to the general parser: other attributes,
    // odd spacing.
    for (const Case& c :
         {Case{"7 FETCH (UID 42 RFC822.SIZE 1234)", 42, 1234}, Case{"7 FETCH (rfc822.size 9 uid 3)", 3, 9},
          Case{"7 FETCH (UID 3 UID 4)", 4, {}}, Case{"7 FETCH ()", {}, {}},
          Case{"7 FETCH (UID 3 FLAGS (\\Seen) RFC822.SIZE 9)", 3, 9}, Case{"7 FETCH (UID  3)", 3, {}},
          Case{"7 FETCH (UID 3 MODSEQ (5))", 3, {}}}) {
        CAPTURE(c.text);
        const auto f = parsed(c.text);
        REQUIRE(f);
        CHECK(f->seq == 7);
        CHECK(f->uid == c.uid);
        CHECK(f->size == c.size);
        CHECK_FALSE(f->body);
    }
    for (const char* bad : {"7 FETCH (UID 4294967296)", "7 FETCH (RFC822.SIZE -1)",
                            "7 FETCH (UID 3 RFC822.SIZE)", "7 FETCH (UID 3) x"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(parsed(bad), ImapError);
    }
}

TEST_CASE("imap: parse_items keeps BODY[...] sections with spaces as one atom") {
    auto items = parse_items("BODY[HEADER.FIELDS (FROM TO)] NIL \"a\\\"b\"", 0);
    REQUIRE(items.size() == 3);
    CHECK(items[0].value == "BODY[HEADER.FIELDS (FROM TO)]");
    CHECK(items[1].type == Item::Type::nil);
    CHECK(items[2].type == Item::Type::string);
    CHECK(items[2].value == "a\"b");
}

TEST_CASE("imap: SEARCH, CAPABILITY, EXISTS and response codes") {
    auto s = parse_search("SEARCH 3 5 9 (MODSEQ 77)");
    REQUIRE(s);
    CHECK(*s == std::vector<std::uint32_t>{3, 5, 9});
    auto empty = parse_search("SEARCH");
    REQUIRE(empty);
    CHECK(empty->empty());
    CHECK_FALSE(parse_search("SEARCHING 1"));
    auto caps = parse_capability("CAPABILITY IMAP4rev1 idle MOVE");
    REQUIRE(caps);
    CHECK(*caps == std::vector<std::string>{"IMAP4REV1", "IDLE", "MOVE"});
    CHECK(parse_exists("42 EXISTS") == 42u);
    CHECK_FALSE(parse_exists("42 RECENT"));
    auto code = response_code("OK [UIDVALIDITY 1795459180] UIDs valid");
    REQUIRE(code);
    CHECK(code->name == "UIDVALIDITY");
    CHECK(code->args == "1795459180");
    CHECK_FALSE(response_code("OK no code here"));
    CHECK(status_word("no [TRYCREATE] x") == "NO");
}

TEST_CASE("imap: uids_after drops the n:* quirk, duplicates and disorder") {
    struct Row {
        std::vector<std::uint32_t> in;
        std::uint32_t after;
        std::vector<std::uint32_t> want;
    };
    const Row rows[] = {
        {{7}, 9, {}}, // "UID 10:*" answered with the last message, UID 7
        {{9}, 9, {}}, // the last message is the checkpoint itself
        {{12, 10, 11, 10}, 9, {10, 11, 12}},
        {{1, 2, 3}, 0, {1, 2, 3}},
        {{}, 5, {}},
    };
    for (const auto& r : rows) {
        auto got = uids_after(r.in, r.after);
        CHECK_MESSAGE(got == r.want, "after ", r.after, ": got ", format_uid_set(got), ", want ",
                      format_uid_set(r.want));
    }
}

TEST_CASE("imap: format_uid_set compresses runs") {
    CHECK(format_uid_set({}) == "");
    CHECK(format_uid_set({5}) == "5");
    CHECK(format_uid_set({1, 2, 3, 5, 7, 8}) == "1:3,5,7:8");
}

TEST_CASE("imap: mailbox names are quoted and encoded as modified UTF-7") {
    struct Row {
        std::string in;
        std::optional<std::string> want;
    };
    const Row rows[] = {
        {"INBOX", "\"INBOX\""},
        {"a\"b\\c", "\"a\\\"b\\\\c\""},
        {"R&D", "\"R&-D\""},
        {"Entw\xc3\xbcrfe", "\"Entw&APw-rfe\""},      // RFC 3501 style: ü = U+00FC
        {"\xe5\x8f\xb0\xe5\x8c\x97", "\"&U,BTFw-\""}, // RFC 3501 §5.1.3 example
        {"x\r\nA1 DELETE INBOX", std::nullopt},       // command injection
        {"\xff\xfe", std::nullopt},                   // not UTF-8
    };
    for (const auto& r : rows) {
        auto got = quote_mailbox(r.in);
        CHECK_MESSAGE(got == r.want, "in ", r.in, ": got ", got.value_or("nullopt"), ", want ",
                      r.want.value_or("nullopt"));
    }
}

TEST_CASE("imap: INTERNALDATE becomes RFC 3339 UTC") {
    CHECK(internal_date_to_rfc3339("23-Nov-2026 18:25:49 +0100") == "2026-11-23T17:25:49Z");
    CHECK(internal_date_to_rfc3339(" 1-Jan-2027 00:30:00 -0130") == "2027-01-01T02:00:00Z");
    CHECK(internal_date_to_rfc3339("garbage") == "");
    CHECK(internal_date_to_rfc3339("32-Nov-2026 18:25:49 +0100") == "");
    // As timegm() and strftime() gave them: days and seconds past the end run on, zones cross years.
    CHECK(internal_date_to_rfc3339("31-Feb-2026 12:00:00 +0000") == "2026-03-03T12:00:00Z");
    CHECK(internal_date_to_rfc3339("29-feb-2028 00:00:00 +0000") == "2028-02-29T00:00:00Z");
    CHECK(internal_date_to_rfc3339("31-DEC-2026 23:59:60 +0000") == "2027-01-01T00:00:00Z");
    CHECK(internal_date_to_rfc3339("01-Jan-1970 00:30:00 +0100") == "1969-12-31T23:30:00Z");
    CHECK(internal_date_to_rfc3339("31-Dec-9999 23:00:00 -0130") == "10000-01-01T00:30:00Z");
    CHECK(internal_date_to_rfc3339("23-Noc-2026 18:25:49 +0100") == "");
}

TEST_CASE("imap: session pipelines commands and collects refused ones") {
    ScriptedTransport t;
    t.replies["n1 UID STORE 1 +FLAGS.SILENT ($NDRTriaged)"] = "n1 NO [CANNOT] nope\r\n";
    t.replies["n2 UID STORE 2 +FLAGS.SILENT ($NDRTriaged)"] = "n2 OK done\r\n";
    t.replies["n3 UID FETCH 3 (UID)"] = "* 1 FETCH (UID 3)\r\nn3 OK done\r\n";
    Session s(t, std::chrono::milliseconds(2000));
    s.send("UID STORE 1 +FLAGS.SILENT ($NDRTriaged)");
    s.send("UID STORE 2 +FLAGS.SILENT ($NDRTriaged)");
    CHECK(s.outstanding() == 2);
    std::vector<std::uint32_t> uids;
    auto r = s.command("UID FETCH 3 (UID)", [&](Response& resp) {
        if (auto f = parse_fetch(resp)) uids.push_back(f->uid.value_or(0));
    });
    CHECK(r.ok());
    CHECK(uids == std::vector<std::uint32_t>{3});
    CHECK(s.outstanding() == 0);
    auto failed = s.take_failed_pipelined();
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].tag == "n1");
    CHECK(failed[0].status == "NO");
    CHECK(s.round_trips() == 1);
}

TEST_CASE("imap: a kept reply waits for its sender, whichever command was being waited for") {
    ScriptedTransport t;
    // n1 is a FETCH sent ahead: it fails, and its reply arrives while the client waits for n2.
    t.replies["n1 UID FETCH 1:2 (UID BODY.PEEK[])"] =
        "* 1 FETCH (UID 1 BODY[] {1}\r\na)\r\nn1 NO [SERVERBUG] half\r\n";
    t.replies["n2 UID FETCH 3 (UID BODY.PEEK[])"] = "* 3 FETCH (UID 3 BODY[] {1}\r\nc)\r\nn2 OK done\r\n";
    Session s(t, std::chrono::milliseconds(2000));
    std::vector<std::uint32_t> sunk;
    s.set_untagged_sink([&](Response& r) {
        if (auto f = parse_fetch(r); f && f->uid) sunk.push_back(*f->uid);
    });
    const auto ahead = s.send("UID FETCH 1:2 (UID BODY.PEEK[])", true);
    std::vector<std::uint32_t> handled;
    auto r = s.command("UID FETCH 3 (UID BODY.PEEK[])", [&](Response& resp) {
        if (auto f = parse_fetch(resp); f && f->uid) handled.push_back(*f->uid);
    });
    CHECK(r.ok());
    // The sink saw both commands' messages; the handler of the command waited for saw both too.
    CHECK(sunk == std::vector<std::uint32_t>{1, 3});
    CHECK(handled == std::vector<std::uint32_t>{1, 3});
    // The failure of the kept command is not a "refused pipelined command": it is its sender's.
    CHECK(s.take_failed_pipelined().empty());
    CHECK(s.outstanding() == 0);
    const auto rounds = s.round_trips();
    auto kept = s.wait(ahead);
    CHECK(kept.tag == ahead);
    CHECK(kept.status == "NO");
    CHECK(s.round_trips() == rounds); // answered from what had arrived: no round trip
    // Taken once: asking again is an error, not a wait until the timeout.
    CHECK_THROWS_AS(s.wait(ahead), ImapError);
}

TEST_CASE("imap: wait_until hands back control once a message is in, and keeps the reply for later") {
    ScriptedTransport t;
    // As Dovecot answers pipelined FETCHes: each one's messages in order, the tagged replies only
    // once every one of them is answered.
    t.replies["n1 UID FETCH 1:2 (UID BODY.PEEK[])"] = "* 1 FETCH (UID 1 BODY[] {1}\r\na)\r\n";
    t.replies["n2 UID FETCH 3 (UID BODY.PEEK[])"] =
        "* 3 FETCH (UID 3 BODY[] {1}\r\nc)\r\nn1 OK done\r\nn2 OK done\r\n";
    Session s(t, std::chrono::milliseconds(2000));
    std::vector<std::uint32_t> in;
    s.set_untagged_sink([&](Response& r) {
        if (auto f = parse_fetch(r); f && f->uid) in.push_back(*f->uid);
    });
    const auto has = [&](std::uint32_t uid) { return std::find(in.begin(), in.end(), uid) != in.end(); };
    const auto first = s.send("UID FETCH 1:2 (UID BODY.PEEK[])", true);
    // UID 1 is in before n1's reply: control comes back, n1 still outstanding.
    CHECK_FALSE(s.wait_until(first, [&] { return has(1); }).has_value());
    CHECK(in == std::vector<std::uint32_t>{1});
    CHECK(s.outstanding() == 1);
    // Already true: nothing is read, no round trip.
    const auto rounds = s.round_trips();
    CHECK_FALSE(s.wait_until(first, [&] { return has(1); }).has_value());
    CHECK(s.round_trips() == rounds);
    // UID 2 never comes: n1's reply ends the wait, and says the command is done.
    const auto second = s.send("UID FETCH 3 (UID BODY.PEEK[])", true);
    const auto reply = s.wait_until(first, [&] { return has(2); });
    REQUIRE(reply.has_value());
    CHECK(reply->tag == first);
    CHECK(reply->ok());
    CHECK(in == std::vector<std::uint32_t>{1, 3});
    // UID 3 came in while n1 was waited for: asking for it returns at once, n2 still to be read.
    CHECK_FALSE(s.wait_until(second, [&] { return has(3); }).has_value());
    CHECK(s.outstanding() == 1);
    CHECK(s.wait(second).ok());
    CHECK(s.outstanding() == 0);
    CHECK(s.take_failed_pipelined().empty());
    CHECK_THROWS_AS(s.wait_until(second, [] { return false; }), ImapError);
}

TEST_CASE("imap: drain keeps a kept reply for its sender and drops a forgotten one") {
    ScriptedTransport t;
    t.replies["n1 UID FETCH 1 (UID BODY.PEEK[])"] = "n1 OK done\r\n";
    t.replies["n2 UID FETCH 2 (UID BODY.PEEK[])"] = "n2 NO gone\r\n";
    t.replies["n3 UID FETCH 3 (UID BODY.PEEK[])"] = "n3 NO gone too\r\n";
    Session s(t, std::chrono::milliseconds(2000));
    const auto a = s.send("UID FETCH 1 (UID BODY.PEEK[])", true);
    const auto b = s.send("UID FETCH 2 (UID BODY.PEEK[])", true);
    s.forget(b); // given up before its reply came
    const auto c = s.send("UID FETCH 3 (UID BODY.PEEK[])", true);
    s.drain(); // reads every reply, the last one is c's
    CHECK(s.outstanding() == 0);
    CHECK(s.take_failed_pipelined().empty()); // b's NO dropped, c's kept for its sender
    CHECK(s.wait(a).ok());
    CHECK(s.wait(c).status == "NO");
    CHECK_THROWS_AS(s.wait(b), ImapError);
    s.forget(c); // after it was taken: nothing to do
    CHECK(s.take_failed_pipelined().empty());
}

TEST_CASE("imap: a forgotten command that is drained does not hang") {
    ScriptedTransport t;
    t.replies["n1 UID FETCH 1 (UID BODY.PEEK[])"] = "n1 BAD no\r\n";
    Session s(t, std::chrono::milliseconds(2000));
    const auto a = s.send("UID FETCH 1 (UID BODY.PEEK[])", true);
    s.forget(a);
    CHECK_NOTHROW(s.drain()); // waiting past the reply would end in ImapError(timeout)
    CHECK(s.outstanding() == 0);
    CHECK(s.take_failed_pipelined().empty());
}

TEST_CASE("imap: session times out when the server says nothing") {
    ScriptedTransport t;
    Session s(t, std::chrono::milliseconds(100));
    try {
        s.command("NOOP");
        FAIL("no exception");
    } catch (const ImapError& e) {
        CHECK(e.kind() == ImapError::Kind::timeout);
    }
}

TEST_CASE("imap: session turns BYE and a closed connection into a connect error") {
    ScriptedTransport t;
    t.replies["n1 NOOP"] = "* BYE shutting down\r\n";
    t.closed = true;
    Session s(t, std::chrono::milliseconds(2000));
    try {
        s.command("NOOP");
        FAIL("no exception");
    } catch (const ImapError& e) {
        CHECK(e.kind() == ImapError::Kind::connect);
        CHECK(std::string(e.what()).find("BYE") != std::string::npos);
    }
}

TEST_CASE("imap: IDLE returns changed on EXISTS and ends with DONE") {
    ScriptedTransport t;
    t.replies["n1 IDLE"] = "+ idling\r\n";
    t.later = "* OK Still here\r\n* 4 EXISTS\r\n";
    t.delay_polls = 3;
    t.replies["DONE"] = "n1 OK Idle completed\r\n";
    Session s(t, std::chrono::milliseconds(2000));
    auto r = s.idle(std::chrono::milliseconds(5000), {});
    CHECK(r == Session::IdleResult::changed);
    REQUIRE(t.sent.size() == 2);
    CHECK(t.sent[1] == "DONE");
    CHECK(s.outstanding() == 0);
}

TEST_CASE("imap: new mail reported with another reply makes IDLE return at once") {
    ScriptedTransport t;
    // Dovecot reports mail that arrived meanwhile in the reply to whatever command comes next.
    t.replies["n1 UID STORE 3 +FLAGS.SILENT ($NDRTriaged)"] =
        "* 12 EXISTS\r\n* 1 RECENT\r\nn1 OK Store completed\r\n";
    Session s(t, std::chrono::milliseconds(2000));
    CHECK_FALSE(s.mail_announced());
    CHECK(s.command("UID STORE 3 +FLAGS.SILENT ($NDRTriaged)").ok());
    CHECK(s.mail_announced());
    CHECK(s.idle(std::chrono::milliseconds(60000), {}) == Session::IdleResult::changed);
    CHECK(t.sent.size() == 1); // no IDLE sent: the pass runs first

    // Once the source has re-selected and forgotten it, IDLE waits again.
    s.forget_announced();
    t.replies["n2 IDLE"] = "+ idling\r\n";
    t.replies["DONE"] = "n2 OK Idle completed\r\n";
    CHECK(s.idle(std::chrono::milliseconds(50), {}) == Session::IdleResult::timeout);
    CHECK(t.sent.back() == "DONE");
}

TEST_CASE("imap: an EXISTS sent before the IDLE continuation counts as new mail") {
    ScriptedTransport t;
    t.replies["n1 IDLE"] = "* 7 EXISTS\r\n+ idling\r\n";
    t.replies["DONE"] = "n1 OK Idle completed\r\n";
    Session s(t, std::chrono::milliseconds(2000));
    CHECK(s.idle(std::chrono::milliseconds(60000), {}) == Session::IdleResult::changed);
    CHECK(t.sent.back() == "DONE");
}

TEST_CASE("imap: IDLE stops on request and on its time limit") {
    for (bool stop : {true, false}) {
        ScriptedTransport t;
        t.replies["n1 IDLE"] = "+ idling\r\n";
        t.replies["DONE"] = "n1 OK Idle completed\r\n";
        Session s(t, std::chrono::milliseconds(2000));
        int polls = 0;
        auto r = s.idle(std::chrono::milliseconds(stop ? 60000 : 50), [&] { return stop && ++polls > 2; });
        CHECK(r == (stop ? Session::IdleResult::stopped : Session::IdleResult::timeout));
        CHECK(t.sent.back() == "DONE");
    }
}

TEST_CASE("imap: IDLE refused by the server is a command error") {
    ScriptedTransport t;
    t.replies["n1 IDLE"] = "n1 BAD unknown command\r\n";
    Session s(t, std::chrono::milliseconds(2000));
    try {
        s.idle(std::chrono::milliseconds(1000), {});
        FAIL("no exception");
    } catch (const ImapError& e) {
        CHECK(e.kind() == ImapError::Kind::command);
    }
}

TEST_CASE("imap: a command with a literal waits for the continuation, or not with LITERAL+") {
    {
        ScriptedTransport t;
        t.replies["n1 APPEND \"Drafts\" (\\Draft \\Seen) {5}"] = "+ Ready for literal data\r\n";
        t.replies[""] = "n1 OK [APPENDUID 7 3] Append completed.\r\n"; // the CRLF after the literal
        Session s(t, std::chrono::milliseconds(2000));
        const auto r = s.command_with_literal("APPEND \"Drafts\" (\\Draft \\Seen)", "hello", false);
        CHECK(r.ok());
        CHECK(r.text == "OK [APPENDUID 7 3] Append completed.");
        CHECK(t.sent == std::vector<std::string>{"n1 APPEND \"Drafts\" (\\Draft \\Seen) {5}", "hello", ""});
        CHECK(s.outstanding() == 0);
    }
    {
        ScriptedTransport t;
        t.replies[""] = "n1 OK done\r\n";
        Session s(t, std::chrono::milliseconds(2000));
        CHECK(s.command_with_literal("APPEND \"Drafts\"", "hi", true).ok());
        CHECK(t.sent == std::vector<std::string>{"n1 APPEND \"Drafts\" {2+}", "hi", ""});
    }
    {
        // Refused before the literal: the bytes are never sent.
        ScriptedTransport t;
        t.replies["n1 APPEND \"Nope\" {5}"] = "n1 NO [TRYCREATE] Mailbox does not exist.\r\n";
        Session s(t, std::chrono::milliseconds(2000));
        const auto r = s.command_with_literal("APPEND \"Nope\"", "hello", false);
        CHECK(r.status == "NO");
        CHECK(t.sent.size() == 1);
    }
}
