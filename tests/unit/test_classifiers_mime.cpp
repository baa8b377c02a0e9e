// Unit tests for classifiers/mime.cpp: headers, Content-Type parameters, transfer decoding, multipart
// edge cases and caps.
#include <doctest/doctest.h>

#include <cctype>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "classifiers/limits.hpp"
#include "classifiers/mime.hpp"
#include "classifiers/text.hpp"

using namespace ndr::classifiers;

namespace {
bool has(const std::vector<std::string>& v, std::string_view s) {
    for (const auto& x : v)
        if (x == s) return true;
    return false;
}
} // namespace

TEST_CASE("header parsing: folding, case, mbox line, missing blank line") {
    ParsedMessage m = parse_mime("From sender@example.com Mon Jan  1 00:00:00 2024\n"
                                 "Subject: one\n two\n"
                                 "X-Empty:\n"
                                 "content-type: text/plain\n"
                                 "\n"
                                 "body\n");
    CHECK(m.root.headers.get("SUBJECT") == "one two"); // unfolded: the line break goes, the blank stays
    CHECK(m.root.headers.has("x-empty"));
    CHECK(m.root.headers.get("X-Empty") == "");
    CHECK(m.root.body == "body\n");

    ParsedMessage n = parse_mime("Subject: x\nthis line is body text\nmore\n");
    CHECK(n.root.headers.fields.size() == 1);
    CHECK(n.root.body == "this line is body text\nmore\n");
}

TEST_CASE("Headers::decoded and get_all") {
    ParsedMessage m = parse_mime("Received: a\nReceived: b\nSubject: =?UTF-8?Q?h=C3=A9?=\n\n");
    CHECK(m.root.headers.get_all("received").size() == 2);
    CHECK(m.root.headers.decoded("Subject") == "h\xC3\xA9");
}

TEST_CASE("parse_content_type") {
    struct Row {
        const char* in;
        const char* type;
        const char* pname;
        const char* pvalue;
    };
    const Row rows[] = {
        {"text/plain; charset=UTF-8", "text/plain", "charset", "UTF-8"},
        {"Multipart/Report; report-type=\"delivery-status\"; boundary=\"a b;c\"", "multipart/report", "boundary",
         "a b;c"},
        {"multipart/mixed; boundary=abc (comment)", "multipart/mixed", "boundary", "abc"},
        {"text/plain; name*=utf-8''%C3%A4.txt", "text/plain", "name", "\xC3\xA4.txt"},
        {"text/plain; name*0=\"a\"; name*1=\"b\"; name*2*=%41", "text/plain", "name", "abA"},
        {"text/plain; name=\"=?UTF-8?Q?x=C3=A4?=\"", "text/plain", "name", "x\xC3\xA4"},
        {"garbage", "", "x", ""},
        {"text/plain; charset=\"a\\\"b\"", "text/plain", "charset", "a\"b"},
    };
    for (const auto& r : rows) {
        ContentType ct = parse_content_type(r.in);
        CHECK_MESSAGE(ct.type == r.type, r.in, ": type got ", ct.type);
        CHECK_MESSAGE(ct.param(r.pname) == r.pvalue, r.in, ": param got ", ct.param(r.pname));
    }
}

TEST_CASE("base64 decoding") {
    struct Row {
        const char* name;
        std::string in, want;
        bool bad;
    };
    const Row rows[] = {
        {"simple", "aGVsbG8=", "hello", false},
        {"line breaks", "aGVs\nbG8=\n", "hello", false},
        {"no padding", "aGVsbG8", "hello", false},
        {"bad char", "aGV*sbG8=", "hello", true},
        {"data after padding", "aGVsbG8=a", "hello", true},
        {"concatenated blocks", "aGk=aGk=", "hihi", false},
        {"dangling 6 bits", "aGVsb", "hel", true},
        {"empty", "", "", false},
        {"short groups after padding", "YQ==YWI=YWJj", "aababc", false},
    };
    for (const auto& r : rows) {
        bool bad = false;
        std::string got = decode_base64(r.in, &bad);
        CHECK_MESSAGE(got == r.want, r.name, ": got ", got);
        CHECK_MESSAGE(bad == r.bad, r.name);
    }
    // Every length: three bytes per four characters, one or two for a short last group.
    for (std::size_t n = 0; n < 18; ++n) {
        const std::size_t tail = n % 4 == 2 ? 1 : n % 4 == 3 ? 2 : 0;
        CHECK(decode_base64(std::string(n, 'Q')).size() == n / 4 * 3 + tail);
    }
}

