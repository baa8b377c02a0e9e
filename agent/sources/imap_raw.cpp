// imap_raw.cpp — IMAP response reader, item parser and the pipelining session (see imap_raw.hpp).
#include "agent/sources/imap_raw.hpp"

#include "classifiers/limits.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <utility>

namespace ndr::agent::imap {

namespace lim = ndr::classifiers;

namespace {

[[noreturn]] void protocol_error(const std::string& what) {
    throw ImapError(ImapError::Kind::protocol, "IMAP protocol error: " + what);
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// upper(s) == upper_case, without the copy (the process keeps the C locale: ASCII letters only).
bool equals_upper(std::string_view s, std::string_view upper_case) {
    if (s.size() != upper_case.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i] >= 'a' && s[i] <= 'z' ? static_cast<char>(s[i] - 'a' + 'A') : s[i];
        if (c != upper_case[i]) return false;
    }
    return true;
}

template <typename T> std::optional<T> to_number(std::string_view s) {
    T value{};
    if (s.empty()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return value;
}

// "{123}" or "{123+}" at the end of a line → 123.
std::optional<std::size_t> literal_size(std::string_view line) {
    if (line.size() < 3 || line.back() != '}') return std::nullopt;
    auto open = line.rfind('{');
    if (open == std::string_view::npos) return std::nullopt;
    auto digits = line.substr(open + 1, line.size() - open - 2);
    if (!digits.empty() && digits.back() == '+') digits.remove_suffix(1);
    if (digits.empty() || digits.size() > 12) return std::nullopt;
    return to_number<std::size_t>(digits);
}

bool is_atom_char(char c) {
    return c != ' ' && c != '(' && c != ')' && c != '{' && c != '"' && c != '\r' && c != '\n' &&
           static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
}

class ItemParser {
  public:
    ItemParser(std::string_view text, std::size_t literal_count) : m_s(text), m_literals(literal_count) {}

    std::vector<Item> parse_all() {
        std::vector<Item> out;
        parse_sequence(out, 0, false);
        return out;
    }

  private:
    void skip_spaces() {
        while (m_pos < m_s.size() && m_s[m_pos] == ' ')
            ++m_pos;
    }

    void parse_sequence(std::vector<Item>& out, std::size_t depth, bool in_list) {
        for (;;) {
            skip_spaces();
            if (m_pos >= m_s.size()) {
                if (in_list) protocol_error("unterminated list");
                return;
            }
            char c = m_s[m_pos];
            if (c == ')') {
                if (!in_list) protocol_error("unbalanced ')'");
                ++m_pos;
                return;
            }
            out.push_back(parse_item(depth));
        }
    }

    Item parse_item(std::size_t depth) {
        Item item;
        char c = m_s[m_pos];
        if (c == '(') {
            if (depth + 1 > lim::k_max_imap_depth) protocol_error("lists nested too deep");
            ++m_pos;
            item.type = Item::Type::list;
            parse_sequence(item.items, depth + 1, true);
            return item;
        }
        if (c == '"') {
            ++m_pos;
            item.type = Item::Type::string;
            for (;;) {
                if (m_pos >= m_s.size()) protocol_error("unterminated quoted string");
                char q = m_s[m_pos++];
                if (q == '"') break;
                if (q == '\\') {
                    if (m_pos >= m_s.size()) protocol_error("unterminated quoted string");
                    q = m_s[m_pos++];
                }
                item.value.push_back(q);
            }
            return item;
        }
        if (c == '{') {
            auto close = m_s.find('}', m_pos);
            if (close == std::string_view::npos) protocol_error("bad literal");
            if (m_next_literal >= m_literals) protocol_error("literal without data");
            item.type = Item::Type::literal;
            item.literal = m_next_literal++;
            m_pos = close + 1;
            return item;
        }
        std::size_t start = m_pos;
        while (m_pos < m_s.size()) {
            char a = m_s[m_pos];
            if (a == '[') {
                // BODY[HEADER.FIELDS (A B)]: the section belongs to the atom, parentheses included.
                auto close = m_s.find(']', m_pos);
                if (close == std::string_view::npos) protocol_error("unterminated '['");
                m_pos = close + 1;
                continue;
            }
            if (!is_atom_char(a)) break;
            ++m_pos;
        }
        if (m_pos == start) protocol_error("unexpected character");
        const auto atom = m_s.substr(start, m_pos - start);
        if (equals_upper(atom, "NIL"))
            item.type = Item::Type::nil;
        else
            item.value = std::string(atom);
        return item;
    }

    std::string_view m_s;
    std::size_t m_literals;
    std::size_t m_pos = 0;
    std::size_t m_next_literal = 0;
};

// Modified base64 of RFC 3501 §5.1.3 (',' instead of '/', no padding).
constexpr char k_mbase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

// Next code point of valid UTF-8 at s[pos]; nullopt when ill-formed.
std::optional<char32_t> next_code_point(std::string_view s, std::size_t& pos) {
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char c = b(pos);
    std::size_t n = c < 0x80             ? 1
                    : (c & 0xe0) == 0xc0 ? 2
                    : (c & 0xf0) == 0xe0 ? 3
                    : (c & 0xf8) == 0xf0 ? 4
                                         : 0;
    if (n == 0 || pos + n > s.size()) return std::nullopt;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
    for (std::size_t i = 1; i < n; ++i) {
        if ((b(pos + i) & 0xc0) != 0x80) return std::nullopt;
        cp = (cp << 6) | (b(pos + i) & 0x3f);
    }
    static constexpr char32_t k_min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < k_min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
    pos += n;
    return cp;
}

} // namespace

// ---------------------------------------------------------------- ResponseReader

void ResponseReader::feed(std::string_view bytes, std::deque<Response>& out) {
    while (!bytes.empty()) {
        if (m_in_literal) {
            std::size_t take = std::min(m_literal_left, bytes.size());
            auto& lit = m_literals.back();
            std::size_t room =
                lit.size() < lim::k_max_imap_literal_bytes ? lim::k_max_imap_literal_bytes - lit.size() : 0;
            if (take > room) m_truncated = true;
            lit.append(bytes.data(), std::min(take, room));
            m_literal_left -= take;
            bytes.remove_prefix(take);
            if (m_literal_left == 0) m_in_literal = false;
            continue;
        }
        auto nl = bytes.find('\n');
        if (nl == std::string_view::npos) {
            if (m_pending.size() + m_text.size() + bytes.size() > lim::k_max_imap_line_bytes)
                protocol_error("response line longer than the cap");
            m_pending.append(bytes);
            return;
        }
        std::string_view line;
        if (m_pending.empty()) {
            line = bytes.substr(0, nl);
        } else {
            m_pending.append(bytes.substr(0, nl));
            line = m_pending;
        }
        if (m_text.size() + line.size() > lim::k_max_imap_line_bytes)
            protocol_error("response line longer than the cap");
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        bytes.remove_prefix(nl + 1);
        finish_line(line, out);
        m_pending.clear();
    }
}

void ResponseReader::finish_line(std::string_view line, std::deque<Response>& out) {
    if (auto n = literal_size(line)) {
        if (m_literals.size() >= lim::k_max_imap_literals)
            protocol_error("too many literals in one response");
        m_text.append(line);
        m_literals.emplace_back();
        m_literals.back().reserve(std::min(*n, lim::k_max_imap_literal_bytes));
        m_literal_left = *n;
        m_in_literal = *n > 0;
        return;
    }
    m_text.append(line);
    Response r;
    std::string_view t = m_text;
    if (t.starts_with("* ")) {
        r.kind = Response::Kind::untagged;
        t.remove_prefix(2);
    } else if (t.starts_with("+")) {
        r.kind = Response::Kind::continuation;
        t.remove_prefix(t.size() > 1 && t[1] == ' ' ? 2 : 1);
    } else {
        auto sp = t.find(' ');
        if (sp == 0 || sp == std::string_view::npos) protocol_error("response without tag");
        r.kind = Response::Kind::tagged;
        r.tag = std::string(t.substr(0, sp));
        t.remove_prefix(sp + 1);
    }
    r.text = std::string(t);
    r.literals = std::move(m_literals);
    r.truncated = m_truncated;
    out.push_back(std::move(r));
    m_text.clear();
    m_literals.clear();
    m_truncated = false;
}

// ---------------------------------------------------------------- parsing helpers

std::vector<Item> parse_items(std::string_view text, std::size_t literal_count) {
    return ItemParser(text, literal_count).parse_all();
}

std::string status_word(std::string_view text) {
    auto sp = text.find(' ');
    return upper(text.substr(0, sp));
}

std::optional<ResponseCode> response_code(std::string_view text) {
    auto sp = text.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    auto rest = text.substr(sp + 1);
    if (!rest.starts_with('[')) return std::nullopt;
    auto close = rest.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    auto inner = rest.substr(1, close - 1);
    auto sp2 = inner.find(' ');
    ResponseCode code;
    code.name = upper(inner.substr(0, sp2));
    if (sp2 != std::string_view::npos) code.args = std::string(inner.substr(sp2 + 1));
    return code;
}

std::optional<std::vector<std::uint32_t>> parse_search(std::string_view text) {
    if (upper(text.substr(0, 6)) != "SEARCH" || (text.size() > 6 && text[6] != ' ')) return std::nullopt;
    std::vector<std::uint32_t> out;
    std::size_t pos = 6;
    while (pos < text.size()) {
        while (pos < text.size() && text[pos] == ' ')
            ++pos;
        if (pos >= text.size() || text[pos] == '(') break; // "(MODSEQ 123)"
        auto end = text.find(' ', pos);
        if (end == std::string_view::npos) end = text.size();
        auto n = to_number<std::uint32_t>(text.substr(pos, end - pos));
        if (!n) protocol_error("bad number in SEARCH response");
        out.push_back(*n);
        pos = end;
    }
    return out;
}

std::optional<std::vector<std::string>> parse_capability(std::string_view text) {
    if (upper(text.substr(0, 10)) != "CAPABILITY" || (text.size() > 10 && text[10] != ' '))
        return std::nullopt;
    std::vector<std::string> out;
    std::size_t pos = 10;
    while (pos < text.size()) {
        while (pos < text.size() && text[pos] == ' ')
            ++pos;
        auto end = text.find(' ', pos);
        if (end == std::string_view::npos) end = text.size();
        if (end > pos) out.push_back(upper(text.substr(pos, end - pos)));
        pos = end;
    }
    return out;
}

std::optional<std::uint32_t> parse_exists(std::string_view text) {
    auto sp = text.find(' ');
    if (sp == std::string_view::npos || upper(text.substr(sp + 1)) != "EXISTS") return std::nullopt;
    return to_number<std::uint32_t>(text.substr(0, sp));
}

namespace {

// A FETCH response's " (UID n RFC822.SIZE n ...)" of these two numbers only, as a listing has them
// (10,000 lines for a folder of 10,000 messages), read without building items. False, leaving `data`
// to the general parser, for anything else.
bool parse_fetch_numbers(std::string_view t, FetchData& data) {
    if (t.size() < 3 || t.substr(0, 2) != " (" || t.back() != ')') return false;
    t = t.substr(2, t.size() - 3);
    while (!t.empty()) {
        const auto name_end = t.find(' ');
        if (name_end == std::string_view::npos) return false;
        const auto name = t.substr(0, name_end);
        auto value_end = t.find(' ', name_end + 1);
        if (value_end == std::string_view::npos) value_end = t.size();
        const auto value = t.substr(name_end + 1, value_end - name_end - 1);
        if (equals_upper(name, "UID")) {
            const auto n = to_number<std::uint32_t>(value);
            if (!n) return false;
            data.uid = *n;
        } else if (equals_upper(name, "RFC822.SIZE")) {
            const auto n = to_number<std::uint64_t>(value);
            if (!n) return false;
            data.size = *n;
        } else {
            return false;
        }
        t.remove_prefix(std::min(t.size(), value_end + 1));
    }
    return true;
}

} // namespace

std::optional<FetchData> parse_fetch(Response& response) {
    if (response.kind != Response::Kind::untagged) return std::nullopt;
    std::string_view t = response.text;
    auto sp = t.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    auto seq = to_number<std::uint32_t>(t.substr(0, sp));
    if (!seq || !equals_upper(t.substr(sp + 1, 5), "FETCH") || (t.size() > sp + 6 && t[sp + 6] != ' '))
        return std::nullopt;
    if (response.literals.empty()) {
        FetchData data;
        data.seq = *seq;
        data.truncated = response.truncated;
        if (parse_fetch_numbers(t.substr(sp + 6), data)) return data;
    }
    auto items = parse_items(t.substr(sp + 6), response.literals.size());
    if (items.size() != 1 || items[0].type != Item::Type::list) protocol_error("FETCH response without list");
    FetchData data;
    data.seq = *seq;
    data.truncated = response.truncated;
    const auto& list = items[0].items;
    if (list.size() % 2 != 0) protocol_error("FETCH attributes not in pairs");
    for (std::size_t i = 0; i < list.size(); i += 2) {
        const Item& name = list[i];
        const Item& value = list[i + 1];
        if (name.type != Item::Type::atom) protocol_error("FETCH attribute name is not an atom");
        const std::string_view key = name.value;
        auto string_value = [&]() -> std::optional<std::string> {
            if (value.type == Item::Type::string) return value.value;
            if (value.type == Item::Type::literal) return std::move(response.literals[value.literal]);
            if (value.type == Item::Type::nil) return std::string();
            return std::nullopt;
        };
        if (equals_upper(key, "UID")) {
            auto n = to_number<std::uint32_t>(value.value);
            if (value.type != Item::Type::atom || !n) protocol_error("bad UID in FETCH");
            data.uid = *n;
        } else if (equals_upper(key, "RFC822.SIZE")) {
            auto n = to_number<std::uint64_t>(value.value);
            if (value.type != Item::Type::atom || !n) protocol_error("bad RFC822.SIZE in FETCH");
            data.size = *n;
        } else if (equals_upper(key, "INTERNALDATE")) {
            data.internal_date = string_value();
        } else if (equals_upper(key, "FLAGS")) {
            if (value.type != Item::Type::list) protocol_error("FLAGS is not a list");
            std::vector<std::string> flags;
            for (const auto& f : value.items)
                if (f.type == Item::Type::atom) flags.push_back(f.value);
            data.flags = std::move(flags);
        } else if (equals_upper(key, "BODY[]")) {
            auto body = string_value();
            if (!body) protocol_error("BODY[] is not a string");
            data.body = std::move(body);
        }
    }
    return data;
}

std::vector<std::uint32_t> uids_after(std::vector<std::uint32_t> uids, std::uint32_t after) {
    std::erase_if(uids, [after](std::uint32_t u) { return u <= after; });
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    return uids;
}

std::string format_uid_set(const std::vector<std::uint32_t>& uids) {
    std::string out;
    std::size_t i = 0;
    while (i < uids.size()) {
        std::size_t j = i;
        while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1)
            ++j;
        if (!out.empty()) out.push_back(',');
        out += std::to_string(uids[i]);
        if (j > i) out += ":" + std::to_string(uids[j]);
        i = j + 1;
    }
    return out;
}

std::optional<std::string> quote_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u > 0x7e) return std::nullopt;
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::optional<std::string> quote_mailbox(std::string_view name) {
    std::string encoded;
    std::size_t pos = 0;
    std::u16string run; // UTF-16 code units of the current non-ASCII run
    auto flush = [&] {
        if (run.empty()) return;
        encoded.push_back('&');
        std::uint32_t bits = 0;
        int nbits = 0;
        for (char16_t u : run) {
            bits = (bits << 16) | u;
            nbits += 16;
            while (nbits >= 6) {
                nbits -= 6;
                encoded.push_back(k_mbase64[(bits >> nbits) & 0x3f]);
            }
        }
        if (nbits > 0) encoded.push_back(k_mbase64[(bits << (6 - nbits)) & 0x3f]);
        encoded.push_back('-');
        run.clear();
    };
    while (pos < name.size()) {
        auto cp = next_code_point(name, pos);
        if (!cp) return std::nullopt;
        if (*cp < 0x20 || *cp == 0x7f) return std::nullopt;
        if (*cp < 0x7f) {
            flush();
            encoded.push_back(static_cast<char>(*cp));
            if (*cp == '&') encoded.push_back('-');
            continue;
        }
        if (*cp >= 0x10000) {
            char32_t v = *cp - 0x10000;
            run.push_back(static_cast<char16_t>(0xd800 + (v >> 10)));
            run.push_back(static_cast<char16_t>(0xdc00 + (v & 0x3ff)));
        } else {
            run.push_back(static_cast<char16_t>(*cp));
        }
    }
    flush();
    return quote_string(encoded);
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). Linear in
// the day, so a day past the month's end runs into the next month, as timegm() normalises it.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// The inverse: the date of a day since 1970-01-01.
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

