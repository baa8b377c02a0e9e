// regex_summary.cpp — see regex_summary.hpp. A recursive-descent reader over RE2 syntax (Perl flavour,
// as RE2::Options' defaults parse it) that keeps, per sub-expression, either the exact set of strings
// it matches (when small) or a condition over atoms, plus whether it can match the empty string.
//
// What is modelled: literals, escapes of punctuation and of control characters, \xHH and \x{...},
// character classes (a small class of ASCII characters stays exact, any other class is "one
// character"), '.', \d \s \w \p{..} \C (one character), the assertions ^ $ \A \z \b \B (empty, and
// no longer "pure"), groups ( ), (?: ), (?P<name> ), alternation, and the quantifiers ? * + {n}
// {n,} {n,m} with or without a trailing '?'. Everything else gives up on the whole pattern.
#include "classifiers/rules/regex_summary.hpp"

#include <algorithm>
#include <cstdint>

namespace ndr::classifiers::rules {

namespace {

constexpr int k_any = -1;                    // the condition that every text meets
constexpr int k_max_depth = 100;             // group nesting read before giving up
constexpr std::size_t k_max_exact_len = 256; // longest exact string kept (longer ones become a condition)
constexpr std::size_t k_max_pattern = 64 * 1024;
constexpr std::size_t k_max_within = 64; // strings kept of a language's known strings

// Up to k_max_within strings of {x + y}: any subset of a language's strings is still its strings.
std::vector<std::string> cross(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> out;
    for (const std::string& x : a)
        for (const std::string& y : b) {
            if (out.size() == k_max_within) return out;
            if (x.size() + y.size() <= k_max_exact_len) out.push_back(x + y);
        }
    return out;
}

std::vector<std::string> joined(std::vector<std::string> a, const std::vector<std::string>& b) {
    for (const std::string& y : b) {
        if (a.size() >= k_max_within) break;
        a.push_back(y);
    }
    return a;
}

struct Info {
    bool exact_valid = false;
    std::vector<std::string> exact;  // sorted, distinct (when exact_valid)
    int cond = k_any;                // when !exact_valid
    std::vector<std::string> within; // when !exact_valid: some strings of the language (none: unknown)
    bool can_be_empty = true;        // false only when certain
    bool pure = true;                // no assertion inside

    static Info strings(std::vector<std::string> s) {
        Info i;
        i.exact_valid = true;
        std::sort(s.begin(), s.end());
        s.erase(std::unique(s.begin(), s.end()), s.end());
        i.can_be_empty = !s.empty() && s.front().empty();
        i.exact = std::move(s);
        return i;
    }
    static Info one_char() { // any character (or one of too many to list)
        Info i;
        i.can_be_empty = false;
        return i;
    }
};

class Reader {
  public:
    Reader(std::string_view pattern, const SummaryOptions& options, RegexSummary& out)
        : m_p(pattern), m_o(options), m_out(out) {}

    void run() {
        if (m_p.size() > k_max_pattern) return;
        Info root = alternation();
        if (m_failed || m_i != m_p.size()) return;
        m_out.understood = true;
        m_out.never_empty = !root.can_be_empty;
        if (root.exact_valid && root.pure && !m_o.fold_case && !root.exact.empty() &&
            !root.exact.front().empty())
            m_out.exact = root.exact;
        if (!m_o.fold_case)
            for (const std::string& w : within_of(root))
                if (!w.empty() &&
                    std::find(m_out.within.begin(), m_out.within.end(), w) == m_out.within.end())
                    m_out.within.push_back(w);
        m_out.root = cond_of(root);
    }

  private:
    bool at_end() const { return m_i >= m_p.size(); }
    char peek() const { return m_p[m_i]; }
    // Moves past one character and gives its item; true, for the callers' return.
    bool take(Info& out, Info item) {
        ++m_i;
        out = std::move(item);
        return true;
    }

    // Gives up on the whole pattern; false, for the callers' return.
    bool fail() {
        m_failed = true;
        m_i = m_p.size();
        return false;
    }

