// classify_json.cpp — one `classify --json` object per record. See classify_json.hpp.
#include "agent/classify_json.hpp"

#include "classifiers/text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ndr::agent {
namespace {

using classifiers::sanitise;
using namespace std::string_view_literals;

// What a byte needs, for append_string() and append_sanitised(): nothing (printable ASCII other than
// '"' and '\\'), a JSON escape ('"', '\\', control characters), or sanitise() (control characters
// and bytes above 0x7E; a space only where two meet or at either end, checked apart).
enum : unsigned char { k_plain = 0, k_escape = 1, k_unsanitised = 2 };
constexpr auto k_byte_class = [] {
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c) {
        if (c < 0x20)
            t[static_cast<std::size_t>(c)] = k_escape | k_unsanitised;
        else if (c > 0x7E)
            t[static_cast<std::size_t>(c)] = k_unsanitised;
    }
    t['"'] = k_escape;
    t['\\'] = k_escape;
    return t;
}();

// The output string written through a pointer: the string is lengthened to its capacity without
// filling it (doubled when a piece needs more), so that a piece is a compare and a copy inline, not
// a call to std::string::append() with its own checks (about forty pieces per record). The string is
// cut to what was written when the sink goes (also when a write throws).
class Sink {
  public:
    explicit Sink(std::string& s) : m_s(s), m_used(s.size()) { grow(1024); }
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;
    ~Sink() { m_s.resize(m_used); }

    [[gnu::always_inline]] void put(char c) {
        if (m_used == m_room) grow(1);
        m_p[m_used++] = c;
    }
    [[gnu::always_inline]] void put(std::string_view v) {
        if (v.empty()) return; // (memcpy() from a null view's data)
        if (m_room - m_used < v.size()) grow(v.size());
        std::memcpy(m_p + m_used, v.data(), v.size());
        m_used += v.size();
    }

  private:
    [[gnu::noinline]] void grow(std::size_t n) {
        std::size_t want = m_s.capacity(); // no allocation while the string has room
        if (want < m_used + n) want = std::max(m_used + n, 2 * want);
        m_s.resize(m_used); // what is written is all a reallocation copies
        // The bytes past m_used are written before they are read (and cut off at the end).
        m_s.resize_and_overwrite(want, [](char*, std::size_t k) { return k; });
        m_p = m_s.data();
        m_room = m_s.size();
    }

    std::string& m_s;
    char* m_p = nullptr;
    std::size_t m_used = 0, m_room = 0;
};

// Appends s escaped, from the first byte that needs an escape (`from` bytes before it need none).
void append_escaped(Sink& out, std::string_view s, std::size_t first) {
    std::size_t from = 0;
    for (std::size_t i = first; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if ((k_byte_class[c] & k_escape) == 0) continue;
        out.put(s.substr(from, i - from));
        from = i + 1;
        switch (c) {
        case '"':
            out.put("\\\""sv);
            break;
        case '\\':
            out.put("\\\\"sv);
            break;
        case '\b':
            out.put("\\b"sv);
            break;
        case '\f':
            out.put("\\f"sv);
            break;
        case '\n':
            out.put("\\n"sv);
            break;
        case '\r':
            out.put("\\r"sv);
            break;
        case '\t':
            out.put("\\t"sv);
            break;
        default: {
            static constexpr char k_hex[] = "0123456789abcdef";
            const char u[6] = {'\\', 'u', '0', '0', k_hex[c >> 4], k_hex[c & 0xF]};
            out.put(std::string_view(u, 6));
        }
        }
    }
    out.put(s.substr(from));
}

// A JSON string literal, escaped as nlohmann::json::dump() does with ensure_ascii off. The values are
// sanitised (valid UTF-8, no control characters), so only '"' and '\\' occur in practice; the control
// character escapes are kept for safety.
void append_string(Sink& out, std::string_view s) {
    out.put('"');
    std::size_t i = 0;
    while (i < s.size() && (k_byte_class[static_cast<unsigned char>(s[i])] & k_escape) == 0)
        ++i;
    if (i == s.size())
        out.put(s);
    else
        append_escaped(out, s, i);
    out.put('"');
}