TEST_CASE("base64: whole groups decode as one character at a time does") {
    // Whitespace between every two characters changes nothing but keeps the decoder from taking
    // four characters at once: the two readings must agree, output and malformation alike.
    std::mt19937 rng(9);
    const std::string alphabet = "QUJDaGVsbG8+/09=\n*";
    for (int round = 0; round < 5000; ++round) {
        std::string in(rng() % 40, 'A');
        for (char& c : in)
            c = alphabet[rng() % alphabet.size()];
        std::string spaced;
        for (char c : in) {
            spaced += c;
            spaced += ' ';
        }
        bool bad = false, bad_spaced = false;
        const std::string got = decode_base64(in, &bad);
        CHECK_MESSAGE(got == decode_base64(spaced, &bad_spaced), "input [", in, "]");
        CHECK_MESSAGE(bad == bad_spaced, "input [", in, "]");
    }
}

TEST_CASE("quoted-printable decoding") {
    struct Row {
        const char* name;
        std::string in, want;
        bool bad;
    };
    const Row rows[] = {
        {"hex", "caf=C3=A9", "caf\xC3\xA9", false},
        {"lower hex", "caf=c3=a9", "caf\xC3\xA9", false},
        {"soft break", "long=\nline", "longline", false},
        {"soft break with spaces", "long= \t\nline", "longline", false},
        {"trailing =", "end=", "end", false},
        {"bad escape", "a=ZZb", "a=ZZb", true},
        {"equals at end of text", "1+1=2", "1+1=2", true},
    };
    for (const auto& r : rows) {
        bool bad = false;
        std::string got = decode_quoted_printable(r.in, &bad);
        CHECK_MESSAGE(got == r.want, r.name, ": got ", got);
        CHECK_MESSAGE(bad == r.bad, r.name);
    }
}

TEST_CASE("quoted-printable: long runs between escapes, against a reading byte by byte") {
    // Reference: "=" + two hex digits is a byte, "=" + blanks + a line break (or the end) is
    // nothing, any other "=" is kept and marks the input malformed.
    auto reference = [](const std::string& in, bool& bad) {
        auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
        std::string out;
        bad = false;
        std::size_t i = 0;
        while (i < in.size()) {
            if (in[i] != '=') {
                out += in[i++];
                continue;
            }
            std::size_t k = i + 1;
            while (k < in.size() && (in[k] == ' ' || in[k] == '\t' || in[k] == '\r'))
                ++k;
            if (k == in.size()) break;
            if (in[k] == '\n') {
                i = k + 1;
            } else if (i + 2 < in.size() && hex(in[i + 1]) && hex(in[i + 2])) {
                out += static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
                i += 3;
            } else {
                out += '=';
                bad = true;
                ++i;
            }
        }
        return out;
    };
    std::mt19937 rng(21);
    const std::string alphabet = "abcdefghijklmnop=3DAf \t\r\nZ";
    for (int round = 0; round < 5000; ++round) {
        std::string in(rng() % 60, 'x');
        for (char& c : in)
            if (rng() % 3 == 0) c = alphabet[rng() % alphabet.size()];
        bool bad = false, want_bad = false;
        const std::string want = reference(in, want_bad);
        CHECK_MESSAGE(decode_quoted_printable(in, &bad) == want, "input [", in, "]");
        CHECK_MESSAGE(bad == want_bad, "input [", in, "]");
    }
}

TEST_CASE("multipart/report with delivery-status and original") {
    ParsedMessage m = parse_mime("Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
                                 "preamble\n--B\nContent-Type: text/plain\n\nnotice\n"
                                 "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n"
                                 "--B\nContent-Type: message/rfc822\n\nSubject: orig\n\nhello\n--B--\nepilogue\n");
    REQUIRE(m.root.children.size() == 3);
    CHECK(m.root.report_type == "delivery-status");
    CHECK(m.root.children[0].body == "notice");
    CHECK(m.root.children[1].content_type == "message/delivery-status");
    REQUIRE(m.root.children[2].children.size() == 1);
    CHECK(m.root.children[2].children[0].headers.get("Subject") == "orig");
    CHECK(m.root.children[2].children[0].depth == 2);
    CHECK(m.anomalies.empty());
}

