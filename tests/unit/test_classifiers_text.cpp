// Unit tests for classifiers/text.cpp: newline normalisation, case helpers, RFC 2047, charsets, sanitise().
#include "classifiers/text.hpp"

#include <algorithm>
#include <cstdint>
#include <doctest/doctest.h>
#include <random>
#include <string>

using namespace ndr::classifiers;

namespace {
// The words of a text (runs without SP, TAB, CR, LF) joined by single spaces.
std::string words_joined(const std::string& text) {
    std::string want, word;
    for (char c : text + " ") {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            word += c;
            continue;
        }
        if (!word.empty()) want += (want.empty() ? "" : " ") + word;
        word.clear();
    }
    return want;
}

// Up to max_pieces - 1 random words and runs of blanks (SP, TAB, CR, LF), each 1..max_len bytes.
std::string words_and_blanks(std::mt19937& rng, std::size_t max_pieces, std::size_t max_len) {
    std::string text;
    const std::size_t pieces = rng() % max_pieces;
    for (std::size_t k = 0; k < pieces; ++k) {
        const bool blank = rng() % 2 == 0;
        const std::size_t len = 1 + rng() % max_len;
        for (std::size_t i = 0; i < len; ++i)
            text += blank ? " \t\r\n"[rng() % 4] : static_cast<char>('a' + rng() % 26);
    }
    return text;
}
} // namespace

TEST_CASE("normalise_newlines") {
    struct Row {
        const char* name;
        std::string in, want;
        bool nul;
    };
    const Row rows[] = {
        {"lf unchanged", "a\nb\n", "a\nb\n", false},
        {"crlf", "a\r\nb\r\n", "a\nb\n", false},
        {"cr only", "a\rb\r", "a\nb\n", false},
        {"mixed", "a\r\n\rb\n", "a\n\nb\n", false},
        {"nul", std::string("a\0b", 3),
         "a\xEF\xBF\xBD"
         "b",
         true},
        {"empty", "", "", false},
    };
    for (const auto& r : rows) {
        bool nul = false;
        std::string got = normalise_newlines(r.in, &nul);
        CHECK_MESSAGE(got == r.want, r.name, ": got ", got, ", want ", r.want);
        CHECK_MESSAGE(nul == r.nul, r.name);
    }
}

TEST_CASE("normalise_newlines across sixteen-byte blocks") {
    std::mt19937 rng(13);
    const std::string bytes("abc\r\n\0", 6);
    for (int round = 0; round < 3000; ++round) {
        std::string in(rng() % 70, 'a');
        for (char& c : in)
            c = rng() % 4 == 0 ? bytes[rng() % bytes.size()] : 'x';
        std::string want;
        bool want_nul = false;
        for (std::size_t i = 0; i < in.size(); ++i) {
            if (in[i] == '\r') {
                want += '\n';
                if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
            } else if (in[i] == '\0') {
                want += "\xEF\xBF\xBD";
                want_nul = true;
            } else {
                want += in[i];
            }
        }
        bool nul = false;
        CHECK(normalise_newlines(in, &nul) == want);
        CHECK(nul == want_nul);
    }
}

TEST_CASE("iequals on every pair of bytes") {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    for (int a = 0; a < 256; ++a)
        for (int b = 0; b < 256; ++b) {
            const std::string x{'k', static_cast<char>(a)}, y{'K', static_cast<char>(b)};
            const bool want = lower(static_cast<char>(a)) == lower(static_cast<char>(b));
            if (iequals(x, y) != want) CHECK_MESSAGE(false, "bytes ", a, " and ", b);
        }
}

