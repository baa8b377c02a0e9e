// dsn.cpp — RFC 3464 / RFC 6533 delivery-status parser. See dsn.hpp for what is kept and dropped.
#include "classifiers/dsn.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "classifiers/limits.hpp"
#include "classifiers/mime.hpp"
#include "classifiers/status_code.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers {
namespace {

// The fields parse_delivery_status() reads, told apart once per field.
enum class FieldKind : std::uint8_t {
    other,
    reporting_mta,
    arrival_date,
    // Per-recipient fields (is_recipient_field()):
    final_recipient,
    original_recipient,
    action,
    status,
    remote_mta,
    diagnostic_code,
    last_attempt_date,
    will_retry_until,
    final_log_id,
    x_actual_recipient,
    x_powermta_bounce_category,
};

FieldKind kind_of(std::string_view n) {
    // Only the names of the length of n are compared (no length has more than two).
    auto one_of = [n](std::string_view a, FieldKind ka, std::string_view b = {}, FieldKind kb = FieldKind::other) {
        return iequals(n, a) ? ka : !b.empty() && iequals(n, b) ? kb : FieldKind::other;
    };
    switch (n.size()) {
    case 6:
        return one_of("Action", FieldKind::action, "Status", FieldKind::status);
    case 10:
        return one_of("Remote-MTA", FieldKind::remote_mta);
    case 12:
        return one_of("Arrival-Date", FieldKind::arrival_date, "Final-Log-ID", FieldKind::final_log_id);
    case 13:
        return one_of("Reporting-MTA", FieldKind::reporting_mta);
    case 15:
        return one_of("Final-Recipient", FieldKind::final_recipient, "Diagnostic-Code", FieldKind::diagnostic_code);
    case 16:
        return one_of("Will-Retry-Until", FieldKind::will_retry_until);
    case 17:
        return one_of("Last-Attempt-Date", FieldKind::last_attempt_date);
    case 18:
        return one_of("Original-Recipient", FieldKind::original_recipient, "X-Actual-Recipient",
                      FieldKind::x_actual_recipient);
    case 25:
        return one_of("X-PowerMTA-BounceCategory", FieldKind::x_powermta_bounce_category);
    default:
        return FieldKind::other;
    }
}

bool is_recipient_field(FieldKind k) {
    return k >= FieldKind::final_recipient;
}

struct Field {
    std::string_view value; // into the body, or into the arena for a value continued on later lines
    int group = 0;
    FieldKind kind = FieldKind::other;
};

// Byte classes, one table lookup each: token characters (letters, digits, "-", "_", "."), and the
// bytes that end an address before a comment (blanks, CR, LF, "(").
enum : std::uint8_t { k_token = 1, k_address_end = 2 };
constexpr auto k_class = [] {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c)
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.')
            t[static_cast<std::size_t>(c)] = k_token;
    for (char c : {' ', '\t', '\r', '\n', '('})
        t[static_cast<unsigned char>(c)] = k_address_end;
    return t;
}();

bool is_token_char(char c) {
    return k_class[static_cast<unsigned char>(c)] & k_token;
}

bool is_field_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name)
        if (!is_token_char(c)) return false;
    return true;
}