TEST_CASE("a returned original is read to its header, its body left as it came") {
    const std::string original_body =
        "--X\nContent-Type: text/plain\n\nhello\n"
        "--X\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n"
        "!!not base64!!\n"; // cut short: no closing delimiter
    ParsedMessage m =
        parse_mime("Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
                   "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n"
                   "--B\nContent-Type: message/rfc822\n\n"
                   "Subject: orig\nContent-Type: multipart/mixed; boundary=\"X\"\n\n" +
                   original_body + "--B--\n");
    REQUIRE(m.root.children.size() == 2);
    const MimePart& rfc822 = m.root.children[1];
    REQUIRE(rfc822.children.size() == 1);
    const MimePart& original = rfc822.children[0];
    CHECK(original.headers.get("Subject") == "orig");
    CHECK(original.content_type == "multipart/mixed");
    CHECK(original.boundary == "X");
    CHECK(original.children.empty());
    // As it came, up to the line break that belongs to the report's next delimiter.
    CHECK(original.body == std::string_view(original_body).substr(0, original_body.size() - 1));
    // The original's own malformations (unterminated, bad base64) are not the NDR's.
    CHECK(m.anomalies.empty());

    // Its Content-Type parameters are read: a forwarded bounce is known by its report-type.
    ParsedMessage fwd =
        parse_mime("Content-Type: message/rfc822\n\n"
                   "Content-Type: multipart/report; report-type=delivery-status; boundary=R\n\n"
                   "--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n--R--\n");
    REQUIRE(fwd.root.children.size() == 1);
    CHECK(fwd.root.children[0].report_type == "delivery-status");
    CHECK(fwd.root.children[0].children.empty());
}

TEST_CASE("multipart edge cases") {
    SUBCASE("unterminated") {
        ParsedMessage m = parse_mime("Content-Type: multipart/mixed; boundary=B\n\n--B\n\nfirst\n--B\n\nsecond\n");
        CHECK(m.root.children.size() == 2);
        CHECK(has(m.anomalies, "unterminated-multipart"));
    }
    SUBCASE("missing boundary parameter, guessed from the body") {
        ParsedMessage m = parse_mime("Content-Type: multipart/mixed\n\n--XYZ\n\nfirst\n--XYZ--\n");
        CHECK(has(m.anomalies, "missing-boundary"));
        REQUIRE(m.root.children.size() == 1);
        CHECK(m.root.children[0].body == "first");
    }
    SUBCASE("declared boundary absent: body kept as text") {
        ParsedMessage m = parse_mime("Content-Type: multipart/mixed; boundary=NOPE\n\njust text\n");
        CHECK(has(m.anomalies, "missing-boundary"));
        REQUIRE(m.root.children.size() == 1);
        CHECK(m.root.children[0].body == "just text\n");
    }
    SUBCASE("boundary prefix of a longer line is not a delimiter") {
        ParsedMessage m = parse_mime("Content-Type: multipart/mixed; boundary=B\n\n--B\n\n--BX not a delimiter\n--B--\n");
        REQUIRE(m.root.children.size() == 1);
        CHECK(m.root.children[0].body == "--BX not a delimiter");
    }
    SUBCASE("base64 and qp parts") {
        ParsedMessage m = parse_mime("Content-Type: multipart/mixed; boundary=B\n\n"
                                     "--B\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n"
                                     "--B\nContent-Type: text/plain; charset=iso-8859-1\n"
                                     "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9\n--B--\n");
        REQUIRE(m.root.children.size() == 2);
        CHECK(m.root.children[0].body == "hello");
        CHECK(m.root.children[1].body == "caf\xC3\xA9");
    }
    SUBCASE("bad base64 and qp give anomalies") {
        ParsedMessage m = parse_mime("Content-Type: multipart/mixed; boundary=B\n\n"
                                     "--B\nContent-Transfer-Encoding: base64\n\n!!!!\n"
                                     "--B\nContent-Transfer-Encoding: quoted-printable\n\n=QQ\n--B--\n");
        CHECK(has(m.anomalies, "bad-base64"));
        CHECK(has(m.anomalies, "bad-quoted-printable"));
    }
    SUBCASE("unknown charset") {
        ParsedMessage m = parse_mime("Content-Type: text/plain; charset=x-bogus-42\n\nabc\xE9\n");
        CHECK(has(m.anomalies, "unknown-charset"));
        CHECK(m.root.body == "abc\xC3\xA9\n");
    }
    SUBCASE("multipart/digest parts default to message/rfc822") {
        ParsedMessage m = parse_mime("Content-Type: multipart/digest; boundary=B\n\n--B\n\nSubject: d\n\nx\n--B--\n");
        REQUIRE(m.root.children.size() == 1);
        CHECK(m.root.children[0].content_type == "message/rfc822");
    }
}