TEST_CASE("case-insensitive helpers") {
    CHECK(iequals("Content-Type", "content-type"));
    CHECK_FALSE(iequals("Content-Type", "content-typ"));
    CHECK(istarts_with("Final-Recipient: x", "final-recipient:"));
    CHECK(ifind("abc HELLO def", "hello") == 4);
    CHECK(ifind("abc", "abcd") == std::string::npos);
    CHECK(ifind("aaaab", "AAB") == 2);
    CHECK(ifind("", "") == 0);
    CHECK(ifind_word("spamhaus.org xspam spam", "spam") == 19);
    CHECK(to_lower_ascii("MiXeD \xC3\x84") == "mixed \xC3\x84");
    // Every byte value, at every offset of the eight-byte blocks and of the tail.
    for (std::size_t shift = 0; shift < 9; ++shift) {
        std::string all(shift, 'Q');
        for (int b = 0; b < 256; ++b)
            all += static_cast<char>(b);
        std::string want = all;
        for (char& c : want)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        CHECK(to_lower_ascii(all) == want);
        lower_ascii_in_place(all); // the same blocks where the string is
        CHECK(all == want);
    }
    CHECK(trim("  \t a b \r\n") == "a b");
}

// ifind() against std::string::find on lower-cased copies: random texts over `alphabet` shorter than
// max_hay, needles from min_needle to min_needle + needle_span - 1 bytes, from any offset.
static void check_ifind_against_naive(std::uint32_t seed, const std::string& alphabet, std::size_t max_hay,
                                      std::size_t min_needle, std::size_t needle_span, int rounds) {
    std::mt19937 rng(seed);
    auto pick = [&] { return alphabet[rng() % alphabet.size()]; };
    for (int round = 0; round < rounds; ++round) {
        std::string hay(rng() % max_hay, 'a'), needle(min_needle + rng() % needle_span, 'a');
        std::generate(hay.begin(), hay.end(), pick);
        std::generate(needle.begin(), needle.end(), pick);
        const std::size_t from = rng() % (hay.size() + 2);
        const std::string lower_hay = to_lower_ascii(hay), lower_needle = to_lower_ascii(needle);
        std::size_t want = std::string::npos;
        if (from <= hay.size()) want = lower_hay.find(lower_needle, from);
        CHECK_MESSAGE(ifind(hay, needle, from) == want, "hay ", hay, " needle ", needle, " from ", from);
    }
}

TEST_CASE("ifind: the first match from any offset, against a naive search") {
    // A small alphabet with both cases of one letter, and texts where one case of the first byte is
    // missing.
    check_ifind_against_naive(7, "aAb-", 31, 0, 5, 2000);
}

TEST_CASE("ifind on long texts: thirty-two and sixteen offsets a step, against a naive search") {
    // Letters in both cases, a byte that differs from a letter only in 0x20 ('@' and '`'), digits.
    check_ifind_against_naive(23, "aAbB@`1-", 90, 1, 4, 5000);
    check_ifind_against_naive(29, "aAbB@`1-", 160, 1, 4, 5000);
}

TEST_CASE("unfold and collapse_whitespace") {
    CHECK(unfold("a\n b\n\tc") == "a b\tc");
    CHECK(unfold("a\r\n b") == "a b");
    CHECK(collapse_whitespace("  550  5.1.1\n\tuser   unknown  ") == "550 5.1.1 user unknown");
    CHECK(collapse_whitespace("") == "");
    // Against the words of the text joined by single spaces, on random texts of words and blanks.
    std::mt19937 rng(3);
    const std::string bytes = "ab \t\r\n";
    for (int round = 0; round < 2000; ++round) {
        std::string text(rng() % 16, 'a');
        for (char& c : text)
            c = bytes[rng() % bytes.size()];
        CHECK_MESSAGE(collapse_whitespace(text) == words_joined(text), "text [", text, "]");
    }
}

TEST_CASE("collapse_whitespace into a string: the same result, whatever the string held") {
    std::mt19937 rng(5);
    std::string into;
    for (int round = 0; round < 2000; ++round) {
        const std::string text = words_and_blanks(rng, 8, 12);
        if (round % 3 == 0) into.assign(rng() % 40, 'x');
        collapse_whitespace(text, into);
        CHECK_MESSAGE(into == words_joined(text), "text [", text, "]");
    }
}

