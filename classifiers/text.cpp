// text.cpp — newline normalisation, ASCII case helpers, RFC 2047, charset conversion, sanitise().
//
// Input trust: none. Every function is linear in its input and never throws (iconv failures and
// allocation of a bounded output are the only things that can go wrong; the former is handled as an
// unknown charset). Charsets go through glibc iconv, opened per call: glibc caches its gconv modules,
// and the fast paths below skip iconv entirely for ASCII and UTF-8, which is most of real mail.
#include "classifiers/text.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iconv.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "classifiers/limits.hpp"

namespace ndr::classifiers {
namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD"; // U+FFFD

inline char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
inline bool is_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Decodes one UTF-8 sequence at s[i]. Returns its length (>= 1) and sets cp; an ill-formed sequence
// gives length 1 (the maximal subpart rule is approximated by "skip one byte") and cp = 0xFFFFFFFF.
std::size_t decode_utf8(std::string_view s, std::size_t i, std::uint32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    std::size_t len;
    std::uint32_t min;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        cp = b0 & 0x1F;
        min = 0x80;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        cp = b0 & 0x0F;
        min = 0x800;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        cp = b0 & 0x07;
        min = 0x10000;
    } else {
        cp = 0xFFFFFFFF;
        return 1;
    }
    if (i + len > s.size()) {
        cp = 0xFFFFFFFF;
        return 1;
    }
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) {
            cp = 0xFFFFFFFF;
            return 1;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        cp = 0xFFFFFFFF;
        return 1;
    }
    return len;
}

// The first CR or NUL in [p, end), or end. Sixteen bytes a step with SSE2. (Not
// string_view::find_first_of: libstdc++ calls memchr once per haystack byte there.)
const char* find_cr_or_nul(const char* p, const char* end) {
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r'), nul = _mm_setzero_si128();
    for (; end - p >= 16; p += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, nul)));
        if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    }
#endif
    while (p<end&& static_cast<unsigned char>(*p)> '\r')
        ++p;
    while (p < end && *p != '\r' && *p != '\0') {
        ++p;
        while (p<end&& static_cast<unsigned char>(*p)> '\r')
            ++p;
    }
    return p;
}

// Length of the run of ASCII bytes (< 0x80) at the start of s: 32 bytes a step with SSE2, then 16, 8,
// and the last few one by one; a step that holds a byte >= 0x80 tells where it is from its mask.
std::size_t ascii_prefix(std::string_view s) {
    const char* p = s.data();
    const std::size_t n = s.size();
    std::size_t i = 0;
#if defined(__SSE2__)
    for (; i + 32 <= n; i += 32) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 16));
        if (_mm_movemask_epi8(_mm_or_si128(a, b)) == 0) continue;
        const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(a)) |
                              static_cast<unsigned>(_mm_movemask_epi8(b)) << 16;
        return i + static_cast<std::size_t>(__builtin_ctz(mask));
    }
    if (i + 16 <= n) {
        const int mask = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
        if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
        i += 16;
    }
#endif
    for (; i + 8 <= n; i += 8) {
        std::uint64_t a;
        std::memcpy(&a, p + i, 8);
        if (const std::uint64_t high = a & 0x8080808080808080ull; high != 0) {
            // Little-endian: the lowest high bit is the first byte >= 0x80 (else found below).
            if constexpr (std::endian::native == std::endian::little)
                return i + static_cast<std::size_t>(__builtin_ctzll(high)) / 8;
            break;
        }
    }
    while (i < n && static_cast<unsigned char>(p[i]) < 0x80)
        ++i;
    return i;
}

bool all_ascii(std::string_view s) {
    return ascii_prefix(s) == s.size();
}

// Charset names seen in mail that iconv does not know by that name, mapped to what it does know.
std::string iconv_name(std::string_view cs) {
    std::string c = to_lower_ascii(trim(cs));
    if (c.size() >= 2 && c.front() == '"' && c.back() == '"') c = c.substr(1, c.size() - 2);
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 15> k_alias{{
        {"unicode-1-1-utf-7", "UTF-7"},
        {"ks_c_5601-1987", "CP949"},
        {"ks_c_5601", "CP949"},
        {"euc-kr", "CP949"},
        {"gb2312", "GBK"},
        {"x-gbk", "GBK"},
        {"iso-8859-8-i", "ISO-8859-8"},
        {"x-sjis", "SHIFT_JIS"},
        {"shift-jis", "SHIFT_JIS"},
        {"windows-31j", "CP932"},
        {"x-mac-roman", "MACINTOSH"},
        {"latin1", "ISO-8859-1"},
        {"iso-2022-jp", "ISO-2022-JP-3"},
        {"cp-850", "CP850"},
        {"utf-8-sig", "UTF-8"},
    }};
    for (const auto& [from, to] : k_alias)
        if (c == from) return std::string(to);
    return c;
}