// Bytes of x (eight at a time) that equal c, below n (n <= 0x80) or above 0x7E: 0x80 in each such
// byte, exactly (no carry crosses a byte).
constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
constexpr std::uint64_t k_low7 = 0x7F7F7F7F7F7F7F7FULL;
constexpr std::uint64_t k_high = 0x8080808080808080ULL;
std::uint64_t bytes_equal(std::uint64_t x, unsigned char c) {
    const std::uint64_t t = x ^ (k_ones * c);
    return ~(((t & k_low7) + k_low7) | t) & k_high;
}
std::uint64_t bytes_below(std::uint64_t x, unsigned char n) {
    return ~(((x & k_low7) + k_ones * (0x80u - n)) | x) & k_high;
}
std::uint64_t bytes_above_7e(std::uint64_t x) {
    return (((x & k_low7) + k_ones) | x) & k_high;
}

// Whether sanitise(s, cap) is s itself, as is_sanitised() decides (printable ASCII, no space at either
// end, no two spaces in a row, within the cap), and where the first byte needing a JSON escape is
// (s.size() when none): one pass, sixteen bytes at a time, then eight.
bool check_value(std::string_view s, std::size_t cap, std::size_t& first_escape) {
    first_escape = s.size();
    if (s.size() > cap) return false;
    if (s.empty()) return true;
    if (s.front() == ' ' || s.back() == ' ') return false;
    std::size_t i = 0;
    std::uint64_t space_before = 0; // 0x80 in byte 0 when the byte before this word is a space
#if defined(__SSE2__)
    // Sixteen bytes at a time: the same tests as masks of one bit per byte.
    {
        const __m128i below = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F), space = _mm_set1_epi8(' '),
                      quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
        unsigned space_carry = 0; // 1 when the byte before these sixteen is a space
        for (; i + 16 <= s.size(); i += 16) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
            // Signed: bytes >= 0x80 are negative, below 0x20 too.
            const __m128i bad = _mm_or_si128(_mm_cmplt_epi8(x, below), _mm_cmpeq_epi8(x, del));
            if (_mm_movemask_epi8(bad) != 0) return false;
            const auto spaces = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, space)));
            if ((spaces & ((spaces << 1) | space_carry)) != 0) return false;
            space_carry = spaces >> 15;
            if (first_escape == s.size()) {
                const auto escapes = static_cast<unsigned>(
                    _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash))));
                if (escapes != 0) first_escape = i + static_cast<std::size_t>(std::countr_zero(escapes));
            }
        }
        space_before = std::uint64_t{space_carry} << 7;
    }
#endif
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t x;
        std::memcpy(&x, s.data() + i, 8);
        if ((bytes_below(x, 0x20) | bytes_above_7e(x)) != 0) return false;
        const std::uint64_t spaces = bytes_equal(x, ' ');
        if ((spaces & ((spaces << 8) | space_before)) != 0) return false;
        space_before = spaces >> 56;
        if (first_escape == s.size()) {
            const std::uint64_t escapes = bytes_equal(x, '"') | bytes_equal(x, '\\');
            if (escapes != 0) first_escape = i + static_cast<std::size_t>(std::countr_zero(escapes)) / 8;
        }
    }
    for (; i < s.size(); ++i) {
        const unsigned char k = k_byte_class[static_cast<unsigned char>(s[i])];
        if ((k & k_unsanitised) != 0 || (s[i] == ' ' && s[i - 1] == ' ')) return false;
        if (k != 0 && first_escape == s.size()) first_escape = i;
    }
    return true;
}

void append_sanitised(Sink& out, std::string_view s, std::size_t cap) {
    // Most values come out of sanitise() unchanged: those are escaped without the copy, found so in
    // the pass that also finds the first byte to escape.
    std::size_t first_escape = 0;
    if (!check_value(s, cap, first_escape)) {
        append_string(out, sanitise(s, cap));
        return;
    }
    out.put('"');
    if (first_escape == s.size())
        out.put(s);
    else
        append_escaped(out, s, first_escape);
    out.put('"');
}

