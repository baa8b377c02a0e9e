// mime.cpp — our own MIME walker for NDRs: headers, multipart splitting, transfer and charset decoding.
//
// Why not vmime here: the corpus benchmark wants >= 50x Sisimai's messages per second on one core
// (about 50,000 messages/s), and vmime builds a heap node per header, per parameter and per part,
// copies bodies through its stream classes and reports malformed input by throwing. On this path we
// also need our own caps (limits.hpp) and anomaly tokens rather than exceptions. So this parser works
// on string_views into one LF-normalised buffer, allocates only for header values and decoded bodies,
// and never throws on bad input. vmime stays in the agent for IMAP, where it is the transport.
//
// Input trust: none. Caps: k_max_header_bytes, k_max_header_fields, k_max_line_bytes,
// k_max_mime_depth, k_max_mime_parts, k_max_text_part_bytes. Over a cap: keep what was read, add the
// anomaly, carry on. Everything is linear in the input except nesting, which the depth cap bounds.
#include "classifiers/mime.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers {
namespace {

struct Ctx {
    std::vector<std::string>* anomalies;
    std::size_t parts = 0;
    void add(std::string_view a) {
        if (!anomalies) return;
        if (std::find(anomalies->begin(), anomalies->end(), a) == anomalies->end()) anomalies->emplace_back(a);
    }
};

bool is_field_name_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 33 && u <= 126 && c != ':';
}

// Parses the header block at the start of `text`. Returns the offset where the body starts.
std::size_t parse_header_block(std::string_view text, Headers& h, Ctx& ctx) {
    std::size_t pos = 0;
    std::size_t bytes = 0;
    bool over_bytes = false, over_fields = false, first = true;
    HeaderField* cur = nullptr;
    bool cur_capped = false;
    // The blanks after the colon are not stored (finish_headers() would trim them, moving the whole
    // value), but they count towards k_max_line_bytes as before: cur_lead of them in `cur`.
    std::size_t cur_lead = 0;
    // 16 fields are 1 KiB, the most malloc's per-thread cache serves: a larger first block took the
    // slow path, often consolidating the free lists, and most blocks (parts, returned headers) are short.
    h.fields.reserve(16);
    while (pos < text.size()) {
        std::size_t line_start = pos;
        std::size_t nl = text.find('\n', pos);
        std::size_t end = nl == std::string_view::npos ? text.size() : nl;
        std::string_view line = text.substr(pos, end - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) return pos;
        bytes += line.size() + 1;
        if (!over_bytes && bytes > k_max_header_bytes) {
            over_bytes = true;
            ctx.add("header-too-large");
            cur = nullptr;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            if (cur && !over_bytes) {
                const std::size_t have = cur_lead + cur->value.size();
                if (have + line.size() > k_max_line_bytes) {
                    if (!cur_capped) ctx.add("line-too-long");
                    cur_capped = true;
                    std::size_t room = k_max_line_bytes > have ? k_max_line_bytes - have : 0;
                    cur->value.append(line.substr(0, room));
                } else {
                    cur->value.append(line);
                }
            }
            first = false;
            continue;
        }
        std::size_t colon = line.find(':');
        std::string_view name = colon == std::string_view::npos ? std::string_view{} : line.substr(0, colon);
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
        bool valid = !name.empty() && std::all_of(name.begin(), name.end(), is_field_name_char);
        if (!valid) {
            // An mbox separator or a quoted ">From " line before the headers: skip it.
            if ((first && line.starts_with("From ")) || line.starts_with(">From ")) {
                first = false;
                continue;
            }
            // Not a header: the body starts here (the blank line was missing).
            return line_start;
        }
        first = false;
        if (over_bytes) continue;
        if (h.fields.size() >= k_max_header_fields) {
            if (!over_fields) ctx.add("too-many-header-fields");
            over_fields = true;
            cur = nullptr;
            continue;
        }
        std::string_view value = line.substr(colon + 1);
        cur_capped = false;
        if (value.size() > k_max_line_bytes) {
            ctx.add("line-too-long");
            cur_capped = true;
            value = value.substr(0, k_max_line_bytes);
        }
        std::size_t lead = 0; // blanks that trim() removes in any case
        while (lead < value.size() && (value[lead] == ' ' || value[lead] == '\t'))
            ++lead;
        h.fields.push_back(HeaderField{std::string(name), std::string(value.substr(lead))});
        cur = &h.fields.back();
        cur_lead = lead;
    }
    return text.size();
}