    // --- conditions ---
    int atom(std::string_view s) {
        auto it = std::find(m_out.atoms.begin(), m_out.atoms.end(), s);
        std::uint32_t index = static_cast<std::uint32_t>(it - m_out.atoms.begin());
        if (it == m_out.atoms.end()) m_out.atoms.emplace_back(s);
        m_out.nodes.push_back({RegexSummary::Op::atom, index, 0});
        return static_cast<int>(m_out.nodes.size() - 1);
    }
    // AND (all = true) or OR of conditions: k_any drops out of an AND and absorbs an OR.
    int combine(bool all, const std::vector<int>& parts) {
        std::vector<std::uint32_t> kids;
        for (int c : parts) {
            if (c == k_any) {
                if (all) continue;
                return k_any;
            }
            const RegexSummary::Node& n = m_out.nodes[static_cast<std::size_t>(c)];
            if (n.op == (all ? RegexSummary::Op::all : RegexSummary::Op::any)) {
                for (std::uint32_t k = n.first; k < n.first + n.count; ++k)
                    kids.push_back(m_out.kids[k]);
            } else {
                kids.push_back(static_cast<std::uint32_t>(c));
            }
        }
        std::sort(kids.begin(), kids.end());
        kids.erase(std::unique(kids.begin(), kids.end()), kids.end());
        if (kids.empty()) return k_any; // an OR never gets here empty; an AND of nothing holds always
        if (kids.size() == 1) return static_cast<int>(kids.front());
        const auto first = static_cast<std::uint32_t>(m_out.kids.size());
        m_out.kids.insert(m_out.kids.end(), kids.begin(), kids.end());
        m_out.nodes.push_back({all ? RegexSummary::Op::all : RegexSummary::Op::any, first,
                               static_cast<std::uint32_t>(kids.size())});
        return static_cast<int>(m_out.nodes.size() - 1);
    }
    // An exact set as a condition: one of its strings occurs (no condition when one is too short).
    int cond_of(const Info& i) {
        if (!i.exact_valid) return i.cond;
        std::vector<int> parts;
        for (const std::string& s : i.exact) {
            if (s.size() < m_o.min_atom) return k_any;
            parts.push_back(atom(s));
        }
        return parts.empty() ? k_any : combine(false, parts);
    }
    // Strings known to be in the language (only while no assertion is involved).
    const std::vector<std::string>& within_of(const Info& i) const {
        static const std::vector<std::string> none;
        // Kept only where RegexSummary::within is (without fold_case): they cost most of a reading.
        if (!i.pure || m_o.fold_case) return none;
        return i.exact_valid ? i.exact : i.within;
    }

    Info as_cond(const Info& i) {
        Info out;
        out.cond = cond_of(i);
        out.within = within_of(i);
        out.can_be_empty = i.can_be_empty;
        out.pure = i.pure;
        return out;
    }

    Info alternate(Info a, Info b) {
        if (a.exact_valid && b.exact_valid && a.exact.size() + b.exact.size() <= m_o.max_exact) {
            std::vector<std::string> both = std::move(a.exact);
            both.insert(both.end(), b.exact.begin(), b.exact.end());
            Info out = Info::strings(std::move(both));
            out.pure = a.pure && b.pure;
            return out;
        }
        Info out;
        out.cond = combine(false, {cond_of(a), cond_of(b)});
        out.within = joined(within_of(a), within_of(b));
        out.can_be_empty = a.can_be_empty || b.can_be_empty;
        out.pure = a.pure && b.pure;
        return out;
    }

    // --- syntax ---
    Info alternation() {
        Info result = concatenation();
        while (!m_failed && !at_end() && peek() == '|') {
            ++m_i;
            result = alternate(std::move(result), concatenation());
        }
        return result;
    }