// Splits the body into fields (into `fields`, emptied first) with their group number (groups separated
// by blank lines). Lines that are not "Name: value" continue the previous field (some MTAs fold without
// leading whitespace): its value is joined in `joined` and moved into `arena` when the next field starts.
void read_fields(std::string_view body, DeliveryReport& report, TextArena& arena,
                 std::vector<Field>& fields) {
    fields.clear();
    std::string joined; // the value of fields.back() once a line continued it
    bool continued = false;
    auto finish = [&] {
        if (!continued) return;
        fields.back().value = arena.copy(joined);
        continued = false;
    };
    std::size_t pos = 0;
    int group = 0;
    bool group_used = false;
    bool capped = false;
    while (pos < body.size()) {
        std::string_view line = next_line(body, pos);
        const std::string_view trimmed = trim(line);
        if (trimmed.empty()) {
            if (group_used) ++group;
            group_used = false;
            continue;
        }
        bool cont = line[0] == ' ' || line[0] == '\t';
        std::size_t colon = std::string_view::npos;
        std::string_view name;
        if (!cont) {
            // Most lines are "Name: value": the name's token characters, blanks, the first colon.
            std::size_t i = 0;
            while (i < line.size() && is_token_char(line[i]))
                ++i;
            std::size_t j = i;
            while (j < line.size() && (line[j] == ' ' || line[j] == '\t'))
                ++j;
            if (i > 0 && j < line.size() && line[j] == ':') {
                colon = j;
                name = line.substr(0, i);
                // Token characters only, and not empty: is_field_name() less the scan.
                if (name.size() > 64) cont = true;
            } else {
                colon = line.find(':');
                if (colon != std::string_view::npos) name = trim(line.substr(0, colon));
                if (!is_field_name(name)) cont = true;
            }
        }
        if (cont) {
            if (fields.empty() || !group_used) {
                report.add_anomaly("malformed-dsn-field");
                continue;
            }
            if (!continued) {
                joined.assign(fields.back().value);
                continued = true;
            }
            if (joined.size() + line.size() + 1 > k_max_line_bytes) {
                if (!capped) report.add_anomaly("line-too-long");
                capped = true;
                continue;
            }
            joined += ' ';
            joined.append(trimmed);
            continue;
        }
        if (fields.size() >= k_max_recipients * 12) {
            report.add_anomaly("too-many-recipients");
            break;
        }
        capped = false;
        std::string_view value = trim(line.substr(colon + 1));
        if (value.size() > k_max_line_bytes) {
            report.add_anomaly("line-too-long");
            value = value.substr(0, k_max_line_bytes);
            capped = true;
        }
        finish();
        fields.push_back(Field{value, group, kind_of(name)});
        group_used = true;
    }
    finish();
}

// PowerMTA's own per-recipient field "X-PowerMTA-BounceCategory: bad-mailbox" names the reason
// (category names from the PowerMTA user guide; mapping as Sisimai Lhost/PowerMTA.pm).
Reason powermta_category(std::string_view v) {
    v = trim(v);
    struct Row {
        std::string_view category;
        Reason reason;
    };
    constexpr Row k_rows[] = {
        {"bad-domain", Reason::hostunknown},           {"bad-mailbox", Reason::userunknown},
        {"inactive-mailbox", Reason::suspend},         {"message-expired", Reason::expired},
        {"no-answer-from-host", Reason::networkerror}, {"policy-related", Reason::policyviolation},
        {"quota-issues", Reason::mailboxfull},         {"routing-errors", Reason::systemerror},
        {"spam-related", Reason::spamdetected},
    };
    for (const Row& r : k_rows)
        if (iequals(v, r.category)) return r.reason;
    return Reason::undefined;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
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

struct Pending {
    RecipientRecord rec;
    bool any = false;
    bool has_final = false;
    bool has_original = false;
    bool detail_after_final = false; // Action, Status or Diagnostic-Code seen after Final-Recipient
};

} // namespace

namespace {
// split_typed_value() with the type as written (not lower-cased, no copy).
std::pair<std::string_view, std::string_view> split_type(std::string_view value) {
    value = trim(value);
    std::size_t semi = value.find(';');
    if (semi != std::string_view::npos && semi > 0 && semi <= 32) {
        std::string_view type = trim(value.substr(0, semi));
        bool ok = !type.empty() && std::all_of(type.begin(), type.end(), is_token_char);
        if (ok) return {type, trim(value.substr(semi + 1))};
    }
    return {std::string_view{}, value};
}
} // namespace

std::pair<std::string, std::string_view> split_typed_value(std::string_view value) {
    const auto [type, rest] = split_type(value);
    return {to_lower_ascii(type), rest};
}

