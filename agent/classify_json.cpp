// classify_json.cpp — one `classify --json` object per record. See classify_json.hpp.
#include "agent/classify_json.hpp"

#include "classifiers/text.hpp"

#include <array>
#include <charconv>

namespace ndr::agent {
namespace {

using classifiers::sanitise;

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

// Appends s escaped, from the first byte that needs an escape (`from` bytes before it need none).
void append_escaped(std::string& out, std::string_view s, std::size_t first) {
    std::size_t from = 0;
    for (std::size_t i = first; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if ((k_byte_class[c] & k_escape) == 0) continue;
        out.append(s.data() + from, i - from);
        from = i + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default: {
            static constexpr char k_hex[] = "0123456789abcdef";
            const char u[6] = {'\\', 'u', '0', '0', k_hex[c >> 4], k_hex[c & 0xF]};
            out.append(u, 6);
        }
        }
    }
    out.append(s.data() + from, s.size() - from);
}

// A JSON string literal, escaped as nlohmann::json::dump() does with ensure_ascii off. The values are
// sanitised (valid UTF-8, no control characters), so only '"' and '\\' occur in practice; the control
// character escapes are kept for safety.
void append_string(std::string& out, std::string_view s) {
    out += '"';
    std::size_t i = 0;
    while (i < s.size() && (k_byte_class[static_cast<unsigned char>(s[i])] & k_escape) == 0)
        ++i;
    if (i == s.size())
        out.append(s);
    else
        append_escaped(out, s, i);
    out += '"';
}

void append_sanitised(std::string& out, std::string_view s, std::size_t cap) {
    // Most values come out of sanitise() unchanged (printable ASCII, single spaces between words,
    // within the cap: is_sanitised()): those are escaped without the copy, in the same pass that
    // checks them.
    if (s.size() <= cap && (s.empty() || (s.front() != ' ' && s.back() != ' '))) {
        unsigned char seen = 0;
        std::size_t first_escape = s.size();
        bool double_space = false;
        for (std::size_t i = 0; i < s.size(); ++i) {
            const unsigned char k = k_byte_class[static_cast<unsigned char>(s[i])];
            if (k != 0 && (k & k_escape) != 0 && first_escape == s.size()) first_escape = i;
            seen |= k;
            if (s[i] == ' ' && s[i - 1] == ' ') double_space = true;
        }
        if ((seen & k_unsanitised) == 0 && !double_space) {
            out += '"';
            if (first_escape == s.size())
                out.append(s);
            else
                append_escaped(out, s, first_escape);
            out += '"';
            return;
        }
    }
    append_string(out, sanitise(s, cap));
}

// A sanitised string, or null when empty (before sanitising, as before).
void append_str_or_null(std::string& out, std::string_view s, std::size_t cap = 512) {
    if (s.empty())
        out += "null";
    else
        append_sanitised(out, s, cap);
}

template <class N> void append_number(std::string& out, N n) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, ec == std::errc() ? end : buf);
}

void append_bool(std::string& out, bool b) {
    out += b ? "true" : "false";
}

} // namespace

void append_record_json(std::string& out, const std::string& source, std::size_t index,
                        const classifiers::DeliveryReport& rep, const classifiers::RecipientRecord* r) {
    // Keys in byte order of their names (the order nlohmann::json's std::map printed them in).
    out += "{\"action\":";
    if (r)
        append_str_or_null(out, to_string(r->action));
    else
        out += "null";
    out += ",\"anomalies\":[";
    for (std::size_t i = 0; i < rep.anomalies.size(); ++i) {
        if (i) out += ',';
        append_sanitised(out, rep.anomalies[i], 64);
    }
    out += "],\"diagnostic\":";
    if (r)
        append_str_or_null(out, r->diagnostic, 4096);
    else
        out += "null";
    out += ",\"format\":";
    append_str_or_null(out,
                       r && !r->format.empty() ? std::string_view(r->format) : std::string_view(rep.format));
    out += ",\"hard\":";
    append_bool(out, r ? r->verdict.hard : false);
    out += ",\"kind\":";
    append_string(out, to_string(rep.kind));
    out += ",\"lists\":[";
    if (r) {
        bool first = true;
        for (const auto& h : r->verdict.lists) {
            if (!first) out += ',';
            first = false;
            out += "{\"evidence\":";
            append_sanitised(out, h.evidence, 1024);
            out += ",\"id\":";
            append_sanitised(out, h.id, 128);
            out += ",\"listed\":";
            append_str_or_null(out, h.listed, 256);
            out += ",\"rule\":";
            append_sanitised(out, h.rule, 128);
            out += '}';
        }
    }
    out += "],\"message\":";
    append_number(out, index);
    out += ",\"original_recipient\":";
    if (r)
        append_str_or_null(out, r->original_recipient);
    else
        out += "null";
    out += ",\"provider\":";
    if (r)
        append_str_or_null(out, r->verdict.provider, 128);
    else
        out += "null";
    out += ",\"reason\":";
    if (r)
        append_string(out, to_string(r->verdict.reason));
    else
        out += "null";
    out += ",\"receiver_resolver_error\":";
    append_bool(out, r ? r->verdict.receiver_resolver_error : false);
    out += ",\"recipient\":";
    if (r)
        append_str_or_null(out, r->final_recipient);
    else
        out += "null";
    out += ",\"remote_mta\":";
    if (r)
        append_str_or_null(out, r->remote_mta);
    else
        out += "null";
    out += ",\"reply_code\":";
    if (r && r->reply_code != 0)
        append_number(out, r->reply_code);
    else
        out += "null";
    out += ",\"reporting_mta\":";
    append_str_or_null(out, rep.reporting_mta);
    out += ",\"source\":";
    append_sanitised(out, source, 1024);
    out += ",\"status\":";
    if (r)
        append_str_or_null(out, r->status, 16);
    else
        out += "null";
    out += '}';
}

nlohmann::json record_json(const std::string& source, std::size_t index,
                           const classifiers::DeliveryReport& rep, const classifiers::RecipientRecord* r) {
    std::string text;
    append_record_json(text, source, index, rep, r);
    return nlohmann::json::parse(text);
}

} // namespace ndr::agent