    // Items one after another. Consecutive exact items are crossed into one run of strings (a literal
    // "abc" is read one character at a time); a run ends where the cross product would grow past
    // max_exact or an item is not exact, and becomes one condition of the AND.
    Info concatenation() {
        std::vector<int> conds;
        std::vector<std::string> run{std::string()};
        std::vector<std::string> within;
        if (!m_o.fold_case) within.emplace_back();
        bool all_exact = true, can_be_empty = true, pure = true;
        auto end_run = [&](std::vector<std::string> next) {
            conds.push_back(cond_of(Info::strings(std::move(run))));
            run = std::move(next);
            all_exact = false;
        };
        while (!m_failed && !at_end() && peek() != '|' && peek() != ')') {
            Info item;
            if (!plain_run(item)) {
                if (!single(item)) break;
                quantify(item);
            }
            if (m_failed) break;
            can_be_empty = can_be_empty && item.can_be_empty;
            pure = pure && item.pure;
            if (!within.empty()) within = cross(within, within_of(item));
            if (!item.exact_valid) {
                end_run({std::string()});
                conds.push_back(item.cond);
                continue;
            }
            if (run.size() * item.exact.size() > m_o.max_exact) {
                end_run(std::move(item.exact));
                continue;
            }
            std::size_t longest = 0;
            for (const std::string& x : run)
                longest = std::max(longest, x.size());
            for (const std::string& y : item.exact)
                if (longest + y.size() > k_max_exact_len) {
                    longest = SIZE_MAX;
                    break;
                }
            if (longest == SIZE_MAX) {
                end_run(std::move(item.exact));
            } else if (item.exact.size() == 1) {
                for (std::string& x : run) // the cross product with one string: appended in place
                    x += item.exact.front();
            } else {
                std::vector<std::string> cross;
                for (const std::string& x : run)
                    for (const std::string& y : item.exact)
                        cross.push_back(x + y);
                run = std::move(cross);
            }
        }
        if (all_exact) {
            Info out = Info::strings(std::move(run));
            out.pure = pure;
            return out;
        }
        conds.push_back(cond_of(Info::strings(std::move(run))));
        Info out;
        out.cond = combine(true, conds);
        out.within = std::move(within);
        out.can_be_empty = can_be_empty;
        out.pure = pure;
        return out;
    }

    // {n}, {n,} or {n,m} at m_i: true and the bounds (max -1: none) when it is one; m_i moves past it.
    bool repeat_at(int& min, int& max) {
        std::size_t j = m_i + 1;
        auto number = [&](int& v) {
            std::size_t start = j;
            long long n = 0;
            while (j < m_p.size() && m_p[j] >= '0' && m_p[j] <= '9' && j - start < 9)
                n = n * 10 + (m_p[j++] - '0');
            v = static_cast<int>(n);
            return j > start;
        };
        if (!number(min)) return false;
        max = min;
        if (j < m_p.size() && m_p[j] == ',') {
            ++j;
            max = -1;
            if (j < m_p.size() && m_p[j] != '}' && !number(max)) return false;
        }
        if (j >= m_p.size() || m_p[j] != '}') return false;
        m_i = j + 1;
        return true;
    }

    void quantify(Info& item) {
        if (at_end()) return;
        int min = 0, max = 0;
        const char c = peek();
        if (c == '*' || c == '+' || c == '?') {
            ++m_i;
            min = c == '+' ? 1 : 0;
            max = c == '?' ? 1 : -1;
        } else if (c == '{') {
            const std::size_t save = m_i;
            if (!repeat_at(min, max)) {
                m_i = save; // a literal '{': the next item
                return;
            }
        } else {
            return;
        }
        if (!at_end() && peek() == '?') ++m_i; // non-greedy: same language
        if (!at_end()) {
            // A second repetition operator (RE2 rejects most of them): not modelled.
            const char d = peek();
            int lo = 0, hi = 0;
            const std::size_t save = m_i;
            if (d == '*' || d == '+' || d == '?' || (d == '{' && repeat_at(lo, hi))) {
                fail();
                return;
            }
            m_i = save;
        }
        // Strings of the repeated language: x repeated min times (and "" when min is 0).
        const std::vector<std::string> once = within_of(item);
        std::vector<std::string> repeated;
        for (const std::string& w : once) {
            std::string r;
            for (int k = 0; k < min && r.size() <= k_max_exact_len; ++k)
                r += w;
            if (r.size() <= k_max_exact_len) repeated.push_back(std::move(r));
        }
        if (max == 0) { // x{0}: the empty string
            const bool pure = item.pure;
            item = Info::strings({std::string()});
            item.pure = pure;
        } else if (min == 0) {
            if (max == 1 && item.exact_valid && item.exact.size() + 1 <= m_o.max_exact) {
                std::vector<std::string> s = item.exact;
                s.emplace_back();
                const bool pure = item.pure;
                item = Info::strings(std::move(s));
                item.pure = pure;
            } else {
                const bool pure = item.pure;
                item = Info();
                item.pure = pure;
                item.within = joined({std::string()}, once);
            }
        } else if (!(min == 1 && max == 1)) {
            item = as_cond(item);
            item.within = std::move(repeated);
        }
    }