// The two tests below read an iconv_name(), or with any_case a charset as written (trimmed): for a
// name that is not quoted and no alias, iconv_name() is the name lower-cased, and no alias (nor
// its target) is a name they know, so they say the same of both.
bool is_utf8_name(std::string_view c, bool any_case = false) {
    static constexpr std::string_view k_names[] = {
        "utf-8",          "utf8",       "us-ascii",          "ascii",
        "ansi_x3.4-1968", "iso-646-us", "unicode-1-1-utf-8", "x-unknown",
        "unknown-8bit",   "default",    "x-user-defined"};
    if (c.empty()) return true;
    for (const std::string_view n : k_names)
        if (any_case ? iequals(c, n) : c == n) return true;
    return false;
}

// An ASCII-only text in these charsets would need decoding anyway (shift sequences, wide units).
bool ascii_is_not_identity(std::string_view c, bool any_case = false) {
    auto starts = [&](std::string_view p) { return any_case ? istarts_with(c, p) : c.starts_with(p); };
    auto is = [&](std::string_view n) { return any_case ? iequals(c, n) : c == n; };
    return starts("utf-16") || starts("utf-32") || starts("ucs") || is("utf-7") || is("UTF-7") ||
           is("unicode-1-1-utf-7") || starts("hz");
}

std::string latin1_to_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 4);
    std::size_t i = 0;
    while (i < s.size()) {
        // A run of ASCII is the same in UTF-8: appended whole.
        const std::size_t run = ascii_prefix(s.substr(i));
        out.append(s.substr(i, run));
        i += run;
        if (i < s.size()) append_utf8(out, static_cast<unsigned char>(s[i++]));
    }
    return out;
}

// iconv_open() costs a gconv lookup and a dlopen() each time; a few descriptors per thread are kept
// open (reset to the initial state before each use). Bounded: k_cache_size entries, oldest evicted.
class IconvCache {
  public:
    ~IconvCache() {
        for (auto& e : m_entries)
            if (e.cd != invalid()) iconv_close(e.cd);
    }
    iconv_t get(const std::string& from) {
        for (auto& e : m_entries)
            if (e.cd != invalid() && e.name == from) {
                iconv(e.cd, nullptr, nullptr, nullptr, nullptr);
                return e.cd;
            }
        iconv_t cd = iconv_open("UTF-8", from.c_str());
        if (cd == invalid()) return cd;
        Entry& slot = m_entries[m_next];
        m_next = (m_next + 1) % k_cache_size;
        if (slot.cd != invalid()) iconv_close(slot.cd);
        slot.cd = cd;
        slot.name = from;
        return cd;
    }
    static iconv_t invalid() { return reinterpret_cast<iconv_t>(-1); }

  private:
    static constexpr std::size_t k_cache_size = 8;
    struct Entry {
        std::string name;
        iconv_t cd = invalid();
    };
    std::array<Entry, k_cache_size> m_entries{};
    std::size_t m_next = 0;
};

