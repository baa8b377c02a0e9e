// Unit tests for classifiers/formats/common.cpp: address, reply-code and command extraction from free
// text, the "address then its error text" reader, returned-original markers and the detection window.
#include "classifiers/formats/common.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/mime.hpp"

#include <doctest/doctest.h>
#include <string>
#include <string_view>

using namespace ndr::classifiers;
using namespace ndr::classifiers::formats;

namespace {

ParsedMessage message(std::string_view body, std::string_view headers = "From: MAILER-DAEMON@example.com\n") {
    std::string raw(headers);
    raw += "\n";
    raw += body;
    return parse_mime(raw);
}

// parse_address_blocks() over the lines of `body` after its first, recipient lines indented by up
// to `max_indent` blanks.
DeliveryReport read_blocks(const std::string& body, std::size_t max_indent) {
    const ParsedMessage msg = message(body);
    Context ctx;
    build_context(msg, ctx);
    DeliveryReport rep;
    BlockOptions opt;
    opt.max_indent = max_indent;
    parse_address_blocks(ctx, 1, ctx.lines.size(), "t", Action::failed, rep, opt);
    return rep;
}

} // namespace

TEST_CASE("formats: find_address takes the first address without brackets or punctuation") {
    struct Row {
        std::string_view in, want;
    };
    const Row rows[] = {
        {"<bob@Example.NET>: 550 User unknown", "bob@example.net"},
        {"  bob@example.net", "bob@example.net"},
        {"RCPT TO:<bob@example.net>", "bob@example.net"},
        {"bob@example.net<mailto:bob@example.net>", "bob@example.net"},
        {"address bob@example.net.", "bob@example.net"},
        {"no address here", ""},
        {"@example.net", ""},
        {"a@@b", ""},
    };
    for (const auto& r : rows) {
        const std::string got = find_address(r.in);
        CHECK_MESSAGE(got == r.want, "in: ", r.in, " got: ", got, " want: ", r.want);
    }
}

TEST_CASE("formats: is_address_line accepts only a line that is one address") {
    struct Row {
        std::string_view in;
        bool want;
    };
    const Row rows[] = {
        {"<bob@example.net>:", true},
        {"  bob@example.net  ", true},
        {"\"bob@example.net\":", true},
        {"bob@example.net said", false},
        {"host mx.example.net", false},
        {"", false},
        {"<>", false},
    };
    for (const auto& r : rows)
        CHECK_MESSAGE(is_address_line(r.in) == r.want, "in: '", r.in, "' want: ", r.want);
}

TEST_CASE("formats: split_address_line separates the address from the text after it") {
    std::string a;
    std::string_view rest;
    REQUIRE(split_address_line("<bob@example.net>: 550 5.1.1 no such user", a, rest));
    CHECK(a == "bob@example.net");
    CHECK(rest == "550 5.1.1 no such user");
    REQUIRE(split_address_line("bob@example.net: Envelope expired", a, rest));
    CHECK(rest == "Envelope expired");
    CHECK_FALSE(split_address_line("SMTP error from remote mail server", a, rest));
}

TEST_CASE("formats: reply codes after a colon and at the start of a text") {
    struct Row {
        std::string_view in;
        int want;
    };
    const Row rows[] = {
        {"host mx.example.net [192.0.2.1]: 550 5.1.1 unknown", 550},
        {"after RCPT TO:<a@example.net>: 452 4.2.2 full", 452},
        {"said: 250.5 not a code", 0},
        {"time 10:29:52 only", 0},
    };
    for (const auto& r : rows) {
        const std::size_t p = find_reply_after_colon(r.in);
        const int got = p == std::string_view::npos ? 0 : leading_reply_code(r.in.substr(p));
        CHECK_MESSAGE(got == r.want, "in: ", r.in, " got: ", got, " want: ", r.want);
    }
    CHECK(leading_reply_code("550: 5.2.2 full") == 550);
    CHECK(leading_reply_code("  421-4.7.0 try later") == 421);
    CHECK(leading_reply_code("5500 nope") == 0);
    CHECK(leading_reply_code("650 nope") == 0);
}

TEST_CASE("formats: make_record fills status, reply code and collapses the diagnostic") {
    const RecipientRecord r =
        make_record("<Bob@Example.NET>", "  550 5.1.1 <bob@example.net>:\n   User unknown  ", "x");
    CHECK(r.final_recipient == "Bob@example.net");
    CHECK(r.status == "5.1.1");
    CHECK(r.reply_code == 550);
    CHECK(r.diagnostic == "550 5.1.1 <bob@example.net>: User unknown");
    CHECK(r.action == Action::failed);
    CHECK(r.format == "x");
}