    Info literal(unsigned char c) {
        if (m_o.fold_case && c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c + 32);
        return Info::strings({std::string(1, static_cast<char>(c))});
    }
    // A character outside ASCII: its bytes, or "one character" when its case variants would count.
    Info wide(std::string_view bytes) {
        if (m_o.fold_case) return Info::one_char();
        return Info::strings({std::string(bytes)});
    }
    Info assertion() {
        Info i = Info::strings({std::string()});
        i.pure = false;
        return i;
    }

    // Length of the UTF-8 sequence at m_i (0 when it is not one).
    std::size_t utf8_length() const {
        const auto b = static_cast<unsigned char>(m_p[m_i]);
        std::size_t n = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 0;
        if (n == 0 || m_i + n > m_p.size()) return 0;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(m_p[m_i + k]) & 0xC0) != 0x80) return 0;
        return n;
    }

    // \d \D \s \S \w \W: one character of a class.
    static bool perl_class(char c) { return std::string_view("dDsSwW").find(c) != std::string_view::npos; }

    // A character that stands for itself after a backslash: ASCII other than a letter, digit or '_'.
    static bool punctuation(char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x80 && c != '_' &&
               !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
    }

    // The control character of \n \t \r \f \v \a, or -1.
    static int control_escape(char e) {
        switch (e) {
        case 'n':
            return '\n';
        case 't':
            return '\t';
        case 'r':
            return '\r';
        case 'f':
            return '\f';
        case 'v':
            return '\v';
        case 'a':
            return '\a';
        default:
            return -1;
        }
    }

    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    // \x41 or \x{41} after the 'x' at m_i: the code point, or -1.
    long hex_escape() {
        ++m_i;
        long v = 0;
        if (!at_end() && peek() == '{') {
            ++m_i;
            std::size_t digits = 0;
            while (!at_end() && hex(peek()) >= 0 && digits < 8) {
                v = v * 16 + hex(peek());
                ++m_i;
                ++digits;
            }
            if (digits == 0 || at_end() || peek() != '}') return -1;
            ++m_i;
            return v;
        }
        for (int k = 0; k < 2; ++k) {
            if (at_end() || hex(peek()) < 0) return -1;
            v = v * 16 + hex(peek());
            ++m_i;
        }
        return v;
    }

    // The escape after a backslash at m_i - 1 outside a class.
    bool escape(Info& out) {
        if (at_end()) return false;
        const char c = peek();
        if (perl_class(c) || c == 'C') return take(out, Info::one_char());
        switch (c) {
        case 'p':
        case 'P':
            ++m_i;
            if (!skip_unicode_class_name()) return false;
            out = Info::one_char();
            return true;
        case 'b':
        case 'B':
        case 'A':
        case 'z':
            return take(out, assertion());
        case 'x': {
            const long v = hex_escape();
            if (v < 0) return false;
            out = v < 0x80 ? literal(static_cast<unsigned char>(v)) : Info::one_char();
            return true;
        }
        default:
            break;
        }
        if (const int control = control_escape(c); control >= 0) {
            return take(out, literal(static_cast<unsigned char>(control)));
        }
        const auto u = static_cast<unsigned char>(c);
        if (punctuation(c)) {
            ++m_i;
            out = literal(u); // escaped punctuation
            return true;
        }
        return false; // \Q, octal, and anything else
    }

    // After \p or \P: a one-letter name or {name}.
    bool skip_unicode_class_name() {
        if (at_end()) return false;
        if (peek() != '{') {
            ++m_i;
            return true;
        }
        const std::size_t close = m_p.find('}', m_i);
        if (close == std::string_view::npos) return false;
        m_i = close + 1;
        return true;
    }

