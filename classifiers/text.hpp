// text.hpp — small text helpers shared by the parsers, and the one sanitiser.
//
// Everything here takes hostile text and is bounded: linear time, output capped where noted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ndr::classifiers {

// CRLF and lone CR become LF; NUL bytes become U+FFFD (and *had_nul is set). Linear.
std::string normalise_newlines(std::string_view raw, bool* had_nul = nullptr);

// ASCII case-insensitive comparison and search. iequals is inline: it runs for every header lookup
// and table row, and most calls end at the size check.
inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    // Bytes equal without case differ in nothing but 0x20, and only when both are letters: a byte
    // pair that differs elsewhere ends the comparison at once.
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto x = static_cast<unsigned char>(a[i] ^ b[i]);
        if (x == 0) continue;
        const auto c = static_cast<unsigned char>(a[i] | 0x20);
        if (x != 0x20 || c < 'a' || c > 'z') return false;
    }
    return true;
}
// Inline like iequals: they run for every header line, field and table row.
inline bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}
std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t from = 0);
std::string to_lower_ascii(std::string_view s);
// to_lower_ascii() where the string is: no second string.
void lower_ascii_in_place(std::string& s);
// s without leading and trailing SP, TAB, CR and LF.
inline std::string_view trim(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    std::size_t b = 0, e = s.size();
    while (b < e && space(s[b]))
        ++b;
    while (e > b && space(s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

// out = s: assigned into out's room when it has enough, else a copy constructed and moved in (what
// std::string::assign() does there costs more: it is written for every kind of replacement).
inline void copy_into(std::string& out, std::string_view s) {
    if (s.size() > out.capacity())
        out = std::string(s);
    else
        out.assign(s);
}

// Decode RFC 2047 encoded words to UTF-8 (charsets via iconv; unknown charsets are kept as bytes and
// made valid UTF-8). Never throws.
std::string decode_rfc2047(std::string_view s);
// decode_rfc2047() into out (its room reused; s must not view out).
void decode_rfc2047(std::string_view s, std::string& out);

// Convert text in `charset` to valid UTF-8; invalid sequences become U+FFFD. Unknown charset: kept
// when it is valid UTF-8, else read as Latin-1 (*unknown_charset is set). Pure ASCII text in an
// ASCII-compatible charset is returned as is without looking the charset up (no anomaly).
std::string to_utf8(std::string_view s, std::string_view charset, bool* unknown_charset = nullptr);
// to_utf8() without the copy where there is nothing to convert: s itself when to_utf8() would return
// it unchanged, else the converted text, which is left in `store` (the result views it).
std::string_view to_utf8_view(std::string_view s, std::string_view charset, std::string& store,
                              bool* unknown_charset = nullptr);

// The ONE function through which NDR text reaches a log, a terminal, a database row or a draft:
// valid UTF-8, no C0/C1 control characters (TAB, CR and LF become a space), no terminal escape
// sequences, no Unicode bidi overrides, runs of spaces collapsed, capped at max_bytes (then "...").
std::string sanitise(std::string_view s, std::size_t max_bytes = 4096);
// True when sanitise(s, max_bytes) is s itself (printable ASCII, single spaces between words, within
// the cap): a caller may then use s without the copy. False says nothing.
bool is_sanitised(std::string_view s, std::size_t max_bytes = 4096);

// True when s is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);
// s with every ill-formed UTF-8 sequence replaced by U+FFFD. Linear.
std::string repair_utf8(std::string_view s);
// Every run of whitespace (SP, TAB, CR, LF) becomes one space; leading and trailing runs removed.
std::string collapse_whitespace(std::string_view s);
// collapse_whitespace() into out (its room reused; s must not view out).
void collapse_whitespace(std::string_view s, std::string& out);
// RFC 5322 unfolding: a line break followed by SP/TAB is removed (the SP/TAB kept).
std::string unfold(std::string_view s);
// Strips one trailing '\r' and returns the line; next is advanced past the '\n' (or to the end).
// Iterate a text line by line without allocating.
// Inline: the format parsers call it per line.
inline std::string_view next_line(std::string_view text, std::size_t& pos) {
    if (pos >= text.size()) {
        pos = text.size();
        return {};
    }
    const std::size_t nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}
// The first occurrence of a whole word (ASCII letters/digits not adjacent on either side).
std::size_t ifind_word(std::string_view hay, std::string_view word, std::size_t from = 0);

} // namespace ndr::classifiers
