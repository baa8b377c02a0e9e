// common.cpp — helpers shared by the vendor-format modules (see common.hpp).
//
// Input trust: none. Every loop below advances through its input once (or a bounded number of times);
// text kept per record is capped at k_max_diagnostic_bytes, the readable text at k_max_text_part_bytes.
#include "classifiers/formats/common.hpp"

#include "classifiers/dsn.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/message_text.hpp"
#include "classifiers/status_code.hpp"
#include "classifiers/text.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ndr::classifiers::formats {

namespace {

bool is_local_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) return false;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("._%+-=!#$&'*/?^`{|}~").find(c) != std::string_view::npos;
}

bool is_domain_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Cut at k_max_diagnostic_bytes without splitting a UTF-8 sequence.
void cap_utf8(std::string& s, std::size_t cap) {
    if (s.size() <= cap) return;
    std::size_t cut = cap;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;
    s.resize(cut);
}

} // namespace

std::size_t find_two_newlines(std::string_view s) {
    const char* const p = s.data();
    const std::size_t n = s.size();
    std::size_t i = 0;
#if defined(__SSE2__)
    // 16 positions at a time: a '\n' there and one after it.
    const __m128i nl = _mm_set1_epi8('\n');
    for (; i + 17 <= n; i += 16) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
        const auto mask = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, nl), _mm_cmpeq_epi8(b, nl))));
        if (mask != 0) return i + static_cast<std::size_t>(std::countr_zero(mask));
    }
#endif
    for (; i + 1 < n; ++i)
        if (p[i] == '\n' && p[i + 1] == '\n') return i;
    return std::string_view::npos;
}

namespace {

// The names of the Fields, in the order of the enum.
constexpr std::string_view k_field_names[k_field_count] = {
    "From",
    "Subject",
    "Message-ID",
    "X-Mailer",
    "X-ZohoMail",
    "X-MLServer",
    "X-Msg-Ref",
    "X-SPASIGN",
    "X-NAI-Header",
    "X-SES-Outgoing",
    "X-Failed-Recipients",
    "X-Google-Smtp-Source",
    "x-amz-sns-message-id",
};

// Which of a few header names a field's name is (ASCII case-insensitive), or -1: the name is compared
// only with those of its length and first letter ("Received" and "X-Mailer" differ at once).
template <std::size_t N> class NameIndex {
  public:
    constexpr explicit NameIndex(const std::string_view (&names)[N]) : m_names(names) {
        for (std::size_t k = 0; k < N; ++k) {
            const std::size_t n = names[k].size();
            if (n >= k_max || m_count[n] == m_ids[n].size())
                throw "NameIndex: a name too long, or too many of one length";
            m_ids[n][m_count[n]++] = static_cast<std::uint8_t>(k);
        }
    }
    int find(std::string_view name) const {
        if (name.empty() || name.size() >= k_max) return -1;
        const char first = static_cast<char>(name[0] | 0x20);
        for (std::size_t k = 0; k < m_count[name.size()]; ++k) {
            const std::uint8_t id = m_ids[name.size()][k];
            if ((m_names[id][0] | 0x20) == first && iequals(name, m_names[id])) return id;
        }
        return -1;
    }

  private:
    static constexpr std::size_t k_max = 32;
    const std::string_view (&m_names)[N];
    std::array<std::array<std::uint8_t, 4>, k_max> m_ids{};
    std::array<std::uint8_t, k_max> m_count{};
};

constexpr NameIndex k_field_index(k_field_names);

// One pass over the top-level header: the first value of each Field (Headers::get / has).
void find_fields(const Headers& h, Context& ctx) {
    for (const auto& f : h.fields)
        if (const int id = k_field_index.find(f.name); id >= 0 && !ctx.field_present[id]) {
            ctx.field_present[id] = true;
            ctx.field_value[id] = f.value;
        }
}

// The fields read_inline_original() takes: the first of each single one, every Received and
// DKIM-Signature.
constexpr std::string_view k_original_fields[] = {"Message-ID", "From",        "To",       "Subject",
                                                  "Date",       "Return-Path", "Received", "DKIM-Signature"};
constexpr NameIndex k_original_index(k_original_fields);

} // namespace

