// Unit tests for classifiers/message_text.cpp: part lookup, the notification text, html_to_text.
#include <doctest/doctest.h>

#include <string>

#include "classifiers/message_text.hpp"

using namespace ndr::classifiers;

TEST_CASE("notification_text skips the DSN part and the returned original") {
    ParsedMessage m = parse_mime("Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
                                 "--B\nContent-Type: text/plain\n\nfirst\n"
                                 "--B\nContent-Type: message/delivery-status\n\nAction: failed\n"
                                 "--B\nContent-Type: message/rfc822\n\nSubject: o\n\noriginal body\n"
                                 "--B\nContent-Type: text/plain\n\nsecond\n--B--\n");
    CHECK(notification_text(m) == "first\n\nsecond");
    CHECK(find_part(m.root, "message/delivery-status") != nullptr);
    CHECK(find_original_part(m.root) != nullptr);
    CHECK(find_part(m.root, "text/html") == nullptr);
}

TEST_CASE("notification_text prefers text/plain in multipart/alternative, uses html otherwise") {
    ParsedMessage alt = parse_mime("Content-Type: multipart/alternative; boundary=A\n\n"
                                   "--A\nContent-Type: text/plain\n\nplain\n"
                                   "--A\nContent-Type: text/html\n\n<p>html</p>\n--A--\n");
    CHECK(notification_text(alt) == "plain");
    ParsedMessage html = parse_mime("Content-Type: text/html\n\n<p>Delivery&nbsp;failed</p>");
    CHECK(notification_text(html) == "\nDelivery failed\n");
}

TEST_CASE("notification_text into a reused buffer: cleared first, same text") {
    const ParsedMessage two = parse_mime("Content-Type: multipart/mixed; boundary=B\n\n"
                                         "--B\nContent-Type: text/plain\n\nfirst\n"
                                         "--B\nContent-Type: text/plain\n\nsecond\n--B--\n");
    const ParsedMessage one = parse_mime("Subject: s\n\nonly\n");
    const ParsedMessage none = parse_mime("Content-Type: image/png\n\nxx");
    std::string out = "left over from an earlier message";
    notification_text(two, out);
    CHECK(out == notification_text(two));
    CHECK(out == "first\n\nsecond");
    const std::size_t capacity = out.capacity();
    notification_text(one, out);
    CHECK(out == "only\n");
    CHECK(out == notification_text(one));
    CHECK(out.capacity() == capacity);
    notification_text(none, out);
    CHECK(out.empty());
    CHECK(notification_text(none).empty());
}

TEST_CASE("html_to_text") {
    struct Row {
        const char* in;
        const char* want;
    };
    const Row rows[] = {
        {"<b>550</b> 5.1.1 user&#64;example.net", "550 5.1.1 user@example.net"},
        {"a<br>b", "a\nb"},
        {"x<script>alert(1)</script>y", "xy"},
        {"&lt;tag&gt; &amp; &#x41;", "<tag> & A"},
        {"&unknown; &&&&", "&unknown; &&&&"},
        {"unclosed <tag", "unclosed "},
        {"&#xD800; &#99999999;", "&#xD800; &#99999999;"},
        // Tag names in any case; runs of text longer than a 16-byte block between the markup.
        {"<P>Delivery to the following recipients failed.</P><BR><Table><TR><TD>user@example.com</TD>"
         "<TH>x</TH></TR></TABLE>",
         "\nDelivery to the following recipients failed.\n\n\n\n user@example.com  x \n\n"},
        {"<Script type=x>var a = '<b>';</SCRIPT>after <STYLE>p{}</style >text", "after text"},
        {"0123456789abcdef&amp;0123456789abcdef<br/>0123456789&#233;&", "0123456789abcdef&0123456789abcdef\n"
                                                                        "0123456789\xC3\xA9&"},
        {"<h1>T</h1><H3>u</H3><blockquote>q</blockquote><li>i<div>d</div>", "\nT\n\nu\n\nq\n\ni\nd\n"},
        {"<scriptx>a</scriptx>b", "ab"},
        {"<script>never closed", ""},
    };
    for (const auto& r : rows) CHECK_MESSAGE(html_to_text(r.in) == r.want, r.in, ": got ", html_to_text(r.in));
}

TEST_CASE("cut_at_marker") {
    std::string_view t = "error text\n  ----- Original message -----\nFrom: x\n";
    CHECK(cut_at_marker(t, {"----- Original message", "Below this line"}) == "error text\n");
    CHECK(cut_at_marker("no marker", {"x-none"}) == "no marker");
}