// iconv to UTF-8. false: the charset is unknown to iconv.
bool iconv_convert(std::string_view s, const std::string& from, std::string& out) {
    thread_local IconvCache cache;
    iconv_t cd = cache.get(from);
    if (cd == IconvCache::invalid()) return false;
    out.clear();
    out.reserve(s.size() * 2 + 16);
    char buf[8192];
    const bool seven_bit = istarts_with(from, "iso-2022");
    char* in = const_cast<char*>(s.data());
    std::size_t in_left = s.size();
    while (in_left > 0) {
        char* o = buf;
        std::size_t o_left = sizeof buf;
        std::size_t r = iconv(cd, &in, &in_left, &o, &o_left);
        out.append(buf, static_cast<std::size_t>(o - buf));
        if (r == static_cast<std::size_t>(-1)) {
            if (errno == E2BIG) continue;
            if (errno == EILSEQ) {
                out += k_replacement;
                ++in;
                --in_left;
                // A 7-bit ISO 2022 charset has no byte >= 0x80: iconv refuses each one where it stands
                // (its shift state unchanged), so a run of them is replaced here, not one call each.
                while (seven_bit && in_left > 0 && static_cast<unsigned char>(*in) >= 0x80) {
                    out += k_replacement;
                    ++in;
                    --in_left;
                }
                continue;
            }
            // EINVAL: incomplete sequence at the end.
            out += k_replacement;
            break;
        }
    }
    // Flush shift state (ISO-2022-*).
    char* o = buf;
    std::size_t o_left = sizeof buf;
    iconv(cd, nullptr, nullptr, &o, &o_left);
    out.append(buf, static_cast<std::size_t>(o - buf));
    // iconv's output is UTF-8, but make sure (some converters pass through odd bytes).
    if (!is_valid_utf8(out)) out = repair_utf8(out);
    return true;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

// Both append to out.
void b64_decode_word(std::string_view s, std::string& out) {
    out.reserve(out.size() + s.size() / 4 * 3 + 3);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : s) {
        int v = b64_value(c);
        if (v < 0) continue;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
}

void q_decode_word(std::string_view s, std::string& out) {
    out.reserve(out.size() + s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '_') {
            out += ' ';
        } else if (c == '=') {
            int h = i + 1 < s.size() ? hex_value(s[i + 1]) : -1;
            int l = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
            if (h >= 0 && l >= 0) {
                out += static_cast<char>(h * 16 + l);
                i += 2;
            } else {
                out += c;
            }
        } else {
            out += c;
        }
    }
}

struct EncodedWord {
    std::size_t end = 0;      // one past "?="
    std::string_view charset; // as written (case kept; to_utf8_view() reads it without case)
    std::string_view text;    // the encoded text between "?B?"/"?Q?" and "?="
    bool base64 = false;
};

// Parses "=?charset[*lang]?B|Q?text?=" at s[i]. false if it is not a well-formed encoded word. The
// text is decoded by append_decoded_word(), which cannot fail once this said yes.
bool parse_encoded_word(std::string_view s, std::size_t i, EncodedWord& w) {
    if (i + 2 > s.size() || s[i] != '=' || s[i + 1] != '?') return false;
    // Searches are windowed: an encoded word is at most 75 characters (RFC 2047 section 2); we allow
    // some slack, and a missing "?=" can then never make decoding quadratic.
    std::size_t q1 = s.substr(0, std::min(s.size(), i + 80)).find('?', i + 2);
    if (q1 == std::string_view::npos || q1 == i + 2) return false;
    if (q1 + 2 >= s.size() || s[q1 + 2] != '?') return false;
    char enc = lower(s[q1 + 1]);
    if (enc != 'b' && enc != 'q') return false;
    std::size_t text_start = q1 + 3;
    std::size_t q3 = s.substr(0, std::min(s.size(), text_start + 1024)).find("?=", text_start);
    if (q3 == std::string_view::npos) return false;
    std::string_view text = s.substr(text_start, q3 - text_start);
    // An encoded word holds no whitespace; a "?=" far away belongs to something else.
    for (char c : text)
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return false;
    std::string_view cs = s.substr(i + 2, q1 - i - 2);
    if (auto star = cs.find('*'); star != std::string_view::npos) cs = cs.substr(0, star);
    w.charset = cs;
    w.text = text;
    w.base64 = enc == 'b';
    w.end = q3 + 2;
    return true;
}

void append_decoded_word(const EncodedWord& w, std::string& out) {
    if (w.base64)
        b64_decode_word(w.text, out);
    else
        q_decode_word(w.text, out);
}

} // namespace

std::string normalise_newlines(std::string_view raw, bool* had_nul) {
    if (had_nul) *had_nul = false;
    std::string out;
    out.reserve(raw.size() + 16);
    const char* p = raw.data();
    const char* end = p + raw.size();
    while (p < end) {
        // Copy the run without CR or NUL in one go.
        const char* q = find_cr_or_nul(p, end);
        out.append(p, static_cast<std::size_t>(q - p));
        if (q == end) break;
        if (*q == '\r') {
            out += '\n';
            ++q;
            if (q < end && *q == '\n') ++q;
        } else {
            out += k_replacement;
            if (had_nul) *had_nul = true;
            ++q;
        }
        p = q;
    }
    return out;
}