std::string_view field_name(Field f) {
    return k_field_names[static_cast<std::size_t>(f)];
}

void build_context(const ParsedMessage& msg, Context& ctx) {
    ctx.msg = &msg;
    ctx.headers = &msg.root.headers;
    // A context may be reused (registry.cpp): what find_fields() and the registry set starts afresh.
    ctx.field_value.fill({});
    ctx.field_present.reset();
    ctx.enriching = false;
    ctx.fill = FillNeeds{};
    find_fields(msg.root.headers, ctx);
    ctx.from = header(ctx, Field::from);
    decode_rfc2047(header(ctx, Field::subject), ctx.subject); // into the string kept from message to message
    notification_text(msg, ctx.text); // into the buffer the Context keeps from message to message
    if (ctx.text.size() > k_max_text_part_bytes) ctx.text.resize(k_max_text_part_bytes);
    ctx.original = find_original_part(msg.root);
    ctx.delivery_status = find_part(msg.root, "message/delivery-status");
    if (ctx.delivery_status == nullptr)
        ctx.delivery_status = find_part(msg.root, "message/global-delivery-status");
    ctx.lower.clear();
    const PhraseQuery headers[] = {{ctx.from, &ctx.from_phrases}, {ctx.subject, &ctx.subject_phrases}};
    index_text(ctx.text, ctx.index, headers);
    // The lines as next_line() splits them: up to each '\n', without a '\r' before it (the last one
    // up to the end of the text, or to a '\n' there).
    const std::vector<std::uint32_t>& starts = ctx.index.line_starts;
    const std::size_t count = starts.size();
    ctx.lines.resize(count);
    const char* const text = ctx.text.data();
    std::string_view* const out = ctx.lines.data();
    const auto line = [&](std::size_t begin, std::size_t end) {
        if (end > begin && text[end - 1] == '\r') --end;
        return std::string_view(text + begin, end - begin);
    };
    for (std::size_t i = 0; i + 1 < count; ++i)
        out[i] = line(starts[i], starts[i + 1] - 1);
    if (count != 0) {
        const std::size_t n = ctx.text.size();
        out[count - 1] = line(starts[count - 1], text[n - 1] == '\n' ? n - 1 : n);
    }
}

namespace {

// The line that offset `p` of ctx.text is on.
std::size_t line_of(const Context& ctx, std::size_t p) {
    const std::vector<std::uint32_t>& starts = ctx.index.line_starts;
    const auto it = std::upper_bound(starts.begin(), starts.end(), p);
    return static_cast<std::size_t>(it - starts.begin()) - 1;
}

// For a phrase needles.hpp does not list: position of lower-cased `needle` in the lower-cased text
// [from, to), or npos (glibc memmem: linear). The lower-cased copy is made on first use.
std::size_t unlisted_find(const Context& ctx, std::string_view needle, std::size_t from, std::size_t to) {
    if (from >= to || needle.size() > to - from || needle.size() > k_max_needle_bytes)
        return std::string::npos;
    if (ctx.lower.size() != ctx.text.size()) ctx.lower = to_lower_ascii(ctx.text);
    const std::string lowered = to_lower_ascii(needle);
    const void* hit = memmem(ctx.lower.data() + from, to - from, lowered.data(), lowered.size());
    if (hit == nullptr) return std::string::npos;
    return static_cast<std::size_t>(static_cast<const char*>(hit) - ctx.lower.data());
}

// The first of the ascending `lines` at or after `from`, or npos.
std::size_t first_at_or_after(const std::uint32_t* begin, const std::uint32_t* end, std::size_t from) {
    const std::uint32_t* it = std::lower_bound(begin, end, from);
    return it == end ? std::string_view::npos : *it;
}

} // namespace