// Writes v (0 <= v) with at least `width` digits, zero-padded, ending at `end`; returns the start.
char* put_digits(char* end, std::int64_t v, int width) {
    char* p = end;
    do {
        *--p = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v > 0 || end - p < width);
    return p;
}

} // namespace

std::string internal_date_to_rfc3339(std::string_view d) {
    // "dd-Mon-yyyy hh:mm:ss +zzzz", day may be space-padded. Converted with integer arithmetic: this
    // runs once per fetched message (timegm, gmtime_r and strftime cost ten times as much).
    while (!d.empty() && d.front() == ' ')
        d.remove_prefix(1);
    static constexpr std::string_view k_months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                    "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    auto dash1 = d.find('-');
    if (dash1 == std::string_view::npos || dash1 > 2) return {};
    auto day = to_number<int>(d.substr(0, dash1));
    if (d.size() < dash1 + 1 + 3 + 1 + 4 + 1 + 8 + 1 + 5) return {};
    // The process keeps the C locale: std::toupper() upper-cases ASCII letters only.
    char mon[3];
    for (std::size_t i = 0; i < 3; ++i) {
        const char c = d[dash1 + 1 + i];
        mon[i] = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    }
    int month = -1;
    for (int i = 0; i < 12; ++i)
        if (k_months[i] == std::string_view(mon, 3)) month = i;
    std::size_t p = dash1 + 4;
    if (d[p] != '-') return {};
    auto year = to_number<int>(d.substr(p + 1, 4));
    p += 5;
    if (d[p] != ' ' || d[p + 3] != ':' || d[p + 6] != ':' || d[p + 9] != ' ') return {};
    auto hh = to_number<int>(d.substr(p + 1, 2));
    auto mm = to_number<int>(d.substr(p + 4, 2));
    auto ss = to_number<int>(d.substr(p + 7, 2));
    char sign = d[p + 10];
    auto zh = to_number<int>(d.substr(p + 11, 2));
    auto zm = to_number<int>(d.substr(p + 13, 2));
    if (!day || month < 0 || !year || !hh || !mm || !ss || !zh || !zm || (sign != '+' && sign != '-'))
        return {};
    if (*day < 1 || *day > 31 || *hh > 23 || *mm > 59 || *ss > 60 || *year < 1970 || *year > 9999) return {};
    std::int64_t t =
        days_from_civil(*year, static_cast<unsigned>(month + 1), static_cast<unsigned>(*day)) * 86400 +
        *hh * 3600 + *mm * 60 + *ss;
    const std::int64_t offset = (*zh * 60L + *zm) * 60L;
    t -= sign == '+' ? offset : -offset;
    const std::int64_t days = (t >= 0 ? t : t - 86399) / 86400;
    const std::int64_t secs = t - days * 86400;
    std::int64_t y = 0;
    unsigned m = 0, dd = 0;
    civil_from_days(days, y, m, dd);
    // "YYYY-MM-DDTHH:MM:SSZ" (a fifth year digit past 9999, as strftime's %Y).
    char buf[32];
    char* const end = buf + sizeof buf;
    char* q = end;
    *--q = 'Z';
    q = put_digits(q, secs % 60, 2);
    *--q = ':';
    q = put_digits(q, secs / 60 % 60, 2);
    *--q = ':';
    q = put_digits(q, secs / 3600, 2);
    *--q = 'T';
    q = put_digits(q, dd, 2);
    *--q = '-';
    q = put_digits(q, m, 2);
    *--q = '-';
    q = put_digits(q, y, 4);
    std::string out(q, end);
    return out;
}

