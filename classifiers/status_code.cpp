// status_code.cpp — RFC 3463 status and SMTP reply code validation and extraction. See the header for
// what counts as valid; nothing here allocates except the returned strings.
#include "classifiers/status_code.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers {
namespace {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Digits at s[i..]: how many (stops at max+1 so a too-long run is detected).
std::size_t digit_run(std::string_view s, std::size_t i, std::size_t max) {
    std::size_t n = 0;
    while (i + n < s.size() && is_digit(s[i + n]) && n <= max) ++n;
    return n;
}

bool left_boundary_status(std::string_view s, std::size_t i) {
    if (i == 0) return true;
    char p = s[i - 1];
    // "550-5.7.26": the continuation form of a multi-line reply.
    if (p == '-' && i >= 4 && is_digit(s[i - 2]) && is_digit(s[i - 3]) && is_digit(s[i - 4])) return true;
    return !is_digit(p) && !is_alpha(p) && p != '.' && p != '_' && p != '-' && p != '/' && p != ':';
}

bool left_boundary_reply(std::string_view s, std::size_t i) {
    if (i == 0) return true;
    char p = s[i - 1];
    return !is_digit(p) && !is_alpha(p) && p != '.' && p != '_' && p != '-' && p != '/' && p != ':' &&
           p != '+' && p != '#' && p != '=' && p != '$' && p != ',';
}

// Reply code candidate at s[i] (3 digits) followed by ' ', '-' or end.
int reply_candidate(std::string_view s, std::size_t i) {
    if (i + 3 > s.size()) return 0;
    if (!is_digit(s[i]) || !is_digit(s[i + 1]) || !is_digit(s[i + 2])) return 0;
    if (i + 3 < s.size()) {
        char n = s[i + 3];
        if (n != ' ' && n != '-' && n != '\t' && n != '\n' && n != '\r') return 0;
    }
    int code = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    return reply_code_valid(code) ? code : 0;
}

} // namespace

std::size_t status_valid(std::string_view s) {
    if (s.size() < 5) return 0;
    if (s[0] != '2' && s[0] != '4' && s[0] != '5') return 0;
    if (s[1] != '.') return 0;
    std::size_t n1 = digit_run(s, 2, 3);
    if (n1 == 0 || n1 > 3) return 0;
    std::size_t i = 2 + n1;
    if (i >= s.size() || s[i] != '.') return 0;
    std::size_t n2 = digit_run(s, i + 1, 3);
    if (n2 == 0 || n2 > 3) return 0;
    std::size_t len = i + 1 + n2;
    // "5.1.1.1" is an IP-like run, not a status.
    if (len + 1 < s.size() && s[len] == '.' && is_digit(s[len + 1])) return 0;
    return len;
}

bool is_valid_status(std::string_view s) {
    s = trim(s);
    return !s.empty() && status_valid(s) == s.size();
}

// Offsets i in [from, last] where text[i] is '2', '4' or '5' and text[i + ahead] is `then`
// (ahead >= 1), with i + ahead < text.size(): the first to try, or npos. Sixteen offsets a step
// with SSE2; the callers check each offset found as they checked every offset before.
class ClassDigitScan {
  public:
    ClassDigitScan(std::string_view text, std::size_t last, std::size_t ahead, char then)
        : m_text(text), m_last(last), m_ahead(ahead), m_then(then) {}

    // The first candidate at or after `from`.
    std::size_t next(std::size_t from) const {
        std::size_t i = from;
#if defined(__SSE2__)
        const __m128i two = _mm_set1_epi8('2'), four = _mm_set1_epi8('4'), five = _mm_set1_epi8('5');
        const __m128i then = _mm_set1_epi8(m_then);
        for (; i <= m_last && i + m_ahead + 16 <= m_text.size(); i += 16) {
            const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m_text.data() + i));
            const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m_text.data() + i + m_ahead));
            const __m128i cls = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, two), _mm_cmpeq_epi8(x, four)),
                                             _mm_cmpeq_epi8(x, five));
            unsigned mask =
                static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(cls, _mm_cmpeq_epi8(y, then))));
            if (m_last - i < 15) mask &= (1u << (m_last - i + 1)) - 1;
            if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
        }
#endif
        for (; i <= m_last && i + m_ahead < m_text.size(); ++i) {
            const char c = m_text[i];
            if ((c == '2' || c == '4' || c == '5') && m_text[i + m_ahead] == m_then) return i;
        }
        return std::string_view::npos;
    }

  private:
    std::string_view m_text;
    std::size_t m_last;
    std::size_t m_ahead;
    char m_then;
};