std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t from) {
    if (needle.empty()) return from <= hay.size() ? from : std::string_view::npos;
    if (hay.size() < needle.size() || from > hay.size() - needle.size()) return std::string_view::npos;
    const std::size_t last = hay.size() - needle.size();
    const char f0 = lower(needle[0]);
    // A candidate has the needle's first byte (and second, when it has one), in either case.
    auto rest_matches = [&](std::size_t i) {
        for (std::size_t k = 1; k < needle.size(); ++k)
            if (lower(hay[i + k]) != lower(needle[k])) return false;
        return true;
    };
    std::size_t i = from;
#if defined(__SSE2__)
    // Sixteen offsets a step: a mask of those where the first two bytes match. A letter is matched
    // in either case by setting 0x20 (only its two cases have that value then); any other byte as is.
    if (needle.size() >= 2) {
        const char f1 = lower(needle[1]);
        auto is_letter = [](char c) { return c >= 'a' && c <= 'z'; };
        const __m128i fold0 = _mm_set1_epi8(is_letter(f0) ? 0x20 : 0), want0 = _mm_set1_epi8(f0);
        const __m128i fold1 = _mm_set1_epi8(is_letter(f1) ? 0x20 : 0), want1 = _mm_set1_epi8(f1);
        auto candidates = [&](std::size_t at) {
            const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay.data() + at));
            const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay.data() + at + 1));
            return _mm_and_si128(_mm_cmpeq_epi8(_mm_or_si128(a, fold0), want0),
                                 _mm_cmpeq_epi8(_mm_or_si128(b, fold1), want1));
        };
        // Thirty-two offsets a step while all of them are at or before `last` (one test for both
        // halves), then sixteen.
        for (; i + 31 <= last; i += 32) {
            const __m128i lo = candidates(i), hi = candidates(i + 16);
            if (_mm_movemask_epi8(_mm_or_si128(lo, hi)) == 0) continue;
            unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(lo)) |
                            static_cast<unsigned>(_mm_movemask_epi8(hi)) << 16;
            for (; mask != 0; mask &= mask - 1) {
                const std::size_t at = i + static_cast<std::size_t>(__builtin_ctz(mask));
                if (rest_matches(at)) return at;
            }
        }
        for (; i + 17 <= hay.size() && i <= last; i += 16) {
            const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay.data() + i));
            const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay.data() + i + 1));
            unsigned mask = static_cast<unsigned>(
                _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(_mm_or_si128(a, fold0), want0),
                                                _mm_cmpeq_epi8(_mm_or_si128(b, fold1), want1))));
            if (last - i < 15) mask &= (1u << (last - i + 1)) - 1; // offsets past `last` cannot match
            for (; mask != 0; mask &= mask - 1) {
                const std::size_t at = i + static_cast<std::size_t>(__builtin_ctz(mask));
                if (rest_matches(at)) return at;
            }
        }
    }
#endif
    for (; i <= last; ++i)
        if (lower(hay[i]) == f0 && rest_matches(i)) return i;
    return std::string_view::npos;
}

std::size_t ifind_word(std::string_view hay, std::string_view word, std::size_t from) {
    while (true) {
        std::size_t p = ifind(hay, word, from);
        if (p == std::string_view::npos) return p;
        bool left_ok = p == 0 || !is_alnum(hay[p - 1]);
        std::size_t e = p + word.size();
        bool right_ok = e >= hay.size() || !is_alnum(hay[e]);
        if (left_ok && right_ok) return p;
        from = p + 1;
    }
}

namespace {
// 'A'..'Z' of in[0, n) to 'a'..'z' into out (in == out lowers in place): sixteen bytes, then eight,
// then one at a time.
void lower_ascii_to(const char* in, char* out, std::size_t n) {
    std::size_t i = 0;
#if defined(__SSE2__)
    // Sixteen bytes at a time: 0x20 is set in each byte that is 'A'..'Z' (signed compares: bytes
    // >= 0x80 are negative and never in range).
    const __m128i before_a = _mm_set1_epi8('A' - 1);
    const __m128i after_z = _mm_set1_epi8('Z' + 1);
    const __m128i bit = _mm_set1_epi8(0x20);
    for (; i + 16 <= n; i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
        const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(x, before_a), _mm_cmpgt_epi8(after_z, x));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_or_si128(x, _mm_and_si128(upper, bit)));
    }
#endif
    // Eight bytes at a time: a byte gets 0x20 added when it is 'A'..'Z' (bytes >= 0x80 never match).
    constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
    constexpr std::uint64_t k_high = 0x8080808080808080ULL;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x;
        std::memcpy(&x, in + i, 8);
        const std::uint64_t low7 = x & ~k_high;
        const std::uint64_t from_a = low7 + (0x80 - 'A') * k_ones;     // high bit: byte >= 'A'
        const std::uint64_t past_z = low7 + (0x80 - 'Z' - 1) * k_ones; // high bit: byte > 'Z'
        const std::uint64_t upper = from_a & ~past_z & ~x & k_high;
        x |= upper >> 2;
        std::memcpy(out + i, &x, 8);
    }
    for (; i < n; ++i)
        out[i] = lower(in[i]);
}
} // namespace