TEST_CASE("decode_rfc2047") {
    struct Row {
        const char* name;
        std::string in, want;
    };
    const Row rows[] = {
        {"plain", "Hello", "Hello"},
        {"B utf-8", "=?UTF-8?B?w6TDtsO8?=", "\xC3\xA4\xC3\xB6\xC3\xBC"},
        {"Q latin1", "=?iso-8859-1?Q?Gr=FC=DFe_aus?=",
         "Gr\xC3\xBC\xC3\x9F"
         "e aus"},
        {"Q lower-case hex", "=?utf-8?q?caf=c3=a9?=", "caf\xC3\xA9"},
        {"adjacent words drop whitespace", "=?UTF-8?Q?a?= \n =?UTF-8?Q?b?=", "ab"},
        {"text between words kept", "=?UTF-8?Q?a?= x =?UTF-8?Q?b?=", "a x b"},
        {"split multibyte char across words", "=?UTF-8?B?ww==?= =?UTF-8?B?pA==?=", "\xC3\xA4"},
        {"language tag", "=?UTF-8*en?Q?hi?=", "hi"},
        {"malformed kept", "=?UTF-8?X?abc?=", "=?UTF-8?X?abc?="},
        {"unterminated kept", "=?UTF-8?Q?abc", "=?UTF-8?Q?abc"},
        {"iso-2022-jp", "=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=", "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88"},
        {"invalid utf-8 repaired", "=?UTF-8?B?/w==?=", "\xEF\xBF\xBD"},
    };
    // The overload that writes into a string gives the same, whatever the string held before.
    std::string into = "left over from before, longer than the small-string buffer";
    for (const auto& r : rows) {
        std::string got = decode_rfc2047(r.in);
        CHECK_MESSAGE(got == r.want, r.name, ": got ", got, ", want ", r.want);
        decode_rfc2047(r.in, into);
        CHECK_MESSAGE(into == r.want, r.name, " (into a string): got ", into, ", want ", r.want);
    }
}

TEST_CASE("decode_rfc2047: adjacent words in one charset written in different cases are one run") {
    // The bytes of a character split over two words join only when the words are one run.
    CHECK(decode_rfc2047("=?UTF-8?B?ww==?= =?utf-8?B?pA==?=") == "\xC3\xA4");
    CHECK(decode_rfc2047("=?Iso-8859-1?Q?=FC?= =?ISO-8859-1?Q?=DF?=") == "\xC3\xBC\xC3\x9F");
    // A charset change ends the run: each part converted on its own.
    CHECK(decode_rfc2047("=?UTF-8?B?ww==?= =?iso-8859-1?Q?=FC?=") == "\xEF\xBF\xBD\xC3\xBC");
    // Many words in a row (the run's bytes kept from call to call must start empty each time).
    std::string many, want;
    for (int i = 0; i < 200; ++i) {
        many += "=?UTF-8?Q?ab?= ";
        want += "ab";
    }
    CHECK(decode_rfc2047(many) == want + " "); // the blank after the last word is text
    CHECK(decode_rfc2047("=?UTF-8?Q?x?=") == "x");
}

TEST_CASE("to_utf8") {
    bool unknown = false;
    CHECK(to_utf8("caf\xE9", "iso-8859-1", &unknown) == "caf\xC3\xA9");
    CHECK_FALSE(unknown);
    CHECK(to_utf8("caf\xE9", "windows-1252", &unknown) == "caf\xC3\xA9");
    // ASCII text is the same in every ASCII-compatible charset: not worth an anomaly.
    CHECK(to_utf8("ascii only", "x-no-such-charset", &unknown) == "ascii only");
    CHECK_FALSE(unknown);
    CHECK(to_utf8("caf\xE9", "x-no-such-charset", &unknown) == "caf\xC3\xA9"); // Latin-1 fallback
    CHECK(unknown);
    CHECK(to_utf8("\xFF\xFEh\0i\0" + std::string(), "utf-16", &unknown).size() > 0);
    CHECK(to_utf8("bad \xC3 utf8", "utf-8", &unknown) == "bad \xEF\xBF\xBD utf8");
    CHECK_FALSE(unknown);
    // A "us-ascii" label on UTF-8 text: kept as UTF-8.
    CHECK(to_utf8("\xC3\xA4", "us-ascii", &unknown) == "\xC3\xA4");
    CHECK(to_utf8("+AOQ-", "unicode-1-1-utf-7", &unknown) == "\xC3\xA4");
}