TEST_CASE("formats: parse_address_blocks reads each address with the lines below it") {
    const ParsedMessage msg = message("The following address(es) failed:\n"
                                      "\n"
                                      "  a@example.net\n"
                                      "    host mx.example.net [192.0.2.1]: 550 5.1.1 unknown\n"
                                      "\n"
                                      "  b@example.org\n"
                                      "    retry timeout exceeded\n"
                                      "\n"
                                      "trailing text that belongs to nobody\n");
    Context ctx;
    build_context(msg, ctx);
    DeliveryReport rep;
    BlockOptions opt;
    opt.max_indent = 2;
    REQUIRE(parse_address_blocks(ctx, 1, ctx.lines.size(), "t", Action::failed, rep, opt) == 2);
    CHECK(rep.recipients[0].final_recipient == "a@example.net");
    CHECK(rep.recipients[0].reply_code == 550);
    CHECK(rep.recipients[1].final_recipient == "b@example.org");
    CHECK(rep.recipients[1].diagnostic == "retry timeout exceeded");
}

TEST_CASE("formats: parse_address_blocks stops at k_max_recipients with an anomaly") {
    std::string body = "list:\n";
    for (std::size_t i = 0; i < k_max_recipients + 5; ++i)
        body += "u" + std::to_string(i) + "@example.net: 550 no\n";
    const DeliveryReport rep = read_blocks(body, 0);
    CHECK(rep.recipients.size() == k_max_recipients);
    CHECK(rep.has_anomaly("too-many-recipients"));
}

TEST_CASE("formats: parse_address_blocks starts each call afresh, after a long text too") {
    // The record text is built in a buffer the thread keeps from call to call (released past 16 KB):
    // nothing of one call's text reaches the next one's records.
    auto read = [](const std::string& body) { return read_blocks(body, 2); };
    const std::string small = "failed:\n  a@example.net\n    550 5.1.1 unknown\n";
    const DeliveryReport first = read(small);
    REQUIRE(first.recipients.size() == 1);
    CHECK(first.recipients[0].diagnostic == "550 5.1.1 unknown");
    const DeliveryReport long_text = read("failed:\n  b@example.org\n    " + std::string(40000, 'x') + "\n");
    REQUIRE(long_text.recipients.size() == 1);
    CHECK(long_text.recipients[0].diagnostic.size() <= k_max_diagnostic_bytes);
    const DeliveryReport again = read(small);
    REQUIRE(again.recipients.size() == 1);
    CHECK(again.recipients[0].final_recipient == "a@example.net");
    CHECK(again.recipients[0].diagnostic == "550 5.1.1 unknown");
    const DeliveryReport none = read("failed:\n\nno address here\n");
    CHECK(none.recipients.empty());
}

TEST_CASE("formats: find_two_newlines finds what find(\"\\n\\n\") finds, at every offset and length") {
    // Every offset of the pair in texts of every length around the 16-byte steps, and texts of
    // single line ends, "\r\n" pairs and a '\n' last.
    for (std::size_t len = 0; len <= 70; ++len) {
        for (std::size_t at = 0; at + 1 < len; ++at) {
            std::string s(len, 'x');
            for (std::size_t k = 0; k < len; k += 3)
                s[k] = '\n'; // lone line ends before the pair
            for (std::size_t k = at; k < len; ++k)
                s[k] = k % 2 == 0 ? 'y' : '\n';
            s[at] = s[at + 1] = '\n';
            CHECK(find_two_newlines(s) == std::string_view(s).find("\n\n"));
        }
        std::string lone(len, 'a');
        for (std::size_t k = 0; k < len; k += 2)
            lone[k] = '\n';
        if (len != 0) lone.back() = '\n';
        CHECK(find_two_newlines(lone) == std::string_view(lone).find("\n\n"));
        std::string crlf;
        while (crlf.size() < len)
            crlf += "\r\n";
        CHECK(find_two_newlines(crlf) == std::string_view::npos);
    }
}