    // A character class after the '[' at m_i - 1. Exact when it lists at most four ASCII characters
    // (after folding), "one character" otherwise.
    bool char_class(Info& out) {
        bool negated = false, simple = true;
        std::vector<unsigned char> members;
        if (!at_end() && peek() == '^') {
            negated = true;
            ++m_i;
        }
        bool first = true;
        auto add_range = [&](unsigned lo, unsigned hi) {
            if (hi < lo || hi - lo > 8 || hi >= 0x80) {
                simple = false;
                return;
            }
            for (unsigned c = lo; c <= hi; ++c)
                members.push_back(static_cast<unsigned char>(c));
        };
        // One member character at m_i (escape, or a plain byte): its value, -1 for a class or
        // something not modelled (simple becomes false; the class still ends at its ']').
        auto member = [&]() -> long {
            const char c = peek();
            if (c == '\\') {
                ++m_i;
                if (at_end()) return -2;
                const char e = peek();
                if (const int control = control_escape(e); control >= 0) {
                    ++m_i;
                    return control;
                }
                switch (e) {
                case 'x': {
                    const long v = hex_escape();
                    return v < 0 ? -2 : v;
                }
                case 'p':
                case 'P':
                    ++m_i;
                    return skip_unicode_class_name() ? -1 : -2;
                default:
                    break;
                }
                if (perl_class(e)) {
                    ++m_i;
                    return -1;
                }
                const auto u = static_cast<unsigned char>(e);
                if (punctuation(e)) {
                    ++m_i;
                    return u;
                }
                return -2;
            }
            const auto u = static_cast<unsigned char>(c);
            if (u >= 0x80) {
                std::size_t n = m_o.latin1 ? 1 : utf8_length();
                if (n == 0) return -2;
                m_i += n;
                return -1; // outside ASCII: not listed
            }
            ++m_i;
            return u;
        };
        while (true) {
            if (at_end()) return false;
            const char c = peek();
            if (c == ']' && !first) {
                ++m_i;
                break;
            }
            first = false;
            if (c == '[' && m_i + 1 < m_p.size() && m_p[m_i + 1] == ':') {
                const std::size_t close = m_p.find(":]", m_i + 2);
                if (close == std::string_view::npos) return false;
                m_i = close + 2;
                simple = false;
                continue;
            }
            const long lo = member();
            if (lo == -2) return false;
            if (!at_end() && peek() == '-' && m_i + 1 < m_p.size() && m_p[m_i + 1] != ']') {
                ++m_i;
                const long hi = member();
                if (hi == -2) return false;
                if (lo < 0 || hi < 0)
                    simple = false;
                else
                    add_range(static_cast<unsigned>(lo), static_cast<unsigned>(hi));
                continue;
            }
            if (lo < 0 || lo >= 0x80)
                simple = false;
            else
                members.push_back(static_cast<unsigned char>(lo));
        }
        if (negated || !simple) {
            out = Info::one_char();
            return true;
        }
        std::vector<std::string> chars;
        for (unsigned char m : members) {
            if (m >= 0x80) {
                out = Info::one_char();
                return true;
            }
            if (m_o.fold_case && m >= 'A' && m <= 'Z') m = static_cast<unsigned char>(m + 32);
            chars.emplace_back(1, static_cast<char>(m));
        }
        out = Info::strings(std::move(chars));
        if (out.exact.size() > 4 || out.exact.empty()) out = Info::one_char();
        return true;
    }

    static bool plain(char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u < 0x7F && std::string_view("\\[]()|.^$*+?{}").find(c) == std::string_view::npos;
    }
    static bool quantifier(char c) { return c == '*' || c == '+' || c == '?' || c == '{'; }

    // Length of the plain character at j: 1 for a plain byte, 3 for a class of one plain byte ("[ ]",
    // as the reason tables write a space), 0 otherwise.
    std::size_t plain_at(std::size_t j) const {
        if (j >= m_p.size()) return 0;
        if (plain(m_p[j])) return 1;
        if (m_p[j] == '[' && j + 2 < m_p.size() && m_p[j + 2] == ']' && m_p[j + 1] != '^' &&
            plain(m_p[j + 1]))
            return 3;
        return 0;
    }