void finish_headers(Headers& h) {
    // Trimmed in place: nearly every value starts with the blank after the colon, and a copy was one
    // allocation per header field.
    for (auto& f : h.fields) {
        std::string_view t = trim(f.value);
        if (t.size() == f.value.size()) continue;
        const auto lead = static_cast<std::size_t>(t.data() - f.value.data());
        f.value.resize(lead + t.size());
        f.value.erase(0, lead);
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string pct_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            int h = hex_value(s[i + 1]), l = hex_value(s[i + 2]);
            if (h >= 0 && l >= 0) {
                out += static_cast<char>(h * 16 + l);
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

// Removes RFC 5322 comments outside quoted strings (bounded nesting).
std::string strip_comments(std::string_view v) {
    if (v.find('(') == std::string_view::npos) return std::string(v);
    std::string out;
    out.reserve(v.size());
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < v.size(); ++i) {
        char c = v[i];
        if (quoted) {
            out += c;
            if (c == '\\' && i + 1 < v.size()) out += v[++i];
            else if (c == '"') quoted = false;
            continue;
        }
        if (depth == 0 && c == '"') {
            quoted = true;
            out += c;
            continue;
        }
        if (c == '(') {
            ++depth;
            continue;
        }
        if (c == ')' && depth > 0) {
            --depth;
            continue;
        }
        if (depth == 0) out += c;
    }
    return out;
}

void set_text_body(MimePart& part, std::string_view decoded, std::string_view charset, Ctx& ctx) {
    std::string_view src = decoded;
    bool truncated = false;
    if (src.size() > k_max_text_part_bytes) {
        src = src.substr(0, k_max_text_part_bytes);
        truncated = true;
    }
    bool unknown = false;
    part.body = to_utf8(src, charset, &unknown);
    if (unknown) ctx.add("unknown-charset");
    if (part.body.size() > k_max_text_part_bytes) {
        std::size_t k = k_max_text_part_bytes;
        while (k > 0 && (static_cast<unsigned char>(part.body[k]) & 0xC0) == 0x80) --k;
        part.body.resize(k);
        truncated = true;
    }
    if (truncated) ctx.add("part-truncated");
}

// Finds the delimiter line "--boundary" (optionally "--boundary--") starting at a line start at or
// after `from`; `nl_delim` is "\n--boundary". Returns its offset; sets line_end (offset after its
// '\n') and is_close.
std::size_t find_delimiter(std::string_view body, std::string_view nl_delim, std::size_t from, std::size_t& line_end,
                           bool& is_close) {
    // Candidates are line starts only: search for "\n--boundary" and check the very start of the body
    // separately. memmem (two-way) is linear in the body whatever it holds, and skips ahead faster than
    // a memchr per line.
    const std::string_view delim = nl_delim.substr(1);
    std::size_t p = from;
    while (p <= body.size()) {
        std::size_t q;
        if (p == 0 && body.starts_with(delim)) {
            q = 0;
        } else {
            const std::size_t at = p == 0 ? 0 : p - 1;
            if (body.size() - at < nl_delim.size()) return std::string_view::npos;
            const void* hit = memmem(body.data() + at, body.size() - at, nl_delim.data(), nl_delim.size());
            if (hit == nullptr) return std::string_view::npos;
            q = static_cast<std::size_t>(static_cast<const char*>(hit) - body.data()) + 1;
        }
        {
            std::size_t e = q + delim.size();
            bool close = false;
            if (body.substr(e, 2) == "--") {
                close = true;
                e += 2;
            }
            std::size_t k = e;
            while (k < body.size() && (body[k] == ' ' || body[k] == '\t' || body[k] == '\r')) ++k;
            if (k >= body.size() || body[k] == '\n') {
                line_end = k >= body.size() ? body.size() : k + 1;
                is_close = close;
                return q;
            }
        }
        p = q + 1;
    }
    return std::string_view::npos;
}

// A missing boundary parameter: take the first "--xyz" line of the body, as mail readers do.
std::string guess_boundary(std::string_view body) {
    std::size_t pos = 0;
    std::size_t lines = 0;
    while (pos < body.size() && lines < 200) {
        std::string_view line = next_line(body, pos);
        ++lines;
        if (line.size() > 2 && line.starts_with("--")) {
            std::string_view b = trim(line.substr(2));
            if (b.ends_with("--")) b.remove_suffix(2);
            if (!b.empty() && b.size() <= 200) return std::string(b);
        }
    }
    return {};
}

void parse_entity(std::string_view raw, MimePart& part, int depth, Ctx& ctx);

void parse_multipart(std::string_view body, MimePart& part, int depth, Ctx& ctx) {
    if (part.boundary.empty()) {
        ctx.add("missing-boundary");
        part.boundary = guess_boundary(body);
    }
    std::string delim = "\n--" + part.boundary; // with the line break before it (find_delimiter)
    std::size_t line_end = 0;
    bool is_close = false;
    std::size_t d = part.boundary.empty() ? std::string_view::npos : find_delimiter(body, delim, 0, line_end, is_close);
    if (d == std::string_view::npos && !part.boundary.empty()) {
        // The declared boundary is not in the body (a relay rewrote one of them): use the one the body has.
        std::string guessed = guess_boundary(body);
        if (!guessed.empty() && guessed != part.boundary) {
            ctx.add("missing-boundary");
            part.boundary = std::move(guessed);
            delim = "\n--" + part.boundary;
            d = find_delimiter(body, delim, 0, line_end, is_close);
        }
    }
    if (d == std::string_view::npos) {
        // Declared multipart, but no delimiter in the body: keep the body as text for the formats.
        if (!part.boundary.empty()) ctx.add("missing-boundary");
        MimePart child;
        child.depth = depth + 1;
        child.content_type = "text/plain";
        set_text_body(child, body, "", ctx);
        part.children.push_back(std::move(child));
        return;
    }
    while (!is_close) {
        std::size_t start = line_end;
        std::size_t next_end = 0;
        bool next_close = false;
        std::size_t next = find_delimiter(body, delim, start, next_end, next_close);
        std::size_t stop = next == std::string_view::npos ? body.size() : next;
        std::string_view content = body.substr(start, stop - start);
        // The line break before a delimiter belongs to the delimiter.
        if (next != std::string_view::npos && !content.empty() && content.back() == '\n') content.remove_suffix(1);
        if (next == std::string_view::npos) ctx.add("unterminated-multipart");
        if (ctx.parts >= k_max_mime_parts) {
            ctx.add("too-many-parts");
            return;
        }
        if (next == std::string_view::npos && trim(content).empty()) return;
        MimePart child;
        if (part.content_type == "multipart/digest") child.content_type = "message/rfc822";
        parse_entity(content, child, depth + 1, ctx);
        part.children.push_back(std::move(child));
        if (next == std::string_view::npos) return;
        line_end = next_end;
        is_close = next_close;
    }
}

void parse_entity(std::string_view raw, MimePart& part, int depth, Ctx& ctx) {
    ++ctx.parts;
    part.depth = depth;
    std::size_t body_at = parse_header_block(raw, part.headers, ctx);
    finish_headers(part.headers);
    std::string_view body = raw.substr(std::min(body_at, raw.size()));

    if (std::string_view ct = part.headers.get("Content-Type"); !ct.empty()) {
        ContentType t = parse_content_type(ct);
        if (!t.type.empty()) part.content_type = t.type;
        part.charset = to_lower_ascii(t.param("charset"));
        part.boundary = std::string(t.param("boundary"));
        part.report_type = to_lower_ascii(t.param("report-type"));
        part.filename = std::string(t.param("name"));
    }
    if (std::string_view cd = part.headers.get("Content-Disposition"); !cd.empty()) {
        ContentType d = parse_content_type(std::string("x/") + std::string(cd));
        if (std::string_view fn = d.param("filename"); !fn.empty()) part.filename = std::string(fn);
    }

    const std::string& type = part.content_type;
    if (part.is_multipart()) {
        if (static_cast<std::size_t>(depth) + 1 > k_max_mime_depth) {
            ctx.add("mime-too-deep");
            set_text_body(part, body, "", ctx);
            return;
        }
        parse_multipart(body, part, depth, ctx);
        return;
    }

    // Compared in place (a copy without comments only when there is one): "quoted-printable" is one
    // byte too long for the short-string buffer, so the lower-cased copy was an allocation per part.
    std::string_view cte = part.headers.get("Content-Transfer-Encoding");
    std::string cte_store;
    if (cte.find('(') != std::string_view::npos) {
        cte_store = strip_comments(cte);
        cte = cte_store;
    }
    cte = trim(cte);
    std::string decoded_store;
    std::string_view decoded = body;
    if (iequals(cte, "base64")) {
        bool bad = false;
        decoded_store = decode_base64(body, &bad);
        if (bad) ctx.add("bad-base64");
        decoded = decoded_store;
    } else if (iequals(cte, "quoted-printable")) {
        bool bad = false;
        decoded_store = decode_quoted_printable(body, &bad);
        if (bad) ctx.add("bad-quoted-printable");
        decoded = decoded_store;
    }

    if (type == "message/rfc822" || type == "message/global" || type == "message/rfc2822" ||
        type == "message/partial" || type == "message/news") {
        part.body.assign(decoded);
        if (static_cast<std::size_t>(depth) + 1 > k_max_mime_depth) {
            ctx.add("mime-too-deep");
            return;
        }
        if (ctx.parts >= k_max_mime_parts) {
            ctx.add("too-many-parts");
            return;
        }
        MimePart child;
        parse_entity(part.body, child, depth + 1, ctx);
        part.children.push_back(std::move(child));
        return;
    }
    if (type == "message/global-delivery-status" || type == "message/global-headers") {
        set_text_body(part, decoded, "utf-8", ctx);
        return;
    }
    if (part.is_text() || type.starts_with("message/")) {
        set_text_body(part, decoded, part.charset, ctx);
        return;
    }
    // Binary attachments: the formats never read them beyond the cap.
    if (decoded.size() > k_max_text_part_bytes) {
        decoded = decoded.substr(0, k_max_text_part_bytes);
        ctx.add("part-truncated");
    }
    part.body.assign(decoded);
}

} // namespace

std::string_view Headers::get(std::string_view name) const {
    for (const auto& f : fields)
        if (iequals(f.name, name)) return f.value;
    return {};
}

std::vector<std::string_view> Headers::get_all(std::string_view name) const {
    std::vector<std::string_view> out;
    for (const auto& f : fields)
        if (iequals(f.name, name)) out.emplace_back(f.value);
    return out;
}

bool Headers::has(std::string_view name) const {
    for (const auto& f : fields)
        if (iequals(f.name, name)) return true;
    return false;
}

std::string Headers::decoded(std::string_view name) const { return decode_rfc2047(get(name)); }

std::string_view ContentType::param(std::string_view name) const {
    for (const auto& [k, v] : params)
        if (iequals(k, name)) return v;
    return {};
}

ContentType parse_content_type(std::string_view value_in) {
    ContentType ct;
    // A copy only when there is a comment to take out.
    std::string stripped;
    std::string_view v = value_in;
    if (v.find('(') != std::string_view::npos) {
        stripped = strip_comments(v);
        v = stripped;
    }
    std::size_t semi = v.find(';');
    std::string_view type = trim(v.substr(0, semi));
    if (type.find('/') != std::string_view::npos && type.size() < 256) {
        std::string t = to_lower_ascii(type);
        t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == ' ' || c == '\t' || c == '"'; }), t.end());
        ct.type = std::move(t);
    }
    if (semi == std::string_view::npos) return ct;

    struct Section {
        std::string name;
        int index;
        bool extended;
        std::string value;
    };
    std::vector<Section> sections;
    std::size_t i = semi + 1;
    std::size_t count = 0;
    while (i < v.size() && count < 64) {
        ++count;
        while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == ';' || v[i] == '\n')) ++i;
        std::size_t eq = v.find('=', i);
        std::size_t next_semi = v.find(';', i);
        if (eq == std::string_view::npos || (next_semi != std::string_view::npos && next_semi < eq)) {
            if (next_semi == std::string_view::npos) break;
            i = next_semi + 1;
            continue;
        }
        std::string name = to_lower_ascii(trim(v.substr(i, eq - i)));
        i = eq + 1;
        while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
        std::string val;
        if (i < v.size() && v[i] == '"') {
            ++i;
            while (i < v.size() && v[i] != '"') {
                if (v[i] == '\\' && i + 1 < v.size()) ++i;
                val += v[i++];
            }
            if (i < v.size()) ++i;
            std::size_t ns = v.find(';', i);
            i = ns == std::string_view::npos ? v.size() : ns + 1;
        } else {
            std::size_t ns = v.find(';', i);
            std::size_t e = ns == std::string_view::npos ? v.size() : ns;
            val = std::string(trim(v.substr(i, e - i)));
            i = ns == std::string_view::npos ? v.size() : ns + 1;
        }
        // RFC 2231: name*N*, name*N, name*
        Section s{name, -1, false, std::move(val)};
        std::size_t star = name.find('*');
        if (star != std::string::npos) {
            std::string base = name.substr(0, star);
            std::string_view rest = std::string_view(name).substr(star + 1);
            if (rest.empty()) {
                s.extended = true;
                s.index = 0;
            } else {
                bool ext = rest.ends_with('*');
                if (ext) rest.remove_suffix(1);
                int idx = 0;
                bool digits = !rest.empty() && rest.size() < 4;
                for (char c : rest) {
                    if (!digits) break;
                    if (c < '0' || c > '9') digits = false;
                    else idx = idx * 10 + (c - '0');
                }
                if (!digits) continue;
                s.index = idx;
                s.extended = ext;
            }
            s.name = base;
        }
        sections.push_back(std::move(s));
    }
    // Plain parameters first (first one wins), then RFC 2231 ones override them. The plain sections
    // are not read again: their strings move.
    for (auto& s : sections) {
        if (s.index >= 0) continue;
        if (!ct.param(s.name).empty()) continue;
        std::string val = std::move(s.value);
        if (val.find("=?") != std::string::npos) val = decode_rfc2047(val);
        ct.params.emplace_back(std::move(s.name), std::move(val));
    }
    std::vector<std::string> done;
    for (const auto& s : sections) {
        if (s.index < 0 || std::find(done.begin(), done.end(), s.name) != done.end()) continue;
        done.push_back(s.name);
        std::vector<const Section*> parts;
        for (const auto& t : sections)
            if (t.index >= 0 && t.name == s.name) parts.push_back(&t);
        std::stable_sort(parts.begin(), parts.end(), [](auto* a, auto* b) { return a->index < b->index; });
        std::string charset;
        std::string bytes;
        bool first = true;
        for (const Section* p : parts) {
            std::string_view val = p->value;
            if (p->extended) {
                if (first) {
                    std::size_t q1 = val.find('\'');
                    std::size_t q2 = q1 == std::string_view::npos ? q1 : val.find('\'', q1 + 1);
                    if (q2 != std::string_view::npos) {
                        charset = std::string(val.substr(0, q1));
                        val = val.substr(q2 + 1);
                    }
                }
                bytes += pct_decode(val);
            } else {
                bytes += val;
            }
            first = false;
        }
        std::string decoded = to_utf8(bytes, charset);
        auto it = std::find_if(ct.params.begin(), ct.params.end(), [&](auto& kv) { return kv.first == s.name; });
        if (it != ct.params.end()) it->second = std::move(decoded);
        else ct.params.emplace_back(s.name, std::move(decoded));
    }
    return ct;
}