// ---------------------------------------------------------------- Session

Session::Session(Transport& transport, std::chrono::milliseconds timeout, std::string tag_prefix)
    : m_transport(transport), m_timeout(timeout), m_prefix(std::move(tag_prefix)), m_buffer(64 * 1024) {}

std::string Session::send(std::string_view command, bool keep_reply) {
    std::string tag = m_prefix + std::to_string(m_next_tag++);
    std::string line;
    line.reserve(tag.size() + command.size() + 3);
    line.append(tag).append(" ").append(command).append("\r\n");
    m_transport.send(line);
    m_outstanding.push_back(tag);
    if (keep_reply) m_keep.push_back(tag);
    ++m_sent;
    return tag;
}

void Session::forget(const std::string& tag) {
    std::erase_if(m_kept, [&](const Tagged& t) { return t.tag == tag; });
    const auto kept = std::find(m_keep.begin(), m_keep.end(), tag);
    if (kept == m_keep.end()) return; // arrived and dropped above, or never kept
    m_keep.erase(kept);
    m_forgotten.push_back(tag);
}

std::optional<Response> Session::next(std::chrono::steady_clock::time_point deadline, bool reset_on_data,
                                      const std::function<bool()>& stop) {
    using clock = std::chrono::steady_clock;
    while (m_queue.empty()) {
        if (m_bye && m_reader.idle())
            throw ImapError(ImapError::Kind::connect, "the IMAP server closed the connection (BYE)");
        std::size_t n = 0;
        try {
            n = m_transport.receive(m_buffer.data(), m_buffer.size());
        } catch (const ImapError&) {
            if (m_bye)
                throw ImapError(ImapError::Kind::connect, "the IMAP server closed the connection (BYE)");
            throw;
        }
        if (n > 0) {
            m_reader.feed(std::string_view(m_buffer.data(), n), m_queue);
            if (reset_on_data) deadline = clock::now() + m_timeout;
            continue;
        }
        if (stop && stop()) return std::nullopt;
        if (clock::now() >= deadline) return std::nullopt;
    }
    Response r = std::move(m_queue.front());
    m_queue.pop_front();
    return r;
}