void decode_dsn_address(std::string_view s, std::string& out) {
    if (s.find('\\') == std::string_view::npos && s.find('+') == std::string_view::npos) {
        copy_into(out, s);
        return;
    }
    out.clear();
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 2 < s.size() && s[i + 1] == 'x' && s[i + 2] == '{') {
            std::size_t close = s.find('}', i + 3);
            if (close != std::string_view::npos && close - i - 3 >= 1 && close - i - 3 <= 6) {
                std::uint32_t cp = 0;
                bool ok = true;
                for (std::size_t k = i + 3; k < close; ++k) {
                    int h = hex_value(s[k]);
                    if (h < 0)
                        ok = false;
                    else
                        cp = cp * 16 + static_cast<std::uint32_t>(h);
                }
                if (ok && cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF)) {
                    append_utf8(out, cp);
                    i = close;
                    continue;
                }
            }
        }
        if (s[i] == '+' && i + 2 < s.size()) {
            std::string_view hx = s.substr(i + 1, 2);
            if (hx == "2B" || hx == "3D" || hx == "20") {
                out += static_cast<char>(hex_value(hx[0]) * 16 + hex_value(hx[1]));
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
}

std::string decode_dsn_address(std::string_view s) {
    std::string out;
    decode_dsn_address(s, out);
    return out;
}

namespace {

// string_view::rfind(c) steps back one byte at a time; memrchr looks at many at once.
std::size_t last_of(std::string_view s, char c) {
    if (s.empty()) return std::string_view::npos;
    const void* p = memrchr(s.data(), c, s.size());
    return p == nullptr ? std::string_view::npos
                        : static_cast<std::size_t>(static_cast<const char*>(p) - s.data());
}

// Offset of the first byte that ends an address before a comment (blank, CR, LF, "("), or s.size().
std::size_t address_end(std::string_view s) {
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i sp = _mm_set1_epi8(' '), tab = _mm_set1_epi8('\t'), cr = _mm_set1_epi8('\r'),
                  lf = _mm_set1_epi8('\n'), paren = _mm_set1_epi8('(');
    for (; i + 16 <= s.size(); i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
        const __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, sp), _mm_cmpeq_epi8(x, tab)),
                         _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, lf)),
                                      _mm_cmpeq_epi8(x, paren)));
        const int mask = _mm_movemask_epi8(hit);
        if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
#endif
    while (i < s.size() && !(k_class[static_cast<unsigned char>(s[i])] & k_address_end))
        ++i;
    return i;
}

} // namespace

bool usable_address(std::string_view a) {
    const std::size_t at = last_of(a, '@');
    return at != std::string_view::npos && at > 0 && at + 1 < a.size() && a.front() != '@' &&
           a.find(':') == std::string_view::npos;
}

void normalise_address(std::string_view s, std::string& out) {
    s = trim(s);
    // A type prefix ("rfc822;").
    if (std::size_t semi = s.substr(0, 17).find(';'); semi != std::string_view::npos) {
        std::string_view type = s.substr(0, semi);
        if (std::all_of(type.begin(), type.end(), is_token_char)) s = trim(s.substr(semi + 1));
    }
    // The part in angle brackets, when there is one.
    if (std::size_t lt = last_of(s, '<'); lt != std::string_view::npos) {
        std::size_t gt = s.find('>', lt);
        std::string_view inner =
            s.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
        if (!trim(inner).empty()) s = trim(inner);
    }
    if (istarts_with(s, "mailto:")) s.remove_prefix(7);
    // A trailing comment "(...)" or anything after whitespace when the address itself has no quotes.
    if (!s.empty() && s.front() != '"') {
        std::size_t sp = address_end(s);
        if (sp == s.size()) sp = std::string_view::npos;
        if (sp != std::string_view::npos) {
            std::string_view first = s.substr(0, sp);
            if (first.find('@') != std::string_view::npos) s = first;
        }
    }
    while (!s.empty() && (s.front() == '<' || s.front() == '\'' || s.front() == ' '))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == '>' || s.back() == '\'' || s.back() == '.' || s.back() == ',' ||
                          s.back() == ';' || s.back() == ':' || s.back() == ' '))
        s.remove_suffix(1);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"' && s.find('@') == std::string_view::npos)
        s = s.substr(1, s.size() - 2);
    decode_dsn_address(s, out);
    if (out.size() > 512) out.resize(512);
    std::size_t at = last_of(out, '@');
    if (at != std::string::npos)
        for (std::size_t i = at + 1; i < out.size(); ++i)
            if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] + 32);
}

std::string normalise_address(std::string_view s) {
    std::string out;
    normalise_address(s, out);
    return out;
}