std::size_t find_line(const Context& ctx, Needle needle, std::size_t from) {
    if (from >= ctx.lines.size() || needle.text.empty()) return std::string_view::npos;
    if (needle.id == k_unlisted) {
        const std::size_t p = unlisted_find(ctx, needle.text, ctx.index.line_starts[from], ctx.text.size());
        return p == std::string::npos ? std::string_view::npos : line_of(ctx, p);
    }
    const std::uint32_t count = ctx.index.count[needle.id];
    if (count == 0) return std::string_view::npos;
    const std::uint32_t* lines = ctx.index.lines.data() + ctx.index.begin[needle.id];
    return first_at_or_after(lines, lines + count, from);
}

std::size_t find_head_unlisted(const Context& ctx, std::string_view needle) {
    if (ctx.lines.empty() || needle.empty()) return std::string_view::npos;
    const std::size_t p = unlisted_find(ctx, needle, 0, std::min(ctx.text.size(), k_detect_window));
    return p == std::string::npos ? std::string_view::npos : line_of(ctx, p);
}

std::size_t find_first_line(const Context& ctx, std::initializer_list<Needle> needles, std::size_t from) {
    std::size_t best = std::string_view::npos;
    for (auto n : needles)
        best = std::min(best, find_line(ctx, n, from));
    return best;
}

std::size_t find_line_starting(const Context& ctx, std::string_view prefix, std::size_t from) {
    for (std::size_t i = from; i < ctx.lines.size(); ++i)
        if (istarts_with(trim(ctx.lines[i]), prefix)) return i;
    return std::string_view::npos;
}

bool contains(std::string_view hay, std::string_view needle) {
    return ifind(hay, needle) != std::string_view::npos;
}

std::string find_address(std::string_view text) {
    std::size_t at = text.find('@');
    while (at != std::string_view::npos) {
        std::size_t l = at;
        while (l > 0 && is_local_char(text[l - 1]))
            --l;
        std::size_t r = at + 1;
        while (r < text.size() && is_domain_char(text[r]))
            ++r;
        std::string_view local = text.substr(l, at - l);
        std::string_view domain = text.substr(at + 1, r - at - 1);
        while (!local.empty() && (local.front() == '.' || local.front() == '\'' || local.front() == '/'))
            local.remove_prefix(1);
        while (!domain.empty() && (domain.back() == '.' || domain.back() == '-'))
            domain.remove_suffix(1);
        if (!local.empty() && domain.size() >= 1 && is_alnum(domain.front())) {
            // The domain lower-cased in place (to_lower_ascii() would be a second string).
            std::string out;
            out.reserve(local.size() + 1 + domain.size());
            out += local;
            out += '@';
            for (const char c : domain)
                out += c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c;
            return out;
        }
        at = text.find('@', r > at ? r : at + 1);
    }
    return {};
}

bool is_address_line(std::string_view s, std::string* addr) {
    s = trim(s);
    if (s.ends_with(':')) s.remove_suffix(1);
    if (s.starts_with('<') && s.ends_with('>') && s.size() >= 2) s = s.substr(1, s.size() - 2);
    if (s.starts_with('"') && s.ends_with('"') && s.size() >= 2) s = s.substr(1, s.size() - 2);
    if (s.empty()) return false;
    // One pass: no blank or angle bracket, and the last '@'. (std::string_view::find_first_of calls
    // memchr on the set for every byte.)
    std::size_t at = std::string_view::npos;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == ' ' || c == '\t' || c == '<' || c == '>') return false;
        if (c == '@') at = i;
    }
    if (at == 0 || at == std::string_view::npos || at + 1 >= s.size()) return false;
    for (std::size_t i = at + 1; i < s.size(); ++i)
        if (!is_domain_char(s[i])) return false;
    if (addr != nullptr) normalise_address(s, *addr);
    return true;
}