TEST_CASE("multipart: delimiters at every offset, near the end of the body and of the buffer") {
    // The delimiter search tests thirty-two offsets a step, then sixteen: parts of every length put
    // the delimiter lines at every offset of a step, and the closing one at the very end (with and
    // without a line break after it), where the last steps are read byte by byte. Decoys: a line
    // break followed, the boundary's length later, by its last byte, and the boundary inside a line.
    const std::string boundary = "b0undary-Z";
    for (std::size_t len = 0; len < 110; ++len) {
        for (int tail = 0; tail < 3; ++tail) {
            std::string first(len, 'x');
            for (std::size_t i = 0; i + 12 < len; i += 17)
                first.replace(i, 12, "\n----------Z");
            const std::string second = "y --" + boundary + " y";
            std::string raw = "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\n\n--" +
                              boundary + "\n\n" + first + "\n--" + boundary + "\n\n" + second + "\n--" +
                              boundary + "--";
            raw += tail == 0 ? "" : tail == 1 ? "\n" : "  \n";
            // A copy of its own size, so that the body ends where the buffer does.
            const std::string copy(raw);
            ParsedMessage m = parse_mime_in_place(copy);
            REQUIRE(m.root.children.size() == 2);
            CHECK(m.root.children[0].body == first);
            CHECK(m.root.children[1].body == second);
            CHECK(m.anomalies.empty());
        }
    }
}

TEST_CASE("multipart: a boundary with a line break in it (RFC 2231) is still found") {
    ParsedMessage m =
        parse_mime("Content-Type: multipart/mixed; boundary*=''X%0AY\n\n--X\nY\n\nfirst\n--X\nY--\n");
    REQUIRE(m.root.children.size() == 1);
    CHECK(m.root.children[0].body == "first");
    CHECK(m.anomalies.empty());
}