std::string find_status(std::string_view text) {
    if (text.size() < 5) return {};
    // Only where a class digit is followed by a dot (what the checks below begin with).
    const ClassDigitScan scan(text, text.size() - 5, 1, '.');
    for (std::size_t i = scan.next(0); i != std::string_view::npos; i = scan.next(i + 1)) {
        char c = text[i];
        if (c != '2' && c != '4' && c != '5') continue;
        if (text[i + 1] != '.') continue;
        if (!left_boundary_status(text, i)) continue;
        if (std::size_t n = status_valid(text.substr(i)); n > 0) return std::string(text.substr(i, n));
    }
    return {};
}

int reply_code_at(std::string_view s) {
    return reply_candidate(s, 0);
}

bool reply_code_valid(int code) {
    // The reply codes the SMTP RFCs define: RFC 5321 4.2.2 and 4.2.3, RFC 1870 (SIZE), 1985 (ETRN),
    // 2645 (ATRN), 3207 (STARTTLS), 4954 (AUTH), 5248, 7504 (521, 556). A three-digit number outside
    // this list ("542 ... Rejected", "522 5.2.0", "426 connection timed out") is a vendor's own
    // numbering or an exit status, not a reply (Sisimai SMTP/Reply.pm keeps the same list).
    static constexpr int k_defined[] = {211, 214, 220, 221, 235, 250, 251, 252, 253, 334, 354,
                                        421, 422, 430, 432, 450, 451, 452, 453, 454, 455, 458,
                                        459, 500, 501, 502, 503, 504, 521, 523, 524, 525, 530,
                                        533, 534, 535, 538, 550, 551, 552, 553, 554, 555, 556};
    static constexpr auto k_is_defined = [] {
        std::array<bool, 600> t{};
        for (int c : k_defined)
            t[static_cast<std::size_t>(c)] = true;
        return t;
    }();
    return code >= 0 && static_cast<std::size_t>(code) < k_is_defined.size() &&
           k_is_defined[static_cast<std::size_t>(code)];
}

std::size_t find_quoted_reply(std::string_view text) {
    // "NNN-'" ends in the apostrophe: each one, found with memchr, is checked for the code before it
    // (in the order of the text, so the first such reply wins).
    std::size_t from = 4;
    while (from < text.size()) {
        const void* q = std::memchr(text.data() + from, '\'', text.size() - from);
        if (q == nullptr) break;
        const std::size_t j = static_cast<std::size_t>(static_cast<const char*>(q) - text.data());
        from = j + 1;
        const std::size_t i = j - 4;
        if (text[i] != '4' && text[i] != '5') continue;
        if (i > 0 && text[i - 1] != ' ') continue;
        if (!is_digit(text[i + 1]) || !is_digit(text[i + 2]) || text[i + 3] != '-') continue;
        const int code = (text[i] - '0') * 100 + (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
        if (reply_code_valid(code)) return i;
    }
    return std::string_view::npos;
}

int find_reply_code(std::string_view text) {
    // Pass 0: a relay's quoted copy of the remote reply ("550-'...'").
    if (const std::size_t q = find_quoted_reply(text); q != std::string_view::npos)
        return (text[q] - '0') * 100 + (text[q + 1] - '0') * 10 + (text[q + 2] - '0');
    // Pass 1: a reply code directly followed by an enhanced status ("550 5.1.1", "550-5.1.1"). Only
    // where the status's dot is (its class digit is checked below).
    const ClassDigitScan scan(text, text.size() >= 9 ? text.size() - 9 : 0, 5, '.');
    for (std::size_t i = text.size() >= 9 ? scan.next(0) : std::string_view::npos;
         i != std::string_view::npos; i = scan.next(i + 1)) {
        if (text[i] != '2' && text[i] != '4' && text[i] != '5') continue;
        if (!left_boundary_reply(text, i)) continue;
        int code = reply_candidate(text, i);
        if (code == 0 || code / 100 == 3) continue;
        std::size_t j = i + 4;
        if (j < text.size() && status_valid(text.substr(j)) > 0 && text[j] == text[i]) return code;
    }
    // Pass 2: at a line start (after indentation, "<<<", quotes), or after "said:", "smtp;", "]:".
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t line_start = pos;
        std::string_view line = next_line(text, pos);
        (void)line_start;
        std::size_t k = 0;
        while (k < line.size() && (line[k] == ' ' || line[k] == '\t' || line[k] == '<' || line[k] == '>' ||
                                   line[k] == '"' || line[k] == '\'' || line[k] == '(' || line[k] == '#'))
            ++k;
        if (int code = reply_candidate(line, k); code != 0 && code / 100 != 3) return code;
        for (std::string_view marker : {std::string_view("said:"), std::string_view("smtp;"),
                                        std::string_view("returned '"), std::string_view("]:"),
                                        std::string_view("response:"), std::string_view("reply:")}) {
            std::size_t m = ifind(line, marker);
            if (m == std::string_view::npos) continue;
            std::size_t q = m + marker.size();
            while (q < line.size() && (line[q] == ' ' || line[q] == '\t' || line[q] == '"' || line[q] == '\''))
                ++q;
            if (int code = reply_candidate(line, q); code != 0 && code / 100 != 3) return code;
        }
    }
    return 0;
}