std::vector<std::string> address_list(std::string_view v) {
    std::vector<std::string> out;
    std::size_t start = 0;
    bool quoted = false;
    int angle = 0;
    for (std::size_t i = 0; i <= v.size(); ++i) {
        char c = i < v.size() ? v[i] : ',';
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && c == '<')
            ++angle;
        else if (!quoted && c == '>' && angle > 0)
            --angle;
        else if (!quoted && angle == 0 && c == ',') {
            std::string a = normalise_address(v.substr(start, i - start));
            if (a.find('@') != std::string::npos) out.push_back(std::move(a));
            start = i + 1;
            if (out.size() >= k_max_recipients) break;
        }
    }
    return out;
}

Action parse_action(std::string_view value) {
    value = trim(value);
    std::size_t e = 0;
    while (e < value.size() && ((value[e] >= 'a' && value[e] <= 'z') || (value[e] >= 'A' && value[e] <= 'Z')))
        ++e;
    std::string_view w = value.substr(0, e);
    if (iequals(w, "failed") || iequals(w, "failure") || iequals(w, "fail")) return Action::failed;
    if (iequals(w, "delayed") || iequals(w, "delay") || iequals(w, "deferred")) return Action::delayed;
    if (iequals(w, "delivered") || iequals(w, "deliverable")) return Action::delivered;
    if (iequals(w, "relayed")) return Action::relayed;
    if (iequals(w, "expanded")) return Action::expanded;
    return Action::none;
}

void set_diagnostic(RecipientRecord& rec, std::string_view type, std::string_view text,
                    DeliveryReport& report) {
    if (!type.empty()) rec.diagnostic_type = to_lower_ascii(type);
    // A delivery-status part has no charset of its own; Japanese MTAs (Lotus Notes, for one) write
    // ISO-2022-JP (RFC 1468) into Diagnostic-Code: its designator escapes say so.
    std::string jis;
    if (text.find("\x1b$B") != std::string_view::npos || text.find("\x1b$@") != std::string_view::npos) {
        jis = to_utf8(text, "ISO-2022-JP");
        text = jis;
    }
    std::string& d = rec.diagnostic;
    // Written in place (its room reused), unless text is the record's own diagnostic.
    const std::less<const char*> before;
    if (!before(text.data(), d.data()) && before(text.data(), d.data() + d.size() + 1))
        d = collapse_whitespace(text);
    else
        collapse_whitespace(text, d);
    if (d.size() > k_max_diagnostic_bytes) {
        std::size_t k = k_max_diagnostic_bytes;
        while (k > 0 && (static_cast<unsigned char>(d[k]) & 0xC0) == 0x80)
            --k;
        d.resize(k);
        report.add_anomaly("diagnostic-truncated");
    }
    // Only SMTP text carries a reply code: "X-Unix; 255" is an exit status, "X-Local; ..." a local
    // agent's message. Postfix's own text (X-Postfix) quotes the remote reply inside the sentence.
    const std::string& dt = rec.diagnostic_type;
    const bool smtp = dt.empty() || dt == "smtp" || dt == "esmtp" || dt == "lmtp";
    if (rec.reply_code == 0 && (smtp || dt == "x-postfix")) {
        std::string_view t = rec.diagnostic;
        int code = smtp ? reply_code_at(t) : 0;
        if (code == 0 && t.size() >= 3 && t[0] >= '0' && t[0] <= '9' && t[1] >= '0' && t[1] <= '9' &&
            t[2] >= '0' && t[2] <= '9' && (t.size() == 3 || t[3] == ' ' || t[3] == '-')) {
            report.add_anomaly("bad-reply-code");
        } else if (code == 0 || code / 100 == 2 || code / 100 == 3) {
            // A greeting or an intermediate reply first ("220-mx ... 421 4.2.1 ..."): the failure's
            // own code comes later.
            int later = find_reply_code(code == 0 ? t : t.substr(std::min<std::size_t>(4, t.size())));
            if (later / 100 == 4 || later / 100 == 5) code = later;
        }
        rec.reply_code = code;
    }
}