std::string find_remote_host(std::string_view text) {
    // Exim "host mx.example.net [192.0.2.1]: 550 ...", GMX "host: mx.example.net".
    std::size_t p = ifind_word(text, "host");
    while (p != std::string_view::npos) {
        std::size_t i = p + 4;
        if (i < text.size() && text[i] == ':') ++i;
        while (i < text.size() && text[i] == ' ')
            ++i;
        std::size_t j = i;
        while (j < text.size() &&
               (is_domain_char(text[j]) || text[j] == '[' || text[j] == ']' || text[j] == ':'))
            ++j;
        std::string_view h = text.substr(i, j - i);
        while (!h.empty() && (h.back() == ':' || h.back() == '.'))
            h.remove_suffix(1);
        if (h.find('.') != std::string_view::npos && is_alnum(h.front())) return to_lower_ascii(h);
        p = ifind_word(text, "host", p + 4);
    }
    return {};
}

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Three digits [245][0-5][0-9] at i, not followed by another digit or ".digit".
bool reply_at(std::string_view t, std::size_t i) {
    if (i + 3 > t.size()) return false;
    if (t[i] != '2' && t[i] != '4' && t[i] != '5') return false;
    if (t[i + 1] < '0' || t[i + 1] > '5' || !is_digit(t[i + 2])) return false;
    if (!reply_code_valid((t[i] - '0') * 100 + (t[i + 1] - '0') * 10 + (t[i + 2] - '0'))) return false;
    if (i + 3 < t.size()) {
        const char n = t[i + 3];
        if (is_digit(n) || is_alnum(n)) return false;
        if (n == '.' && i + 4 < t.size() && is_digit(t[i + 4])) return false;
    }
    return true;
}

} // namespace

std::size_t find_reply_after_colon(std::string_view text, std::size_t from) {
    for (std::size_t i = text.find(':', from); i != std::string_view::npos; i = text.find(':', i + 1)) {
        std::size_t j = i + 1;
        while (j < text.size() && j < i + 3 && text[j] == ' ')
            ++j;
        if (reply_at(text, j)) return j;
    }
    return std::string_view::npos;
}