// A sanitised string, or null when empty (before sanitising, as before).
void append_str_or_null(Sink& out, std::string_view s, std::size_t cap = 512) {
    if (s.empty())
        out.put("null"sv);
    else
        append_sanitised(out, s, cap);
}

template <class N> void append_number(Sink& out, N n) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
    out.put(std::string_view(buf, static_cast<std::size_t>((ec == std::errc() ? end : buf) - buf)));
}

void append_bool(Sink& out, bool b) {
    out.put(b ? "true"sv : "false"sv);
}

} // namespace

void append_record_json(std::string& text, const std::string& source, std::size_t index,
                        const classifiers::DeliveryReport& rep, const classifiers::RecipientRecord* r) {
    Sink out(text);
    // Keys in byte order of their names (the order nlohmann::json's std::map printed them in).
    out.put("{\"action\":"sv);
    if (r)
        append_str_or_null(out, to_string(r->action));
    else
        out.put("null"sv);
    out.put(",\"anomalies\":["sv);
    for (std::size_t i = 0; i < rep.anomalies.size(); ++i) {
        if (i) out.put(',');
        append_sanitised(out, rep.anomalies[i], 64);
    }
    out.put("],\"diagnostic\":"sv);
    if (r)
        append_str_or_null(out, r->diagnostic, 4096);
    else
        out.put("null"sv);
    out.put(",\"format\":"sv);
    append_str_or_null(out,
                       r && !r->format.empty() ? std::string_view(r->format) : std::string_view(rep.format));
    out.put(",\"hard\":"sv);
    append_bool(out, r ? r->verdict.hard : false);
    out.put(",\"kind\":"sv);
    append_string(out, to_string(rep.kind));
    out.put(",\"lists\":["sv);
    if (r) {
        bool first = true;
        for (const auto& h : r->verdict.lists) {
            if (!first) out.put(',');
            first = false;
            out.put("{\"evidence\":"sv);
            append_sanitised(out, h.evidence, 1024);
            out.put(",\"id\":"sv);
            append_sanitised(out, h.id, 128);
            out.put(",\"listed\":"sv);
            append_str_or_null(out, h.listed, 256);
            out.put(",\"rule\":"sv);
            append_sanitised(out, h.rule, 128);
            out.put('}');
        }
    }
    out.put("],\"message\":"sv);
    append_number(out, index);
    out.put(",\"original_recipient\":"sv);
    if (r)
        append_str_or_null(out, r->original_recipient);
    else
        out.put("null"sv);
    out.put(",\"provider\":"sv);
    if (r)
        append_str_or_null(out, r->verdict.provider, 128);
    else
        out.put("null"sv);
    out.put(",\"reason\":"sv);
    if (r)
        append_string(out, to_string(r->verdict.reason));
    else
        out.put("null"sv);
    out.put(",\"receiver_resolver_error\":"sv);
    append_bool(out, r ? r->verdict.receiver_resolver_error : false);
    out.put(",\"recipient\":"sv);
    if (r)
        append_str_or_null(out, r->final_recipient);
    else
        out.put("null"sv);
    out.put(",\"remote_mta\":"sv);
    if (r)
        append_str_or_null(out, r->remote_mta);
    else
        out.put("null"sv);
    out.put(",\"reply_code\":"sv);
    if (r && r->reply_code != 0)
        append_number(out, r->reply_code);
    else
        out.put("null"sv);
    out.put(",\"reporting_mta\":"sv);
    append_str_or_null(out, rep.reporting_mta);
    out.put(",\"source\":"sv);
    append_sanitised(out, source, 1024);
    out.put(",\"status\":"sv);
    if (r)
        append_str_or_null(out, r->status, 16);
    else
        out.put("null"sv);
    out.put('}');
}

nlohmann::json record_json(const std::string& source, std::size_t index,
                           const classifiers::DeliveryReport& rep, const classifiers::RecipientRecord* r) {
    std::string text;
    append_record_json(text, source, index, rep, r);
    return nlohmann::json::parse(text);
}

} // namespace ndr::agent