void Session::handle_untagged(Response& r, const Handler& on_untagged) {
    if (r.kind == Response::Kind::untagged) {
        if (status_word(r.text) == "BYE") m_bye = true;
        // "* <n> EXISTS" / "* <n> RECENT": the word after the number.
        const auto sp = r.text.find(' ');
        if (sp != std::string::npos) {
            const auto w = status_word(std::string_view(r.text).substr(sp + 1));
            if (w == "EXISTS" || w == "RECENT") m_announced = true;
        }
    }
    if (m_sink) m_sink(r);
    if (on_untagged) on_untagged(r);
}

bool Session::handle_tagged(Response& r, const std::string& wanted, Tagged& out) {
    auto it = std::find(m_outstanding.begin(), m_outstanding.end(), r.tag);
    if (it == m_outstanding.end()) protocol_error("reply with an unknown tag");
    m_outstanding.erase(it);
    Tagged t{r.tag, status_word(r.text), r.text};
    if (t.status != "OK" && t.status != "NO" && t.status != "BAD")
        protocol_error("tagged reply without OK/NO/BAD");
    const auto kept = std::find(m_keep.begin(), m_keep.end(), r.tag);
    const bool keep = kept != m_keep.end();
    if (keep) m_keep.erase(kept);
    const auto forgotten = std::find(m_forgotten.begin(), m_forgotten.end(), r.tag);
    const bool drop = forgotten != m_forgotten.end();
    if (drop) m_forgotten.erase(forgotten);
    if (r.tag == wanted) {
        out = std::move(t);
        return true;
    }
    if (drop) return false;
    if (keep)
        m_kept.push_back(std::move(t));
    else if (!t.ok())
        m_failed.push_back(std::move(t));
    return false;
}