std::string decode_base64(std::string_view s, bool* bad) {
    static constexpr auto k_table = [] {
        std::array<std::int8_t, 256> t{};
        for (auto& x : t) x = -1;
        const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(a[i])] = static_cast<std::int8_t>(i);
        t[static_cast<unsigned char>(' ')] = -2;
        t[static_cast<unsigned char>('\t')] = -2;
        t[static_cast<unsigned char>('\r')] = -2;
        t[static_cast<unsigned char>('\n')] = -2;
        t[static_cast<unsigned char>('=')] = -3;
        return t;
    }();
    // Written through a pointer into a buffer sized for the most the input can decode to (three bytes
    // per four characters, two for a last short group), then cut to what was written.
    std::string out(s.size() / 4 * 3 + 3, '\0');
    char* w = out.data();
    std::uint32_t acc = 0;
    int n = 0;
    bool malformed = false, padded = false, pad_block_start = false;
    for (char ch : s) {
        std::int8_t v = k_table[static_cast<unsigned char>(ch)];
        if (v == -2) continue;
        if (v == -3) {
            // Padding ends the group: flush what it holds (concatenated blocks decode on after it).
            if (n == 2)
                *w++ = static_cast<char>((acc >> 4) & 0xFF);
            else if (n == 3) {
                *w++ = static_cast<char>((acc >> 10) & 0xFF);
                *w++ = static_cast<char>((acc >> 2) & 0xFF);
            } else if (n == 1) {
                malformed = true;
            }
            acc = 0;
            n = 0;
            padded = true;
            continue;
        }
        if (v < 0) {
            malformed = true;
            continue;
        }
        if (padded) {
            // Data after padding: fine when a new 4-character block starts, noted otherwise.
            padded = false;
            pad_block_start = true;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        if (++n == 4) {
            *w++ = static_cast<char>((acc >> 16) & 0xFF);
            *w++ = static_cast<char>((acc >> 8) & 0xFF);
            *w++ = static_cast<char>(acc & 0xFF);
            acc = 0;
            n = 0;
        }
    }
    if (n == 1) malformed = true;
    // A short trailing group right after padding: data after the end of the encoded text.
    if (pad_block_start && n != 0) malformed = true;
    if (n == 1) {
    } else if (n == 2)
        *w++ = static_cast<char>((acc >> 4) & 0xFF);
    else if (n == 3) {
        *w++ = static_cast<char>((acc >> 10) & 0xFF);
        *w++ = static_cast<char>((acc >> 2) & 0xFF);
    }
    out.resize(static_cast<std::size_t>(w - out.data()));
    if (bad) *bad = malformed;
    return out;
}