TEST_CASE("caps: depth, parts, header bytes, fields, line length") {
    SUBCASE("depth") {
        std::string msg;
        for (int i = 0; i < 200; ++i) msg += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
                                            std::to_string(i) + "\n";
        msg += "\ninnermost\n";
        ParsedMessage m = parse_mime(msg);
        CHECK(has(m.anomalies, "mime-too-deep"));
        int depth = 0;
        for_each_part(m.root, [&](const MimePart& p) { depth = std::max(depth, p.depth); });
        CHECK(depth <= static_cast<int>(k_max_mime_depth));
    }
    SUBCASE("parts") {
        std::string msg = "Content-Type: multipart/mixed; boundary=B\n\n";
        for (std::size_t i = 0; i < k_max_mime_parts + 10; ++i) msg += "--B\n\nx\n";
        msg += "--B--\n";
        ParsedMessage m = parse_mime(msg);
        CHECK(has(m.anomalies, "too-many-parts"));
        CHECK(m.root.children.size() < k_max_mime_parts);
    }
    SUBCASE("header bytes") {
        std::string msg = "Subject: x\nX-Big: " + std::string(k_max_header_bytes + 10, 'a') + "\nTo: y\n\nbody\n";
        ParsedMessage m = parse_mime(msg);
        CHECK(has(m.anomalies, "header-too-large"));
        CHECK(m.root.headers.get("Subject") == "x");
        CHECK(m.root.body == "body\n");
    }
    SUBCASE("line length") {
        std::string msg = "Subject: x\nX-Long: " + std::string(k_max_line_bytes + 10, 'a') + "\nTo: y\n\nbody\n";
        ParsedMessage m = parse_mime(msg);
        CHECK(has(m.anomalies, "line-too-long"));
        CHECK(m.root.headers.get("X-Long").size() <= k_max_line_bytes);
        CHECK(m.root.headers.get("X-Long").size() + 1 >= k_max_line_bytes);
        CHECK(m.root.headers.get("To") == "y");
    }
    SUBCASE("line length of a folded value") {
        // Continuation lines past the cap add nothing; the blank after the colon counts.
        std::string msg = "Subject: x\nX-Folded: a";
        for (int i = 0; i < 40000; ++i)
            msg += "\n bb";
        msg += "\nTo: y\n\nbody\n";
        ParsedMessage m = parse_mime(msg);
        CHECK(has(m.anomalies, "line-too-long"));
        CHECK(m.root.headers.get("X-Folded").size() == k_max_line_bytes - 1);
        CHECK(m.root.headers.get("X-Folded").substr(0, 7) == "a bb bb");
        CHECK(m.root.headers.get("To") == "y");
        CHECK(m.root.body == "body\n");
    }
    SUBCASE("fields") {
        std::string msg;
        for (std::size_t i = 0; i < k_max_header_fields + 5; ++i) msg += "X: 1\n";
        msg += "\nbody";
        ParsedMessage m = parse_mime(msg);
        CHECK(has(m.anomalies, "too-many-header-fields"));
        CHECK(m.root.headers.fields.size() == k_max_header_fields);
        CHECK(m.root.body == "body");
    }
}

TEST_CASE("parse_headers on a text/rfc822-headers block") {
    std::vector<std::string> anomalies;
    Headers h = parse_headers("Message-ID: <a@example.com>\nSubject: s\n\nnot a header\n", &anomalies);
    CHECK(h.fields.size() == 2);
    CHECK(h.get("message-id") == "<a@example.com>");
    CHECK(anomalies.empty());
}

TEST_CASE("TextArena: stable views and shrink_last and large requests") {
    TextArena a;
    const std::string_view one = a.copy("hello");
    char* p = a.allocate(100);
    std::memset(p, 'x', 100);
    a.shrink_last(p, 10);
    const std::string_view two = a.copy("world");
    CHECK(two.data() == p + 10); // the room given back is used next
    CHECK(one == "hello");
    CHECK(std::string_view(p, 10) == std::string(10, 'x'));
    CHECK(two == "world");
    a.shrink_last(one.data(), 1); // not the last allocation: ignored
    CHECK(a.copy("!").data() == two.data() + 5);
    // A request larger than a block gets one of its own; earlier views stay valid.
    const std::string big(100000, 'b');
    const std::string_view b = a.copy(big);
    CHECK(b == big);
    CHECK(one == "hello");
    CHECK(a.capacity() >= big.size());
    CHECK(a.allocate(0) != nullptr);
    CHECK(a.copy("").empty());
    // The large request did not end the block the small ones come from.
    TextArena c;
    const std::string_view x = c.copy("x");
    const std::string_view large = c.copy(big);
    CHECK(c.copy("y").data() == x.data() + 1);
    c.shrink_last(large.data(), 1); // a block of its own: not given back
    CHECK(large == big);
    // Arenas one after another (blocks come back for the next one).
    for (int round = 0; round < 10; ++round) {
        TextArena d;
        for (int k = 0; k < 100; ++k)
            CHECK(d.copy(std::string(1000, static_cast<char>('a' + k % 26))).size() == 1000);
    }
}

TEST_CASE("parse_mime keeps its own copy and parse_mime_in_place views the input") {
    std::string raw = "Subject: a\n b\nX-One: plain\nContent-Type: Text/Plain; Charset=\"UTF-8\"\n\nbody\n";
    ParsedMessage copied = parse_mime(raw);
    ParsedMessage viewed = parse_mime_in_place(raw);
    CHECK(viewed.root.body.data() >= raw.data());
    CHECK(viewed.root.body.data() < raw.data() + raw.size());
    CHECK(viewed.root.headers.get("X-One").data() == raw.data() + raw.find("plain"));
    CHECK(viewed.root.headers.get("Subject") == "a b"); // unfolded into the message's arena
    std::fill(raw.begin(), raw.end(), '#');
    CHECK(copied.root.headers.get("Subject") == "a b");
    CHECK(copied.root.headers.get("X-One") == "plain");
    CHECK(copied.root.content_type == "text/plain");
    CHECK(copied.root.charset == "utf-8");
    CHECK(copied.root.body == "body\n");
    // A copy of the tree shares the storage.
    const ParsedMessage again = copied;
    copied = ParsedMessage{};
    CHECK(again.root.headers.get("Subject") == "a b");
    CHECK(again.root.body == "body\n");
}

