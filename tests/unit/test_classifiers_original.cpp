// Unit tests for classifiers/original.cpp: the returned original's headers.
#include "classifiers/limits.hpp"
#include "classifiers/original.hpp"

#include <doctest/doctest.h>
#include <string>

using namespace ndr::classifiers;

TEST_CASE("fill_original from a header block") {
    std::string block =
        "Return-Path: <s@example.com>\nReceived: from a\n by b\nReceived: from c\n"
        "DKIM-Signature: v=1; d=example.com;\n s=s1; b=abc\n"
        "Message-ID: <m@example.com>\nFrom: =?UTF-8?Q?S=C3=A9n?= <s@example.com>\nTo: r@example.net\n"
        "Subject: hi\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n";
    Headers h = parse_headers(block);
    ReturnedOriginal o;
    fill_original(h, block, false, o);
    CHECK(o.present);
    CHECK_FALSE(o.headers_only);
    CHECK(o.message_id == "<m@example.com>");
    CHECK(o.from == "S\xC3\xA9n <s@example.com>");
    CHECK(o.to == "r@example.net");
    CHECK(o.return_path == "<s@example.com>");
    REQUIRE(o.received.size() == 2);
    CHECK(o.received[0] == "from a by b");
    REQUIRE(o.dkim_signatures.size() == 1);
    CHECK(o.raw_headers == block);
}

TEST_CASE("fill_original into a ReturnedOriginal filled before: nothing of the earlier one left") {
    std::string first =
        "Message-ID: <a-rather-long-message-id@example.com>\nReceived: from a\nReceived: from b\n"
        "Received: from c\nFrom: someone-with-a-long-name@example.com\n"
        "Subject: a subject longer than sixteen bytes\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n";
    std::string second = "Received: from d\nTo: r@example.net\n";
    ReturnedOriginal o;
    fill_original(parse_headers(first), first, false, o);
    fill_original(parse_headers(second), second, true, o);
    CHECK(o.headers_only);
    CHECK(o.message_id.empty());
    CHECK(o.from.empty());
    CHECK(o.subject.empty());
    CHECK(o.date.empty());
    CHECK(o.to == "r@example.net");
    REQUIRE(o.received.size() == 1);
    CHECK(o.received[0] == "from d");
    CHECK(o.raw_headers == second);
}

TEST_CASE("fill_original keeps at most k_max_received_fields Received fields") {
    std::string block;
    for (std::size_t i = 0; i < k_max_received_fields + 5; ++i)
        block += "Received: from host" + std::to_string(i) + "   by   mx\n";
    ReturnedOriginal o;
    fill_original(parse_headers(block), block, true, o);
    REQUIRE(o.received.size() == k_max_received_fields);
    CHECK(o.received.front() == "from host0 by mx");
}

TEST_CASE("original_from_text finds an inline copy") {
    ReturnedOriginal o;
    CHECK(original_from_text("Your message could not be delivered.\n\n------ copy ------\n"
                             "Received: from x\nFrom: s@example.com\nSubject: hi\n\nbody\n",
                             o));
    CHECK(o.subject == "hi");
    CHECK(o.headers_only);

    ReturnedOriginal indented;
    CHECK(original_from_text("   Message-ID: <i@example.com>\n   Subject: indented\n\n", indented));
    CHECK(indented.message_id == "<i@example.com>");

    ReturnedOriginal none;
    CHECK_FALSE(original_from_text("Subject: only one field\nblah\n", none));
    CHECK_FALSE(none.present);
}

TEST_CASE("header_block") {
    CHECK(header_block("A: 1\nB: 2\n\nbody") == "A: 1\nB: 2\n");
    CHECK(header_block("A: 1") == "A: 1");
}

TEST_CASE("header_block: up to the first empty line, CR LF or LF") {
    struct Row {
        std::string_view in, want;
    };
    const Row rows[] = {
        {"A: b\n\nbody", "A: b\n"},
        {"A: b\r\n\r\nbody", "A: b\r\n"},
        {"A: b\nC: d\n", "A: b\nC: d\n"}, // no empty line: all of it
        {"A: b", "A: b"},
        {"\nbody", ""},
        {"\r\nbody", ""},
        {"\r", ""},
        {"A: b\n\r", "A: b\n"},           // a last line of one CR is empty
        {"A: b\n\rX\n\n", "A: b\n\rX\n"}, // "\rX" is not
        {"", ""},
    };
    for (const auto& r : rows)
        CHECK_MESSAGE(header_block(r.in) == r.want, "[", r.in, "]");
}