    // Two or more plain characters at m_i, none of them repeated (a repetition takes only the character
    // before it, which is left for single()): one exact string, as single() would build it character by
    // character. False (m_i unchanged) when there are fewer than two.
    bool plain_run(Info& out) {
        std::string run;
        std::size_t j = m_i;
        while (const std::size_t n = plain_at(j)) {
            if (j + n < m_p.size() && quantifier(m_p[j + n])) break;
            char c = m_p[j + n / 2]; // the byte itself, or the one inside "[c]"
            if (m_o.fold_case && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
            run += c;
            j += n;
        }
        if (run.size() < 2) return false;
        m_i = j;
        out = Info::strings({std::move(run)});
        return true;
    }

    // One item (without its quantifier) at m_i; false at '|', ')' or the end, or when not modelled.
    bool single(Info& out) {
        const char c = peek();
        switch (c) {
        case '(': {
            ++m_i;
            if (!at_end() && peek() == '?') {
                ++m_i;
                if (!at_end() && peek() == ':') {
                    ++m_i;
                } else if (m_i + 1 < m_p.size() && peek() == 'P' && m_p[m_i + 1] == '<') {
                    const std::size_t close = m_p.find('>', m_i);
                    if (close == std::string_view::npos) return fail();
                    m_out.group_names.emplace_back(m_p.substr(m_i + 2, close - m_i - 2));
                    m_i = close + 1;
                } else
                    return fail(); // flags
            }
            if (++m_depth > k_max_depth) return fail();
            out = alternation();
            --m_depth;
            if (m_failed || at_end() || peek() != ')') return fail();
            ++m_i;
            return true;
        }
        case '[':
            ++m_i;
            if (!char_class(out)) return fail();
            return true;
        case '\\':
            ++m_i;
            if (!escape(out)) return fail();
            return true;
        case '.':
            return take(out, Info::one_char());
        case '^':
        case '$':
            return take(out, assertion());
        case '*':
        case '+':
        case '?':
            return fail(); // a repetition without an argument
        case '{': {
            int lo = 0, hi = 0;
            const std::size_t save = m_i;
            if (repeat_at(lo, hi)) return fail();
            m_i = save + 1;
            out = literal('{');
            return true;
        }
        default:
            break;
        }
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x80) {
            return take(out, literal(u));
        }
        const std::size_t n = m_o.latin1 ? 1 : utf8_length();
        if (n == 0) return fail();
        out = wide(m_p.substr(m_i, n));
        m_i += n;
        return true;
    }

    std::string_view m_p;
    const SummaryOptions& m_o;
    RegexSummary& m_out;
    std::size_t m_i = 0;
    int m_depth = 0;
    bool m_failed = false;
};

} // namespace

namespace {

void triggers(const RegexSummary& s, int n, std::vector<std::uint32_t>& out) {
    const RegexSummary::Node& node = s.nodes[static_cast<std::size_t>(n)];
    if (node.op == RegexSummary::Op::atom) {
        out.push_back(node.first);
        return;
    }
    if (node.op == RegexSummary::Op::any) {
        for (std::uint32_t k = node.first; k < node.first + node.count; ++k)
            triggers(s, static_cast<int>(s.kids[k]), out);
        return;
    }
    std::vector<std::uint32_t> best;
    std::size_t best_shortest = 0;
    for (std::uint32_t k = node.first; k < node.first + node.count; ++k) {
        std::vector<std::uint32_t> these;
        triggers(s, static_cast<int>(s.kids[k]), these);
        std::size_t shortest = SIZE_MAX;
        for (std::uint32_t a : these)
            shortest = std::min(shortest, s.atoms[a].size());
        if (best.empty() || shortest > best_shortest ||
            (shortest == best_shortest && these.size() < best.size())) {
            best = std::move(these);
            best_shortest = shortest;
        }
    }
    out.insert(out.end(), best.begin(), best.end());
}

} // namespace

std::vector<std::uint32_t> RegexSummary::trigger_atoms() const {
    std::vector<std::uint32_t> out;
    if (root >= 0) triggers(*this, root, out);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

RegexSummary summarise_regex(std::string_view pattern, const SummaryOptions& options) {
    RegexSummary out;
    Reader(pattern, options, out).run();
    if (!out.understood) {
        RegexSummary none;
        return none;
    }
    return out;
}

} // namespace ndr::classifiers::rules