Tagged Session::wait(const std::string& tag, const Handler& on_untagged) {
    return *wait_until(tag, {}, on_untagged);
}

std::optional<Tagged> Session::wait_until(const std::string& tag, const std::function<bool()>& done,
                                          const Handler& on_untagged) {
    if (auto k = std::find_if(m_kept.begin(), m_kept.end(), [&](const Tagged& t) { return t.tag == tag; });
        k != m_kept.end()) {
        Tagged out = std::move(*k);
        m_kept.erase(k);
        return out;
    }
    // A reply already taken (or never asked for) would otherwise be waited for until the timeout.
    if (std::find(m_outstanding.begin(), m_outstanding.end(), tag) == m_outstanding.end())
        throw ImapError(ImapError::Kind::protocol, "no reply outstanding for IMAP command " + tag);
    if (done && done()) return std::nullopt;
    ++m_round_trips;
    auto deadline = std::chrono::steady_clock::now() + m_timeout;
    for (;;) {
        auto r = next(deadline, true);
        if (!r)
            throw ImapError(ImapError::Kind::timeout, "the IMAP server did not answer within " +
                                                          std::to_string(m_timeout.count() / 1000) + " s");
        if (r->kind == Response::Kind::tagged) {
            Tagged out;
            if (handle_tagged(*r, tag, out)) return out;
        } else if (r->kind == Response::Kind::continuation) {
            protocol_error("unexpected continuation request");
        } else {
            handle_untagged(*r, on_untagged);
            if (done && done()) return std::nullopt;
        }
    }
}