TEST_CASE("formats: the inline original after a vendor marker is read as headers") {
    const ParsedMessage msg =
        message("error text\n"
                "\n"
                "--- Below this line is a copy of the message.\n"
                "\n"
                "Received: from a.example.com by b.example.com; Mon, 2 Mar 2026 10:00:00 +0000\n"
                "Message-ID: <m1@example.com>\n"
                "From: Alice <alice@example.com>\n"
                "Subject: hello\n"
                "\n"
                "body\n");
    Context ctx;
    build_context(msg, ctx);
    const std::size_t marker = find_original_marker(ctx);
    REQUIRE(marker == 2);
    DeliveryReport rep;
    read_original_after(ctx, marker, rep);
    CHECK(rep.original.present);
    CHECK(rep.original.headers_only);
    CHECK(rep.original.message_id == "<m1@example.com>");
    CHECK(rep.original.subject == "hello");
    REQUIRE(rep.original.received.size() == 1);
}

TEST_CASE(
    "formats: an inline original's fields are the first of each, Received and DKIM-Signature in order") {
    const std::string block =
        "received: from a.example.com by b.example.com; Mon, 2 Mar 2026 10:00:00 +0000\n"
        "From: =?utf-8?q?Ann_=C3=84?= <ann@example.com>\n"
        "DKIM-Signature: v=1; d=example.com; b=abc\n"
        "Received: from c.example.com by a.example.com\n"
        "FROM: second@example.com\n"
        "Message-Id:  <m1@example.com> \n"
        "to: bob@example.net\n"
        "Return-Path: <ann@example.com>\n"
        "Date: Mon, 2 Mar 2026 10:00:00 +0000\n"
        "\n"
        "Subject: not a header: the body\n";
    DeliveryReport rep;
    read_inline_original(block, rep);
    REQUIRE(rep.original.present);
    CHECK(rep.original.from == "Ann \xC3\x84 <ann@example.com>");
    CHECK(rep.original.to == "bob@example.net");
    CHECK(rep.original.subject.empty());
    CHECK(rep.original.message_id == "<m1@example.com>");
    CHECK(rep.original.return_path == "<ann@example.com>");
    CHECK(rep.original.date == "Mon, 2 Mar 2026 10:00:00 +0000");
    REQUIRE(rep.original.received.size() == 2);
    CHECK(rep.original.received[1] == "from c.example.com by a.example.com");
    REQUIRE(rep.original.dkim_signatures.size() == 1);
    CHECK(rep.original.dkim_signatures[0] == "v=1; d=example.com; b=abc");
    std::string many;
    for (std::size_t i = 0; i < k_max_received_fields + 3; ++i)
        many += "Received: hop " + std::to_string(i) + "\n";
    DeliveryReport capped;
    read_inline_original(many, capped);
    REQUIRE(capped.original.received.size() == k_max_received_fields);
    CHECK(capped.original.received.front() == "hop 0");
}

TEST_CASE("formats: find_head only searches the detection window, find_line the whole text") {
    std::string body(k_detect_window + 100, 'x');
    body += "\nThis is the qmail-send program at mx.example.com.\n";
    const ParsedMessage msg = message(body);
    Context ctx;
    build_context(msg, ctx);
    CHECK(find_head(ctx, Needle::unlisted("qmail-send program")) == std::string_view::npos);
    CHECK(find_line(ctx, Needle::unlisted("QMAIL-SEND PROGRAM")) == 1);
    CHECK(find_head(ctx, "This is the qmail-send program at") == std::string_view::npos); // a listed phrase
    CHECK(find_line(ctx, "This is the qmail-send program at") == 1);
}

TEST_CASE("formats: the byte-pair index never hides a needle that is there") {
    const ParsedMessage msg = message("First line\nSecond LINE: 550 Mailbox\n\xC3\x84rger\n");
    Context ctx;
    build_context(msg, ctx);
    CHECK(find_head(ctx, Needle::unlisted("second line")) == 1);
    CHECK(find_head(ctx, Needle::unlisted("line\nsecond")) == 0); // a needle across a line end is still found
    CHECK(find_line(ctx, Needle::unlisted("\xC3\x84RGER")) == 2); // bytes >= 0x80 are indexed as they are
    CHECK(find_line(ctx, Needle::unlisted("550 m"), 1) == 1);
    CHECK(find_head(ctx, Needle::unlisted("mailbox full")) == std::string_view::npos);
    CHECK(find_head(ctx, Needle::unlisted("z")) == std::string_view::npos); // one byte: no pair to look up
    CHECK(find_head(ctx, Needle::unlisted("5")) == 1);
}