TEST_CASE("to_utf8: bytes >= 0x80 in ISO-2022-JP each become U+FFFD, the shift state kept") {
    // Raw 8-bit text in a part labelled iso-2022-jp (Shift_JIS or EUC-JP bytes): one replacement per
    // byte, and what follows in JIS X 0208 still decodes.
    CHECK(to_utf8("\x1b$B$3\x1b(B \xA4\xA2\xFF x \x1b$B\xA4$3\x1b(B", "iso-2022-jp") ==
          "\xE3\x81\x93 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD x \xEF\xBF\xBD\xE3\x81\x93");
}

TEST_CASE("utf-8 validation and repair") {
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("\xE2\x82\xAC"));
    CHECK_FALSE(is_valid_utf8("\xC0\xAF"));         // overlong
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));     // surrogate
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80")); // above U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xE2\x82"));         // truncated
    CHECK(repair_utf8("a\xFF"
                      "b") == "a\xEF\xBF\xBD"
                              "b");
}

TEST_CASE("sanitise") {
    struct Row {
        const char* name;
        std::string in, want;
    };
    const Row rows[] = {
        {"plain", "550 5.1.1 user unknown", "550 5.1.1 user unknown"},
        {"crlf injection", "a\r\nBcc: x@example.com", "a Bcc: x@example.com"},
        {"tab", "a\tb", "a b"},
        {"csi colour", "red \x1b[31mtext\x1b[0m", "red text"},
        {"osc title", "x\x1b]0;owned\x07y", "xy"},
        {"osc with ST", "x\x1b]8;;http://example.com\x1b\\link", "xlink"},
        {"c1 csi",
         "x\xC2\x9B"
         "31my",
         "xy"},
        {"other C0 and DEL",
         std::string("a\x01\x7f"
                     "b\0c",
                     6),
         "abc"},
        {"bidi override",
         "abc\xE2\x80\xAE"
         "cba",
         "abccba"},
        {"isolates",
         "a\xE2\x81\xA6"
         "b\xE2\x81\xA9",
         "ab"},
        {"zero width",
         "a\xE2\x80\x8B"
         "b\xEF\xBB\xBF",
         "ab"},
        {"invalid utf-8",
         "a\xFF"
         "b",
         "a\xEF\xBF\xBD"
         "b"},
        {"collapse and trim", "  a   b  ", "a b"},
        {"unicode kept",
         "Gr\xC3\xBC\xC3\x9F"
         "e",
         "Gr\xC3\xBC\xC3\x9F"
         "e"},
    };
    for (const auto& r : rows) {
        std::string got = sanitise(r.in);
        CHECK_MESSAGE(got == r.want, r.name, ": got ", got, ", want ", r.want);
    }
}

TEST_CASE("sanitise caps on a character boundary") {
    std::string s(100, 'a');
    CHECK(sanitise(s, 10) == "aaaaaaa...");
    std::string u;
    for (int i = 0; i < 10; ++i)
        u += "\xC3\xA4";
    std::string got = sanitise(u, 9);
    CHECK(got.size() <= 9);
    CHECK(is_valid_utf8(got));
    CHECK(got.ends_with("..."));
    CHECK(sanitise("short", 10) == "short");
    // Runs of printable ASCII are copied whole only when they fit; the cap falls inside a run.
    CHECK(sanitise("abc defgh", 9) == "abc defgh");
    CHECK(sanitise("abc defghi", 9) == "abc de...");
    CHECK(sanitise("abc \x1b[1mdefghi", 9) == "abc de...");
    CHECK(sanitise("abcdefgh \xC3\xA4", 10) == "abcdefg...");
    CHECK(sanitise("abc    ", 3) == "abc");
}