Tagged Session::command(std::string_view command, const Handler& on_untagged) {
    return wait(send(command), on_untagged);
}

Tagged Session::command_with_literal(std::string_view command, std::string_view literal,
                                     bool non_synchronizing, const Handler& on_untagged) {
    drain(on_untagged);
    const std::string tag = m_prefix + std::to_string(m_next_tag++);
    std::string line;
    line.append(tag).append(" ").append(command);
    line.append(" {").append(std::to_string(literal.size())).append(non_synchronizing ? "+}\r\n" : "}\r\n");
    m_transport.send(line);
    m_outstanding.push_back(tag);
    ++m_sent;
    if (!non_synchronizing) {
        ++m_round_trips;
        const auto deadline = std::chrono::steady_clock::now() + m_timeout;
        for (;;) {
            auto r = next(deadline, true);
            if (!r) throw ImapError(ImapError::Kind::timeout, "the IMAP server did not ask for the literal");
            if (r->kind == Response::Kind::continuation) break;
            if (r->kind == Response::Kind::tagged) {
                Tagged out;
                if (handle_tagged(*r, tag, out)) return out;
                continue;
            }
            handle_untagged(*r, on_untagged);
        }
    }
    m_transport.send(literal);
    m_transport.send("\r\n");
    return wait(tag, on_untagged);
}