TEST_CASE("parse_headers: folded values live in its storage and plain ones view the block") {
    const std::string block = "A: one\n  two\nB: three\n";
    Headers h = parse_headers(block);
    CHECK(h.get("A") == "one  two");
    CHECK(h.get("B").data() == block.data() + block.find("three"));
    REQUIRE(h.storage != nullptr);
    Headers plain = parse_headers("C: x\n");
    CHECK(plain.storage == nullptr);
}

TEST_CASE("parse_content_type: quoted pairs and upper-case names and repeated or empty parameters") {
    const ContentType a = parse_content_type("Text/Plain; CHARSET=\"a\\\\b\\\"c\"; x=\"\\");
    CHECK(a.type == "text/plain");
    CHECK(a.param("charset") == "a\\b\"c");
    CHECK(a.param("x") == "\\");
    const ContentType b = parse_content_type("text/plain; name=; name=second; name*=utf-8''th%69rd");
    CHECK(b.param("name") == "third");
    const ContentType c = parse_content_type("text/plain; name=; name=second");
    CHECK(c.param("name").empty()); // the first wins, empty or not
    REQUIRE(c.params.size() == 2);
    const ContentType d = parse_content_type("\"multipart\" / \"mixed\"; boundary=b");
    CHECK(d.type == "multipart/mixed");
}

TEST_CASE("parse_content_type: quoted strings with and without quoted-pairs, closed or not") {
    const ContentType a =
        parse_content_type("multipart/report; boundary=\"b=1;x\"; report-type=\"delivery-status\"");
    CHECK(a.param("boundary") == "b=1;x");
    CHECK(a.param("report-type") == "delivery-status");
    // A backslash after the closing quote is no quoted-pair of the string.
    const ContentType b = parse_content_type("text/plain; charset=\"utf-8\"; name=\"a\\\\b\"");
    CHECK(b.param("charset") == "utf-8");
    CHECK(b.param("name") == "a\\b");
    // Unterminated: the rest of the value, with or without a quoted-pair in it.
    CHECK(parse_content_type("text/plain; name=\"open").param("name") == "open");
    CHECK(parse_content_type("text/plain; name=\"op\\\"en").param("name") == "op\"en");
    CHECK(parse_content_type("text/plain; name=\"").param("name").empty());
}

TEST_CASE("header field names: every byte value at every offset of an eight-byte step") {
    // A line is a field when its name is printable ASCII without a colon (then blanks, then ':').
    for (std::size_t at = 0; at < 20; ++at) {
        for (int b = 0; b < 256; ++b) {
            std::string name(at + 1, 'X');
            name[at] = static_cast<char>(b);
            if (at == 0 && (b == ' ' || b == '\t' || b == '\n' || b == '\r')) continue; // not a field line
            const std::string block = "A: 1\n" + name + "Y: v\n";
            const Headers h = parse_headers(block);
            const bool valid = b >= 33 && b <= 126 && b != ':';
            INFO("byte ", b, " at ", at);
            if (valid) {
                REQUIRE(h.fields.size() == 2);
                CHECK(h.fields[1].name == name + "Y");
                CHECK(h.fields[1].value == "v");
            } else if (b == ':' && at > 0) {
                REQUIRE(h.fields.size() == 2); // the name ends at the first colon
                CHECK(h.fields[1].name == name.substr(0, at));
            } else if ((b == ' ' || b == '\t') && at > 0) {
                CHECK(h.fields.size() == 1); // "XX YY: v": a blank inside the name ends the block
            } else {
                CHECK(h.fields.size() == 1);
            }
        }
    }
}