std::string decode_quoted_printable(std::string_view s, bool* bad) {
    std::string out;
    out.reserve(s.size());
    bool malformed = false;
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        std::size_t eq = s.find('=', i);
        if (eq == std::string_view::npos) {
            out.append(s.substr(i));
            break;
        }
        out.append(s.substr(i, eq - i));
        i = eq + 1;
        // Soft line break: "=" then optional trailing whitespace then a line break (or the end).
        std::size_t k = i;
        while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r')) ++k;
        if (k >= n) {
            i = n;
            break;
        }
        if (s[k] == '\n') {
            i = k + 1;
            continue;
        }
        if (i + 1 < n) {
            int h = hex_value(s[i]), l = hex_value(s[i + 1]);
            if (h >= 0 && l >= 0) {
                out += static_cast<char>(h * 16 + l);
                i += 2;
                continue;
            }
        }
        malformed = true;
        out += '=';
    }
    if (bad) *bad = malformed;
    return out;
}

ParsedMessage parse_mime(std::string_view raw) {
    ParsedMessage msg;
    Ctx ctx{&msg.anomalies};
    parse_entity(raw, msg.root, 0, ctx);
    return msg;
}

Headers parse_headers(std::string_view block, std::vector<std::string>* anomalies) {
    Headers h;
    Ctx ctx{anomalies};
    parse_header_block(block, h, ctx);
    finish_headers(h);
    return h;
}

} // namespace ndr::classifiers