void Session::drain(const Handler& on_untagged) {
    if (m_outstanding.empty()) return;
    std::string last = m_outstanding.back();
    const bool keep = std::find(m_keep.begin(), m_keep.end(), last) != m_keep.end();
    const bool drop = std::find(m_forgotten.begin(), m_forgotten.end(), last) != m_forgotten.end();
    Tagged t = wait(last, on_untagged);
    if (keep)
        m_kept.push_back(std::move(t)); // still the reply its sender will wait for
    else if (!drop && !t.ok())
        m_failed.push_back(std::move(t));
}

std::vector<Tagged> Session::take_failed_pipelined() {
    return std::exchange(m_failed, {});
}

Session::IdleResult Session::idle(std::chrono::milliseconds max, const std::function<bool()>& stop) {
    using clock = std::chrono::steady_clock;
    drain();
    // New mail was reported with an earlier reply: no need to wait for it.
    if (m_announced) return IdleResult::changed;
    std::string tag = send("IDLE");
    ++m_round_trips;
    auto deadline = clock::now() + m_timeout;
    // Up to the continuation: untagged data before it is handled; a tagged reply means "refused".
    for (;;) {
        auto r = next(deadline, true);
        if (!r) throw ImapError(ImapError::Kind::timeout, "the IMAP server did not answer IDLE");
        if (r->kind == Response::Kind::continuation) break;
        if (r->kind == Response::Kind::tagged) {
            Tagged out;
            if (handle_tagged(*r, tag, out))
                throw ImapError(ImapError::Kind::command, "IDLE refused: " + out.text);
            continue;
        }
        handle_untagged(*r, {});
    }
    IdleResult result = IdleResult::timeout;
    auto idle_deadline = clock::now() + max;
    while (!m_announced) {
        auto r = next(idle_deadline, false, stop);
        if (!r) {
            result = stop && stop() ? IdleResult::stopped : IdleResult::timeout;
            break;
        }
        if (r->kind == Response::Kind::tagged) {
            Tagged out;
            if (handle_tagged(*r, tag, out))
                throw ImapError(ImapError::Kind::command, "IDLE ended by the server: " + out.text);
            continue;
        }
        if (r->kind == Response::Kind::untagged) handle_untagged(*r, {});
    }
    m_transport.send("DONE\r\n");
    Tagged done = wait(tag, {});
    --m_round_trips; // the IDLE exchange counts once
    if (!done.ok()) throw ImapError(ImapError::Kind::command, "IDLE failed: " + done.text);
    if (m_announced) result = IdleResult::changed;
    return result;
}

} // namespace ndr::agent::imap