TEST_CASE("HeaderFields: growth in an arena and in memory of its own, copies, alignment") {
    TextArena arena;
    arena.copy("x"); // the next arena bytes are unaligned
    HeaderFields in_arena, own;
    std::vector<std::string> names;
    for (int i = 0; i < 100; ++i)
        names.push_back("F" + std::to_string(i));
    for (int i = 0; i < 100; ++i) {
        in_arena.push_back(HeaderField{names[i], "v"}, &arena);
        own.push_back(HeaderField{names[i], "w"}, nullptr);
        CHECK(reinterpret_cast<std::uintptr_t>(in_arena.begin()) % alignof(HeaderField) == 0);
    }
    REQUIRE(in_arena.size() == 100);
    REQUIRE(own.size() == 100);
    for (std::size_t i = 0; i < 100; ++i) {
        CHECK(in_arena[i].name == names[i]);
        CHECK(own[i].name == names[i]);
        CHECK(own[i].value == "w");
    }
    CHECK(static_cast<std::size_t>(in_arena.end() - in_arena.begin()) == 100);
    // A copy of arena fields shares them; a copy of owned ones is its own.
    const HeaderFields shared = in_arena;
    CHECK(shared.begin() == in_arena.begin());
    HeaderFields copied = own;
    CHECK(copied.begin() != own.begin());
    copied.edit(0).value = "changed";
    CHECK(own[0].value == "w");
    own = HeaderFields{};
    CHECK(own.empty());
    CHECK(copied.size() == 100);
    CHECK(copied[99].name == "F99");
    HeaderFields moved = std::move(copied);
    CHECK(moved.size() == 100);
    CHECK(copied.empty());
    copied = moved;
    CHECK(copied[0].value == "changed");
}

TEST_CASE("parse_mime: header fields in the message's arena, parse_headers: in memory of their own") {
    // Many messages one after another (arenas come back for the next one), fields past 16.
    for (int round = 0; round < 20; ++round) {
        std::string raw;
        for (int i = 0; i < 40; ++i)
            raw += "X-F" + std::to_string(i) + ": value " + std::to_string(i) + "\n";
        raw += "Subject: folded\n  line\n\nbody\n";
        const ParsedMessage m = parse_mime_in_place(raw);
        REQUIRE(m.root.headers.fields.size() == 41);
        CHECK(m.root.headers.fields[39].value == "value 39");
        CHECK(m.root.headers.get("Subject") == "folded  line");
        const Headers h = parse_headers(raw);
        REQUIRE(h.fields.size() == 41);
        const Headers h2 = h;
        CHECK(h2.fields.begin() != h.fields.begin());
        CHECK(h2.get("X-F7") == "value 7");
    }
}

TEST_CASE("TextArena::allocate_aligned and MimeParts growing in the arena") {
    TextArena arena;
    for (std::size_t n = 0; n < 40; ++n) {
        arena.allocate(n % 7); // leaves the next byte at any offset
        for (std::size_t align : {1, 2, 4, 8, 16}) {
            void* p = arena.allocate_aligned(24, align);
            CHECK(reinterpret_cast<std::uintptr_t>(p) % align == 0);
            std::memset(p, 'a', 24);
        }
    }
    MimeParts parts;
    CHECK(parts.empty());
    for (int i = 0; i < 50; ++i) {
        MimePart& p = parts.emplace_back(arena, i == 0 ? 1 : 4);
        CHECK(p.content_type == "text/plain"); // a default part
        p.depth = i;
        p.headers.fields.push_back(HeaderField{"X", "v"}, &arena);
        CHECK(reinterpret_cast<std::uintptr_t>(&p) % alignof(MimePart) == 0);
    }
    REQUIRE(parts.size() == 50);
    int k = 0;
    for (const MimePart& p : parts) {
        CHECK(p.depth == k++);
        REQUIRE(p.headers.fields.size() == 1);
        CHECK(p.headers.get("x") == "v");
    }
    const MimeParts copy = parts; // shares the parts
    CHECK(copy.begin() == parts.begin());
    CHECK(copy[49].depth == 49);
}