std::size_t parse_delivery_status(std::string_view body, DeliveryReport& report) {
    TextArena arena; // values continued on later lines (allocates only for them)
    // The fields, in a vector per thread reused from call to call (given back when a hostile body made
    // it big).
    thread_local std::vector<Field> fields_store;
    read_fields(body, report, arena, fields_store);
    const std::vector<Field>& fields = fields_store;
    struct GiveBack {
        ~GiveBack() {
            if (fields_store.capacity() > 1024) std::vector<Field>().swap(fields_store);
        }
    } give_back;
    std::size_t added = 0;
    Pending cur;
    int cur_group = -1;
    auto flush = [&] {
        if (!cur.any) return;
        RecipientRecord& r = cur.rec;
        // "Final-Recipient: rfc822; @mx.example.org" or a source route "@mx:user@host": the
        // Original-Recipient, when it is a plain address, is the one to report.
        if (!usable_address(r.final_recipient) && usable_address(r.original_recipient))
            r.final_recipient = r.original_recipient;
        if (r.final_recipient.empty() && !r.original_recipient.empty())
            r.final_recipient = r.original_recipient;
        if (r.status.empty() && !r.diagnostic.empty()) r.status = find_status(r.diagnostic);
        if (r.final_recipient.empty()) {
            report.add_anomaly("malformed-dsn-field");
        } else if (report.recipients.size() >= k_max_recipients) {
            report.add_anomaly("too-many-recipients");
        } else {
            r.format = "rfc3464";
            report.recipients.push_back(std::move(r));
            ++added;
        }
        cur = Pending{};
    };
    for (const Field& f : fields) {
        const FieldKind k = f.kind;
        if (!is_recipient_field(k)) {
            if (k == FieldKind::reporting_mta) {
                if (report.reporting_mta.empty())
                    report.reporting_mta = std::string(split_type(f.value).second);
            } else if (k == FieldKind::arrival_date) {
                if (report.arrival_date.empty()) report.arrival_date = std::string(f.value);
            }
            continue;
        }
        // A new group starts a record when it names a recipient; a group that does not (a stray blank
        // line inside one recipient's fields) continues the current record.
        const bool is_final = k == FieldKind::final_recipient;
        const bool is_original = k == FieldKind::original_recipient;
        const bool new_group = f.group != cur_group;
        if (cur.any && ((new_group && (is_final || is_original)) || (is_final && cur.has_final) ||
                        (is_original && (cur.has_original || (cur.has_final && cur.detail_after_final)))))
            flush();
        cur_group = f.group;
        cur.any = true;
        if (cur.has_final &&
            (k == FieldKind::action || k == FieldKind::status || k == FieldKind::diagnostic_code))
            cur.detail_after_final = true;
        RecipientRecord& r = cur.rec;
        switch (k) {
        case FieldKind::final_recipient:
            cur.has_final = true;
            normalise_address(split_type(f.value).second, r.final_recipient);
            break;
        case FieldKind::original_recipient:
            cur.has_original = true;
            normalise_address(split_type(f.value).second, r.original_recipient);
            break;
        case FieldKind::action:
            r.action = parse_action(f.value);
            if (r.action == Action::none) report.add_anomaly("malformed-dsn-field");
            break;
        case FieldKind::status: {
            std::string_view v = trim(f.value);
            std::size_t len = status_valid(v);
            if (len > 0 &&
                (len == v.size() || v[len] == ' ' || v[len] == '\t' || v[len] == '(' || v[len] == ';'))
                r.status = std::string(v.substr(0, len));
            else
                report.add_anomaly("bad-status");
            break;
        }
        case FieldKind::diagnostic_code: {
            auto [type, text] = split_type(f.value); // set_diagnostic() lower-cases the type
            set_diagnostic(r, type, text, report);
            break;
        }
        case FieldKind::remote_mta:
            r.remote_mta = std::string(split_type(f.value).second);
            break;
        case FieldKind::last_attempt_date:
            r.last_attempt = std::string(f.value);
            break;
        case FieldKind::will_retry_until:
            r.will_retry_until = std::string(f.value);
            break;
        case FieldKind::x_powermta_bounce_category:
            r.verdict.reason = powermta_category(f.value);
            break;
        default: // Final-Log-ID, X-Actual-Recipient: part of the record, not read
            break;
        }
    }
    flush();
    return added;
}

} // namespace ndr::classifiers