std::string to_lower_ascii(std::string_view s) {
    // Written in one pass into the result (a copy lower-cased in place was two).
    std::string out;
    // (The operation's second argument is not used: libstdc++ 12 passes the capacity there.)
    out.resize_and_overwrite(s.size(), [s](char* p, std::size_t) {
        lower_ascii_to(s.data(), p, s.size());
        return s.size();
    });
    return out;
}

void lower_ascii_in_place(std::string& s) {
    lower_ascii_to(s.data(), s.data(), s.size());
}

bool is_valid_utf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        // (A sequence that follows another one, as in CJK text, needs no search for ASCII.)
        if (p[i] < 0x80) {
            i += ascii_prefix(s.substr(i));
            if (i >= n) break;
        }
        const unsigned b0 = p[i];
        // The well-formed sequences of Unicode Table 3-7 (what decode_utf8() accepts).
        auto cont = [&](std::size_t k) { return (p[k] & 0xC0) == 0x80; };
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            if (i + 1 >= n || !cont(i + 1)) return false;
            i += 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            if (i + 2 >= n || !cont(i + 1) || !cont(i + 2)) return false;
            const unsigned b1 = p[i + 1];
            if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 >= 0xA0)) return false; // overlong, surrogate
            i += 3;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            if (i + 3 >= n || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return false;
            const unsigned b1 = p[i + 1];
            if ((b0 == 0xF0 && b1 < 0x90) || (b0 == 0xF4 && b1 >= 0x90)) return false; // overlong, > U+10FFFF
            i += 4;
        } else {
            return false;
        }
    }
    return true;
}

std::string repair_utf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    std::size_t i = 0;
    while (i < s.size()) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            const std::size_t run = ascii_prefix(s.substr(i));
            out.append(s.substr(i, run));
            i += run;
            if (i >= s.size()) break;
        }
        std::uint32_t cp;
        std::size_t n = decode_utf8(s, i, cp);
        if (cp == 0xFFFFFFFF)
            out += k_replacement;
        else
            out.append(s.substr(i, n));
        i += n;
    }
    return out;
}

namespace {
// collapse_whitespace() one byte at a time into begin (room for s.size() bytes); the length written.
std::size_t collapse_bytes(std::string_view s, char* const begin) {
    char* w = begin;
    bool space_due = false;
    for (const char c : s) {
        if (is_space(c)) {
            space_due = w != begin;
            continue;
        }
        if (space_due) *w++ = ' ';
        space_due = false;
        *w++ = c;
    }
    return static_cast<std::size_t>(w - begin);
}

// Whether collapse_whitespace(s) is s itself: no TAB, CR or LF, no two spaces in a row, none at either
// end (the diagnostics of the format modules and of most DSNs are collapsed already).
bool is_collapsed(std::string_view s) {
    if (s.empty()) return true;
    if (s.front() == ' ' || s.back() == ' ') return false;
    const char* const p = s.data();
    const std::size_t n = s.size();
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), cr = _mm_set1_epi8('\r'),
                  lf = _mm_set1_epi8('\n');
    unsigned carry = 0; // 1 when the byte before these sixteen is a space
    for (; i + 16 <= n; i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i other =
            _mm_or_si128(_mm_cmpeq_epi8(x, tab), _mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, lf)));
        if (_mm_movemask_epi8(other) != 0) return false;
        const auto spaces = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, sp)));
        if ((spaces & ((spaces << 1) | carry)) != 0) return false;
        carry = spaces >> 15;
    }
#endif
    for (; i < n; ++i) {
        const char c = p[i];
        if (c == '\t' || c == '\r' || c == '\n' || (c == ' ' && i > 0 && p[i - 1] == ' ')) return false;
    }
    return true;
}
} // namespace