int leading_reply_code(std::string_view text) {
    text = trim(text);
    if (!reply_at(text, 0)) return 0;
    return (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
}

int reply_code_in(std::string_view text) {
    if (const int code = find_reply_code(text); code != 0) return code;
    if (const int code = leading_reply_code(text); code != 0) return code;
    const std::size_t p = find_reply_after_colon(text);
    return p == std::string_view::npos ? 0 : leading_reply_code(text.substr(p));
}

void fill_from_diagnostic(const FillNeeds& needs, RecipientRecord& r) {
    if (needs.status && r.status.empty()) r.status = find_status(r.diagnostic);
    if (needs.reply_code && r.reply_code == 0) r.reply_code = reply_code_in(r.diagnostic);
    if (needs.smtp_command && r.smtp_command.empty()) r.smtp_command = find_smtp_command(r.diagnostic);
}

void fill_from_diagnostic(RecipientRecord& r) {
    fill_from_diagnostic(FillNeeds{}, r);
}

std::string paragraph(const Context& ctx, std::size_t begin, std::size_t end) {
    std::string out;
    end = std::min(end, ctx.lines.size());
    for (std::size_t i = begin; i < end && out.size() < k_max_diagnostic_bytes; ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (t.empty()) {
            if (!out.empty()) break;
            continue;
        }
        if (!out.empty()) out += ' ';
        out += t;
    }
    return out;
}

namespace {

RecipientRecord record_of(const FillNeeds& needs, std::string_view recipient, std::string_view diagnostic,
                          std::string_view format, Action action, std::string_view command) {
    RecipientRecord r;
    r.final_recipient = normalise_address(recipient);
    if (r.final_recipient.empty()) r.final_recipient = std::string(trim(recipient));
    r.action = action;
    r.diagnostic = collapse_whitespace(diagnostic);
    cap_utf8(r.diagnostic, k_max_diagnostic_bytes);
    r.format.assign(format);
    r.smtp_command.assign(command);
    fill_from_diagnostic(needs, r);
    return r;
}

} // namespace

RecipientRecord make_record(const Context& ctx, std::string_view recipient, std::string_view diagnostic,
                            std::string_view format, Action action, std::string_view command) {
    return record_of(ctx.fill, recipient, diagnostic, format, action, command);
}

RecipientRecord make_record(const FillNeeds& needs, std::string_view recipient, std::string_view diagnostic,
                            std::string_view format, Action action) {
    return record_of(needs, recipient, diagnostic, format, action, {});
}

RecipientRecord make_record(std::string_view recipient, std::string_view diagnostic, std::string_view format,
                            Action action) {
    return record_of(FillNeeds{}, recipient, diagnostic, format, action, {});
}

bool report_full(DeliveryReport& report) {
    if (report.recipients.size() < k_max_recipients) return false;
    report.add_anomaly("too-many-recipients");
    return true;
}

bool add_record(DeliveryReport& report, RecipientRecord&& r) {
    if (report_full(report)) return false;
    report.recipients.push_back(std::move(r));
    return true;
}

void finish(DeliveryReport& report, std::string_view format) {
    report.format = std::string(format);
    bool failed = false, delayed = false, delivered = false;
    for (const auto& r : report.recipients) {
        failed |= r.action == Action::failed;
        delayed |= r.action == Action::delayed;
        delivered |= r.action == Action::delivered;
    }
    if (report.kind == Kind::failed || report.kind == Kind::feedback || report.kind == Kind::auto_reply)
        return;
    if (failed)
        report.kind = Kind::failed;
    else if (delayed)
        report.kind = Kind::delayed;
    else if (delivered && report.kind == Kind::not_ndr)
        report.kind = Kind::delivered;
}

void read_inline_original(std::string_view block, DeliveryReport& report) {
    if (report.original.present) return;
    // Skip leading blank lines.
    std::size_t pos = 0;
    while (pos < block.size()) {
        std::size_t next = pos;
        const std::string_view line = next_line(block, next);
        if (!trim(line).empty()) break;
        pos = next;
    }
    block = block.substr(pos);
    if (block.empty()) return;
    Headers h = parse_headers(block);
    if (h.fields.empty()) return;
    auto& o = report.original;
    o.present = true;
    o.headers_only = true;
    // One pass over the fields (Headers::get / get_all each are one): the first Message-ID, From, To,
    // Subject, Date and Return-Path, the Received and DKIM-Signature fields in order, capped.
    enum { message_id, from, to, subject, date, return_path, received, dkim_signature };
    std::array<std::string_view, received> first{};
    std::array<bool, received> seen{};
    // The Received and DKIM-Signature fields are counted first: each list is allocated once, at its
    // final size (capped), instead of grown field by field.
    std::size_t counts[2] = {0, 0};
    std::size_t last_listed = 0; // one past the last Received or DKIM-Signature field
    for (std::size_t i = 0; i < h.fields.size(); ++i) {
        const HeaderField& f = h.fields[i];
        const int k = k_original_index.find(f.name);
        if (k == received || k == dkim_signature) {
            ++counts[k - received];
            last_listed = i + 1;
        } else if (k >= 0 && !seen[k]) {
            seen[k] = true;
            first[k] = f.value;
        }
    }
    if (last_listed != 0) {
        o.received.reserve(o.received.size() + std::min(counts[0], k_max_received_fields));
        o.dkim_signatures.reserve(o.dkim_signatures.size() + std::min(counts[1], k_max_received_fields));
        for (std::size_t i = 0; i < last_listed; ++i) {
            const HeaderField& f = h.fields[i];
            const int k = k_original_index.find(f.name);
            if (k != received && k != dkim_signature) continue;
            auto& all = k == received ? o.received : o.dkim_signatures;
            if (all.size() < k_max_received_fields) all.emplace_back(f.value);
        }
    }
    o.message_id = std::string(trim(first[message_id]));
    o.from = decode_rfc2047(first[from]);
    o.to = decode_rfc2047(first[to]);
    o.subject = decode_rfc2047(first[subject]);
    o.date = std::string(trim(first[date]));
    o.return_path = std::string(trim(first[return_path]));
    const std::size_t end = find_two_newlines(block);
    o.raw_headers = std::string(block.substr(0, end == std::string_view::npos ? block.size() : end + 1));
}

void read_part_original(const Context& ctx, DeliveryReport& report) {
    if (report.original.present || ctx.original == nullptr) return;
    const MimePart& p = *ctx.original;
    if (!p.children.empty()) {
        read_inline_original(p.body, report);
        if (report.original.present) report.original.headers_only = false;
        return;
    }
    read_inline_original(p.body, report);
}

bool split_address_line(std::string_view line, std::string& addr, std::string_view& rest) {
    std::string_view t = trim(line);
    std::size_t end = 0;
    if (t.starts_with('"')) {
        const std::size_t q = t.find('"', 1);
        if (q == std::string_view::npos) return false;
        end = q + 1;
    } else if (t.starts_with('<')) {
        const std::size_t q = t.find('>');
        if (q == std::string_view::npos) return false;
        end = q + 1;
    } else {
        while (end < t.size() && t[end] != ' ' && t[end] != '\t')
            ++end;
    }
    std::string_view tok = t.substr(0, end);
    rest = t.substr(end);
    if (tok.ends_with(':'))
        tok.remove_suffix(1);
    else if (rest.starts_with(':'))
        rest.remove_prefix(1);
    if (!is_address_line(tok, &addr)) return false;
    rest = trim(rest);
    return true;
}

std::size_t indent_of(std::string_view line) {
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
        ++i;
    return i;
}

std::size_t parse_address_blocks(const Context& ctx, std::size_t begin, std::size_t end,
                                 std::string_view format, Action action, DeliveryReport& report,
                                 const BlockOptions& opt) {
    end = std::min(end, ctx.lines.size());
    std::size_t added = 0;
    // The open record's text grows line by line in the thread's buffer, which keeps its capacity
    // from one call to the next (no allocation per message for it) unless a long line grew it past
    // k_keep_bytes: then it is released on the way out.
    static constexpr std::size_t k_keep_bytes = 16 * 1024;
    thread_local std::string t_diag;
    struct Release {
        std::string& s;
        ~Release() {
            if (s.capacity() > k_keep_bytes) std::string().swap(s);
        }
    } release{t_diag};
    std::string& diag = t_diag;
    diag.clear();
    std::string addr;
    bool open = false, closed = false;
    // False once the report is full: nothing after that can add to it.
    auto flush = [&] {
        if (!open) return true;
        open = false;
        if (report_full(report)) return false;
        if (add_record(report, make_record(ctx, addr, diag, format, action))) ++added;
        return true;
    };
    std::string a; // the address of a line (swapped with `addr` when it opens a record: no copy)
    for (std::size_t i = begin; i < end; ++i) {
        const std::string_view line = ctx.lines[i];
        std::string_view rest;
        if (indent_of(line) <= opt.max_indent && split_address_line(line, a, rest) &&
            (!opt.bare_only || rest.empty())) {
            if (open && a == addr) {
                if (!closed) (diag += ' ') += rest;
                continue;
            }
            if (!flush()) return added;
            addr.swap(a);
            diag.assign(rest);
            open = true;
            closed = false;
            continue;
        }
        if (!open || closed) continue;
        if (trim(line).empty()) {
            if (opt.stop_at_blank && !trim(diag).empty()) closed = true;
            continue;
        }
        if (diag.size() < k_max_diagnostic_bytes) (diag += '\n') += line;
    }
    flush();
    return added;
}

// The markers and where each comes from: k_original_markers in needles.hpp. A line is a marker line
// when its text without leading blanks starts with one of them (ASCII case folded): index_text()
// records those lines.
std::size_t find_original_marker(const Context& ctx, std::size_t from) {
    const std::vector<std::uint32_t>& m = ctx.index.marker_lines;
    return first_at_or_after(m.data(), m.data() + m.size(), from);
}

void read_original_after(const Context& ctx, std::size_t marker, DeliveryReport& report) {
    std::size_t i = marker + 1;
    while (i < ctx.lines.size()) {
        const std::string_view t = trim(ctx.lines[i]);
        if (!t.empty() && t.find_first_not_of('-') != std::string_view::npos) break;
        ++i;
    }
    if (i < ctx.lines.size()) read_inline_original(text_from_line(ctx, i), report);
}

std::string_view text_from_line(const Context& ctx, std::size_t line) {
    if (line >= ctx.lines.size()) return {};
    const std::size_t off = static_cast<std::size_t>(ctx.lines[line].data() - ctx.text.data());
    return std::string_view(ctx.text).substr(off);
}

} // namespace ndr::classifiers::formats