TEST_CASE("parse_mime: nested parts after the tree moved") {
    std::string raw = "Content-Type: multipart/mixed; boundary=o\n\n";
    for (int i = 0; i < 12; ++i) {
        raw += "--o\nContent-Type: multipart/alternative; boundary=i" + std::to_string(i) + "\n\n";
        raw += "--i" + std::to_string(i) + "\nContent-Type: text/plain\n\npart " + std::to_string(i) + "\n";
        raw += "--i" + std::to_string(i) + "\nContent-Type: message/rfc822\n\nSubject: s" +
               std::to_string(i) + "\n\nbody\n--i" + std::to_string(i) + "--\n";
    }
    raw += "--o--\n";
    ParsedMessage m = parse_mime(raw);
    REQUIRE(m.root.children.size() == 12);
    for (std::size_t i = 0; i < 12; ++i) {
        const MimePart& alt = m.root.children[i];
        REQUIRE(alt.children.size() == 2);
        CHECK(alt.children[0].body == "part " + std::to_string(i));
        REQUIRE(alt.children[1].children.size() == 1);
        CHECK(alt.children[1].children[0].headers.get("Subject") == "s" + std::to_string(i));
        CHECK(alt.children[1].children[0].depth == 3);
    }
    const ParsedMessage again = m;
    m = ParsedMessage{};
    CHECK(again.root.children[11].children[1].children[0].body == "body");
}

// The arena's blocks and its shared_ptr slot come from per-thread pools (mime.cpp). A message parsed on
// one thread may be read and freed on another after the first has exited and its pools are gone (the
// scan's threads, a service reload): its views must stay valid and its memory be freed once (ASan and
// LSan in CI's sanitizer run see a use after free or a leak here).
TEST_CASE("parse_mime: a message parsed on a thread that has exited is read, copied and freed elsewhere") {
    auto message = [](int i) {
        std::string raw = "Subject: folded\n subject " + std::to_string(i) +
                          "\nContent-Type: multipart/mixed;\n boundary=b\n\n";
        for (int j = 0; j < 20; ++j)
            raw += "--b\nContent-Type: text/plain\nX-Long: " + std::string(300, 'a' + j % 26) +
                   "\n  tail\n\npart " + std::to_string(j) + "\n";
        return raw + "--b--\n";
    };
    std::vector<ParsedMessage> parsed;
    std::thread worker([&] {
        for (int i = 0; i < 40; ++i) {
            ParsedMessage m = parse_mime(message(i));
            if (i % 4 == 0) parsed.push_back(std::move(m)); // the rest go back to this thread's pools
        }
    });
    worker.join();
    REQUIRE(parsed.size() == 10);
    std::vector<ParsedMessage> copies;
    for (std::size_t k = 0; k < parsed.size(); ++k) {
        const ParsedMessage& m = parsed[k];
        CHECK(m.root.headers.get("Subject") == "folded subject " + std::to_string(4 * k));
        REQUIRE(m.root.children.size() == 20);
        CHECK(m.root.children[19].body == "part 19");
        CHECK(m.root.children[7].headers.get("X-Long") == std::string(300, 'h') + "  tail");
        copies.push_back(m);
    }
    parsed.clear(); // frees on this thread what the exited thread's arenas hold, the copies keep them
    CHECK(copies[9].root.children[0].headers.get("X-Long") == std::string(300, 'a') + "  tail");
    ParsedMessage fresh = parse_mime(message(99)); // this thread's pools take the freed blocks
    CHECK(fresh.root.headers.get("Subject") == "folded subject 99");
    copies.clear();
    CHECK(fresh.root.children[19].body == "part 19");
}

TEST_CASE("header values are trimmed as trim() does: blanks, tabs and CRs at either end") {
    for (std::string_view lead : {"", " ", "\t", " \t ", "\r", " \r", "\r ", "\t\r\t"})
        for (std::string_view core : {"", "v", "a b", "\rx", "x\r", " "})
            for (std::string_view tail : {"", " ", "\t", "\r", " \r", "\r ", " \t\r "}) {
                const std::string value = std::string(lead) + std::string(core) + std::string(tail);
                const std::string block = "A:" + value + "\nB: next\n\n";
                const Headers h = parse_headers(block);
                INFO("value: [" << value << "]");
                REQUIRE(h.fields.size() == 2);
                CHECK(h.fields[0].value == trim(value));
                CHECK(h.fields[1].value == "next");
            }
}