void collapse_whitespace(std::string_view s, std::string& out) {
    // One pass writing into a buffer of the input's size (the output is never longer, and never
    // ahead of the input): a word is copied, whitespace only notes that a space is due before the
    // next word. Text that is collapsed already (most diagnostics of the format modules and of DSNs)
    // is copied.
    if (is_collapsed(s)) {
        copy_into(out, s);
        return;
    }
#if defined(__SSE2__)
    // A short text one byte at a time, in place in the string (no sixteen bytes of room to ask for,
    // which would take a short result out of the string's own buffer).
    if (s.size() < 16) {
        out.resize_and_overwrite(s.size(),
                                 [s](char* const begin, std::size_t) { return collapse_bytes(s, begin); });
        return;
    }
    // Sixteen bytes at a time: a mask of the whitespace in them, then the words between copied with
    // one sixteen-byte store each (the bytes past a word are overwritten by what follows; the buffer
    // has sixteen bytes of room past the input's size for the last store). The last, partial block
    // is read from a copy padded with spaces: trailing whitespace, which is dropped.
    out.resize_and_overwrite(s.size() + 16, [s](char* const begin, std::size_t) {
        const char* in = s.data();
        const std::size_t n = s.size();
        char* w = begin;
        bool space_due = false;
        const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), cr = _mm_set1_epi8('\r'),
                      lf = _mm_set1_epi8('\n');
        // One block at p, of which 32 bytes may be read.
        auto block = [&](const char* p) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            const __m128i spaces = _mm_cmpeq_epi8(x, sp);
            const __m128i ws = _mm_or_si128(_mm_or_si128(spaces, _mm_cmpeq_epi8(x, tab)),
                                            _mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, lf)));
            const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(ws));
            // Kept as it is: a block without whitespace, or (most blocks of text) one whose whitespace
            // is single spaces between words: none at its start after whitespace or before the first
            // word. A space at its end is left out and becomes the space due before the next word (a
            // block with no two spaces together has words in it: w moves past the first).
            const bool as_is =
                mask == 0 || (mask == static_cast<unsigned>(_mm_movemask_epi8(spaces)) &&
                              (mask & (mask >> 1)) == 0 && ((mask & 1) == 0 || (!space_due && w != begin)));
            if (as_is) {
                if (space_due) *w++ = ' ';
                _mm_storeu_si128(reinterpret_cast<__m128i*>(w), x);
                space_due = (mask & 0x8000) != 0;
                w += space_due ? 15 : 16;
                return;
            }
            unsigned pos = 0;
            while (pos < 16) {
                const unsigned rest = mask >> pos; // bit k: byte pos + k is whitespace
                if (rest & 1) {
                    space_due = w != begin;
                    pos += static_cast<unsigned>(__builtin_ctz(~rest));
                    continue;
                }
                const unsigned len = rest == 0 ? 16 - pos : static_cast<unsigned>(__builtin_ctz(rest));
                if (space_due) *w++ = ' ';
                space_due = false;
                _mm_storeu_si128(reinterpret_cast<__m128i*>(w),
                                 _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + pos)));
                w += len;
                pos += len;
            }
        };
        std::size_t i = 0;
        for (; i + 32 <= n; i += 16)
            block(in + i);
        // The last one or two blocks from a copy padded with spaces.
        char tail[48];
        std::memset(tail, ' ', sizeof tail);
        if (n > i) std::memcpy(tail, in + i, n - i);
        for (std::size_t k = 0; i + k < n; k += 16)
            block(tail + k);
        return static_cast<std::size_t>(w - begin);
    });
#else
    out.resize_and_overwrite(s.size(),
                             [s](char* const begin, std::size_t) { return collapse_bytes(s, begin); });
#endif
}

std::string collapse_whitespace(std::string_view s) {
    std::string out;
    collapse_whitespace(s, out);
    return out;
}

std::string unfold(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        if (c == '\n' && i + 1 < s.size() && (s[i + 1] == ' ' || s[i + 1] == '\t')) continue;
        if (c == '\n' || c == '\r') {
            // A line break not followed by WSP is not a fold; keep the text on one line regardless.
            out += ' ';
            continue;
        }
        out += c;
    }
    return out;
}