TEST_CASE("is_sanitised: only texts that sanitise() returns unchanged") {
    CHECK(is_sanitised(""));
    CHECK(is_sanitised("550 5.1.1 user unknown"));
    CHECK_FALSE(is_sanitised(" lead"));
    CHECK_FALSE(is_sanitised("trail "));
    CHECK_FALSE(is_sanitised("two  spaces"));
    CHECK_FALSE(is_sanitised("tab\there"));
    CHECK_FALSE(is_sanitised("\xC3\xA4"));
    CHECK_FALSE(is_sanitised("abcdefghij", 9));
    CHECK(is_sanitised("abcdefghi", 9));
    // Random texts over the bytes sanitise() treats specially: a yes is always right, and for
    // printable ASCII within the cap a no is too.
    std::mt19937 rng(11);
    const std::string alphabet = std::string("a \t\x1b[\x7f\x01~\0", 9) + "\xC3\xA4"; // with a NUL
    for (int round = 0; round < 5000; ++round) {
        std::string s(rng() % 12, 'a');
        std::generate(s.begin(), s.end(), [&] { return alphabet[rng() % alphabet.size()]; });
        const std::size_t cap = 4 + rng() % 10;
        const bool same = sanitise(s, cap) == s;
        if (is_sanitised(s, cap)) CHECK_MESSAGE(same, "text [", s, "] cap ", cap);
        const bool printable = std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
        if (printable && s.size() <= cap)
            CHECK_MESSAGE(is_sanitised(s, cap) == same, "text [", s, "] cap ", cap);
    }
}

TEST_CASE("is_sanitised on texts longer than a sixteen-byte block") {
    std::mt19937 rng(19);
    const std::string odd = std::string("\t\x1b\x7f\x01\0\x80", 6) + "\xC3\xA4";
    for (int round = 0; round < 5000; ++round) {
        std::string s(rng() % 60, 'a');
        for (char& c : s) {
            const unsigned r = rng() % 40;
            c = r == 0 ? odd[rng() % odd.size()] : r < 8 ? ' ' : static_cast<char>('!' + rng() % 94);
        }
        const bool printable = std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
        CHECK_MESSAGE(is_sanitised(s) == (printable && sanitise(s) == s), "text [", s, "]");
    }
}

TEST_CASE("next_line") {
    std::string_view t = "a\r\nb\n\nc";
    std::size_t pos = 0;
    CHECK(next_line(t, pos) == "a");
    CHECK(next_line(t, pos) == "b");
    CHECK(next_line(t, pos) == "");
    CHECK(next_line(t, pos) == "c");
    CHECK(pos == t.size());
}

TEST_CASE("collapse_whitespace: text with single spaces between words, across blocks") {
    // Mostly single spaces (the blocks copied as they are), now and then a run, a tab or a line
    // break, a space at either end.
    std::mt19937 rng(12);
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        if (rng() % 4 == 0) text += ' ';
        const std::size_t words = rng() % 20;
        for (std::size_t k = 0; k < words; ++k) {
            if (k > 0) {
                const unsigned r = rng() % 16;
                text += r == 0 ? "  " : r == 1 ? "\t" : r == 2 ? "\n " : " ";
            }
            const std::size_t len = 1 + rng() % 12;
            for (std::size_t i = 0; i < len; ++i)
                text += static_cast<char>('a' + rng() % 26);
        }
        if (rng() % 4 == 0) text += ' ';
        CHECK_MESSAGE(collapse_whitespace(text) == words_joined(text), "text [", text, "]");
    }
}

TEST_CASE("collapse_whitespace across sixteen-byte blocks") {
    // Long words and long blank runs, so that words and runs start and end at every offset of a
    // block and cross from one block into the next (and into the tail).
    std::mt19937 rng(11);
    for (int round = 0; round < 3000; ++round) {
        const std::string text = words_and_blanks(rng, 12, 20);
        CHECK_MESSAGE(collapse_whitespace(text) == words_joined(text), "text [", text, "]");
    }
}