std::string find_smtp_command(std::string_view text) {
    struct Cue {
        std::string_view text; // lower-case
        std::string_view command;
    };
    // "CONNECTION" alone is no cue: qmail's "no SMTP connection got far enough; most progress was
    // RCPT TO response" failed at RCPT.
    static constexpr Cue k_cues[] = {
        {"rcpt to", "RCPT"},         {"rcpt_to", "RCPT"},          {"after rcpt", "RCPT"},
        {"smtp:rcpt", "RCPT"},       {"end of data", "DATA"},      {"data command", "DATA"},
        {"after data", "DATA"},      {">>> data", "DATA"},         {"final data", "DATA"},
        {"mail from", "MAIL"},       {"mail_from", "MAIL"},        {"after mail", "MAIL"},
        {"ehlo", "EHLO"},            {"helo", "HELO"},             {"my name was rejected", "EHLO"},
        {"after initial connection", "CONN"}, {"refused to talk to me", "CONN"}, {"connect to", "CONN"},
        // Exchange Online's NDR quoting the next hop's RCPT refusal (Sisimai Lhost/Office365.pm).
        {"unknown recipient or mailbox unavailable ->", "RCPT"},
    };
    // The earliest cue in the text wins, and of cues at the same place the first listed: one pass over
    // the text, trying at each byte only the cues whose first two bytes are there (was one search per
    // cue over a lower-cased copy). The bytes are looked up with 0x20 set: a letter in either case
    // finds its cues, and what else finds one is rejected by the comparison.
    static constexpr auto k_at = [](std::size_t pos) {
        std::array<std::uint32_t, 256> bits{};
        for (std::size_t k = 0; k < std::size(k_cues); ++k) {
            if (k_cues[k].text.size() < 2) throw "a cue needs two bytes"; // not a constant: no build
            bits[static_cast<unsigned char>(k_cues[k].text[pos]) | 0x20] |= std::uint32_t{1} << k;
        }
        return bits;
    };
    static constexpr auto k_first = k_at(0);
    static constexpr auto k_second = k_at(1);
    static_assert(std::size(k_cues) <= 32);
    const std::string_view t = text.substr(0, std::min(text.size(), k_max_diagnostic_bytes));
    const auto* p = reinterpret_cast<const unsigned char*>(t.data());
    // The cues that start at i (of those whose first two bytes are there), the first listed first.
    auto cue_at = [&](std::size_t i, std::uint32_t m) -> const Cue* {
        for (; m != 0; m &= m - 1) {
            const Cue& cue = k_cues[static_cast<std::size_t>(std::countr_zero(m))];
            if (cue.text.size() <= t.size() - i && iequals(t.substr(i, cue.text.size()), cue.text))
                return &cue;
        }
        return nullptr;
    };
    std::size_t i = 0;
    // Two offsets a step, one test for both (most bytes start no cue).
    for (; i + 2 < t.size(); i += 2) {
        const std::uint32_t m0 = k_first[p[i] | 0x20] & k_second[p[i + 1] | 0x20];
        const std::uint32_t m1 = k_first[p[i + 1] | 0x20] & k_second[p[i + 2] | 0x20];
        if ((m0 | m1) == 0) continue;
        if (const Cue* cue = cue_at(i, m0)) return std::string(cue->command);
        if (const Cue* cue = cue_at(i + 1, m1)) return std::string(cue->command);
    }
    for (; i + 1 < t.size(); ++i)
        if (const Cue* cue = cue_at(i, k_first[p[i] | 0x20] & k_second[p[i + 1] | 0x20]))
            return std::string(cue->command);
    return {};
}

int status_class(std::string_view status) {
    if (status_valid(status) == 0) return 0;
    return status[0] - '0';
}

} // namespace ndr::classifiers