std::string_view to_utf8_view(std::string_view s, std::string_view charset, std::string& store,
                              bool* unknown_charset) {
    if (unknown_charset) *unknown_charset = false;
    auto as_utf8 = [&]() -> std::string_view {
        if (is_valid_utf8(s)) return s;
        store = repair_utf8(s);
        return store;
    };
    int ascii = -1; // s is ASCII without ESC: 1, not: 0, not looked at yet: -1
    auto ascii_text = [&] {
        if (ascii < 0) ascii = all_ascii(s) && s.find('\x1b') == std::string_view::npos;
        return ascii == 1;
    };
    // The usual charsets told by the name as written, without the lower-cased copy (see is_utf8_name()).
    const std::string_view written = trim(charset);
    if (is_utf8_name(written, true)) return as_utf8();
    if (written.front() != '"' && !ascii_is_not_identity(written, true) && ascii_text()) return s;
    std::string name = iconv_name(charset);
    if (is_utf8_name(name)) return as_utf8();
    if (!ascii_is_not_identity(name) && ascii_text()) return s;
    if (name == "iso-8859-1" || name == "iso8859-1" || name == "iso_8859-1") {
        store = latin1_to_utf8(s);
        return store;
    }
    if (iconv_convert(s, name, store)) return store;
    if (name == "ISO-2022-JP-3" && iconv_convert(s, "ISO-2022-JP", store)) return store;
    if (unknown_charset) *unknown_charset = true;
    // Unknown: UTF-8 when it is UTF-8, else the byte-per-character reading (never fails).
    if (is_valid_utf8(s)) return s;
    store = latin1_to_utf8(s);
    return store;
}

std::string to_utf8(std::string_view s, std::string_view charset, bool* unknown_charset) {
    std::string store;
    const std::string_view out = to_utf8_view(s, charset, store, unknown_charset);
    if (out.data() == store.data()) return store;
    return std::string(out);
}

namespace {
// out += repair_utf8(s), without the copy when s is valid UTF-8 already.
void append_repaired(std::string& out, std::string_view s) {
    if (is_valid_utf8(s))
        out += s;
    else
        out += repair_utf8(s);
}
} // namespace

namespace {
// A scratch string kept for the next call: cleared, and given back when a hostile input made it big.
struct Scratch {
    std::string& s;
    explicit Scratch(std::string& str) : s(str) { s.clear(); }
    ~Scratch() {
        if (s.capacity() > k_keep_scratch_bytes) std::string().swap(s);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    static constexpr std::size_t k_keep_scratch_bytes = 64 * 1024;
};
} // namespace

void decode_rfc2047(std::string_view s, std::string& out) {
    if (s.find("=?") == std::string_view::npos) {
        if (is_valid_utf8(s))
            copy_into(out, s);
        else
            out = repair_utf8(s);
        return;
    }
    out.clear();
    out.reserve(s.size());
    // The bytes of adjacent encoded words in the same charset, and their conversion: per thread,
    // reused from call to call (decoding calls nothing that decodes again).
    thread_local std::string run_store, converted_store;
    const Scratch run_bytes(run_store), converted(converted_store);
    std::string_view run_charset; // into s, case as written
    bool in_run = false;
    auto flush_run = [&] {
        if (!in_run) return;
        out += to_utf8_view(run_bytes.s, run_charset, converted.s);
        run_bytes.s.clear();
        in_run = false;
    };
    std::size_t i = 0;
    std::size_t plain_start = 0;
    while (i < s.size()) {
        std::size_t p = s.find("=?", i);
        if (p == std::string_view::npos) break;
        EncodedWord w;
        if (!parse_encoded_word(s, p, w)) {
            i = p + 2;
            continue;
        }
        std::string_view between = s.substr(plain_start, p - plain_start);
        bool only_ws = true;
        for (char c : between)
            if (!is_space(c)) only_ws = false;
        if (in_run && only_ws) {
            // RFC 2047 6.2: whitespace between adjacent encoded words is ignored.
            if (!iequals(w.charset, run_charset)) {
                flush_run();
                in_run = true;
                run_charset = w.charset;
            }
        } else {
            flush_run();
            append_repaired(out, between);
            in_run = true;
            run_charset = w.charset;
        }
        append_decoded_word(w, run_bytes.s);
        i = w.end;
        plain_start = w.end;
    }
    flush_run();
    append_repaired(out, s.substr(plain_start));
}

std::string decode_rfc2047(std::string_view s) {
    std::string out;
    decode_rfc2047(s, out);
    return out;
}

bool is_sanitised(std::string_view s, std::size_t max_bytes) {
    // sanitise() drops leading and trailing spaces, collapses runs of them and rewrites or drops
    // every byte outside 0x20..0x7E; text without any of those it copies whole (its fast path).
    if (s.size() > max_bytes) return false;
    if (s.empty()) return true;
    if (s.front() == ' ' || s.back() == ' ') return false;
    std::size_t i = 0;
#if defined(__SSE2__)
    // Sixteen bytes a step from the second byte on: none below 0x20 or from 0x7F (signed compare:
    // bytes >= 0x80 are negative), no space after a space.
    const __m128i below = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7F), sp = _mm_set1_epi8(' ');
    if (static_cast<unsigned char>(s[0]) < 0x20 || static_cast<unsigned char>(s[0]) > 0x7E) return false;
    for (i = 1; i + 16 <= s.size(); i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
        const __m128i prev = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i - 1));
        const __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpgt_epi8(below, x), _mm_cmpeq_epi8(x, del)),
                                         _mm_and_si128(_mm_cmpeq_epi8(x, sp), _mm_cmpeq_epi8(prev, sp)));
        if (_mm_movemask_epi8(bad) != 0) return false;
    }