TEST_CASE("is_valid_utf8 against a decoder, at every offset") {
    // Reference: decode each sequence, reject overlongs, surrogates, values above U+10FFFF.
    auto valid = [](std::string_view s) {
        std::size_t i = 0;
        while (i < s.size()) {
            const auto b = static_cast<unsigned char>(s[i]);
            if (b < 0x80) {
                ++i;
                continue;
            }
            std::size_t len = b >= 0xC2 && b <= 0xDF   ? 2
                              : b >= 0xE0 && b <= 0xEF ? 3
                              : b >= 0xF0 && b <= 0xF4 ? 4
                                                       : 0;
            if (len == 0 || i + len > s.size()) return false;
            std::uint32_t cp = b & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
            for (std::size_t k = 1; k < len; ++k) {
                const auto c = static_cast<unsigned char>(s[i + k]);
                if ((c & 0xC0) != 0x80) return false;
                cp = cp << 6 | (c & 0x3F);
            }
            const std::uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
            i += len;
        }
        return true;
    };
    const std::string_view pieces[] = {"a",
                                       "\xC3\xA9",
                                       "\xE3\x81\x82",
                                       "\xF0\x9F\x98\x80",
                                       "\xF4\x8F\xBF\xBF",
                                       "\xE0\xA0\x80",
                                       "\xED\x9F\xBF",
                                       "\xC0",
                                       "\xE0\x9F\x80",
                                       "\xED\xA0\x80",
                                       "\xF4\x90\x80\x80",
                                       "\x80",
                                       "\xFF",
                                       "\xE3\x81",
                                       "0123456789abcdef"};
    std::mt19937 rng(5);
    for (int round = 0; round < 5000; ++round) {
        std::string s(rng() % 20, 'x');
        const std::size_t n = rng() % 8;
        for (std::size_t k = 0; k < n; ++k)
            s += pieces[rng() % std::size(pieces)];
        CHECK_MESSAGE(is_valid_utf8(s) == valid(s), "text [", s, "]");
    }
}

TEST_CASE("to_utf8_view: the input itself when nothing changes") {
    std::string store;
    const std::string_view ascii = "plain text";
    CHECK(to_utf8_view(ascii, "iso-8859-1", store).data() == ascii.data());
    const std::string_view utf8 = "caf\xC3\xA9";
    CHECK(to_utf8_view(utf8, "UTF-8", store).data() == utf8.data());
    const std::string_view latin1 = "caf\xE9";
    const std::string_view converted = to_utf8_view(latin1, "iso-8859-1", store);
    CHECK(converted == "caf\xC3\xA9");
    CHECK(converted.data() == store.data());
    bool unknown = false;
    CHECK(to_utf8_view(utf8, "x-no-such-charset", store, &unknown).data() == utf8.data());
    CHECK(unknown);
}

TEST_CASE("to_utf8: a charset name told as written gives what its quoted form gives") {
    // A quoted name is read through the alias table only; the name as written (any case, blanks
    // around it) is told apart first for the usual charsets: both must agree.
    const std::string names[] = {"utf-8",
                                 "UTF-8",
                                 " Us-Ascii\t",
                                 "UTF8",
                                 "",
                                 "default",
                                 "X-Unknown",
                                 "utf-16",
                                 "UTF-16LE",
                                 "Utf-7",
                                 "UTF-32BE",
                                 "ucs-2",
                                 "HZ-GB-2312",
                                 "iso-8859-1",
                                 "ISO-8859-1",
                                 "Latin1",
                                 "windows-1252",
                                 "utf-8-sig",
                                 "UTF-8-SIG",
                                 "iso-2022-jp",
                                 "ISO-2022-JP",
                                 "gb2312",
                                 "x-no-such",
                                 "unicode-1-1-utf-7"};
    const std::string texts[] = {"plain text",
                                 "caf\xC3\xA9",
                                 "caf\xE9",
                                 "\x1b$B$\"\x1b(B",
                                 "a\xFF"
                                 "b",
                                 ""};
    for (const std::string& name : names)
        for (const std::string& text : texts) {
            bool unknown_written = false, unknown_quoted = false;
            const std::string written = to_utf8(text, name, &unknown_written);
            const std::string quoted = to_utf8(text, "\"" + std::string(trim(name)) + "\"", &unknown_quoted);
            CHECK_MESSAGE(written == quoted, "charset [", name, "] text [", text, "]");
            CHECK_MESSAGE(unknown_written == unknown_quoted, "charset [", name, "] text [", text, "]");
        }
}

TEST_CASE("copy_into: out = s, whatever out held") {
    std::string out;
    copy_into(out, "short");
    CHECK(out == "short");
    copy_into(out, "a text longer than the small-string buffer of a std::string");
    CHECK(out == "a text longer than the small-string buffer of a std::string");
    const std::size_t room = out.capacity();
    copy_into(out, "fits in the room already there");
    CHECK(out == "fits in the room already there");
    CHECK(out.capacity() == room);
    copy_into(out, "");
    CHECK(out.empty());
}