#endif
    for (; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c > 0x7E || (c == ' ' && s[i - 1] == ' ')) return false;
    }
    return true;
}

std::string sanitise(std::string_view s, std::size_t max_bytes) {
    std::string out;
    out.reserve(s.size() < max_bytes ? s.size() : max_bytes);
    bool pending_space = false;
    bool truncated = false;
    std::size_t i = 0;
    auto skip_escape = [&](bool csi, bool string_seq) {
        // i points just after the introducer. CSI: parameters until a final byte 0x40..0x7E.
        // String sequences (OSC, DCS, SOS, PM, APC): until BEL, ESC \ or ST (U+009C).
        if (csi) {
            while (i < s.size()) {
                auto c = static_cast<unsigned char>(s[i++]);
                if (c >= 0x40 && c <= 0x7E) return;
                if (c < 0x20 && c != 0x1B) continue;
                if (c >= 0x80) return; // not a CSI any more; drop the byte with it
            }
            return;
        }
        if (string_seq) {
            while (i < s.size()) {
                auto c = static_cast<unsigned char>(s[i]);
                if (c == 0x07) {
                    ++i;
                    return;
                }
                if (c == 0x1B) {
                    ++i;
                    if (i < s.size() && s[i] == '\\') ++i;
                    return;
                }
                if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x9C) {
                    i += 2;
                    return;
                }
                ++i;
            }
        }
    };
    auto is_graphic_ascii = [&](std::size_t k) {
        auto c = static_cast<unsigned char>(s[k]);
        return c > 0x20 && c < 0x7F;
    };
    while (i < s.size()) {
        // Fast path: a run of printable ASCII is copied whole when all of it fits (the loop below
        // would append it byte by byte with the same result).
        if (is_graphic_ascii(i)) {
            std::size_t run_end = i + 1;
            while (run_end < s.size() && is_graphic_ascii(run_end))
                ++run_end;
            std::size_t need = run_end - i + (pending_space ? 1 : 0);
            if (out.size() + need <= max_bytes) {
                if (pending_space) out += ' ';
                pending_space = false;
                out.append(s.data() + i, run_end - i);
                i = run_end;
                continue;
            }
        }
        std::uint32_t cp;
        std::size_t n = decode_utf8(s, i, cp);
        std::size_t at = i;
        i += n;
        if (cp == 0x1B) {
            if (i < s.size()) {
                char c = s[i++];
                if (c == '[')
                    skip_escape(true, false);
                else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_')
                    skip_escape(false, true);
                else if (c == '(' || c == ')' || c == '*' || c == '+' || c == '#' || c == '%') {
                    if (i < s.size()) ++i; // charset designation: one more byte
                }
            }
            continue;
        }
        if (cp == 0x9B) { // C1 CSI
            skip_escape(true, false);
            continue;
        }
        if (cp == 0x9D || cp == 0x90 || cp == 0x98 || cp == 0x9E || cp == 0x9F) { // C1 OSC, DCS, SOS, PM, APC
            skip_escape(false, true);
            continue;
        }
        if (cp == '\t' || cp == '\n' || cp == '\r' || cp == ' ' || cp == 0x85 || cp == 0x2028 ||
            cp == 0x2029 || cp == 0xA0) {
            pending_space = !out.empty();
            continue;
        }
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) continue;
        if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
            cp == 0x200F || cp == 0x061C || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF)
            continue;
        std::string_view piece = cp == 0xFFFFFFFF ? k_replacement : s.substr(at, n);
        std::size_t need = piece.size() + (pending_space ? 1 : 0);
        if (out.size() + need > max_bytes) {
            truncated = true;
            break;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += piece;
    }
    if (truncated) {
        // Room for "...": drop whole characters from the end.
        while (!out.empty() && out.size() + 3 > max_bytes) {
            std::size_t k = out.size() - 1;
            while (k > 0 && (static_cast<unsigned char>(out[k]) & 0xC0) == 0x80)
                --k;
            out.resize(k);
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        if (max_bytes >= 3) out += "...";
    }
    return out;
}

} // namespace ndr::classifiers
