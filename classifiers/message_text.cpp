// message_text.cpp — part lookup and the human-readable notification text. See message_text.hpp.
#include "classifiers/message_text.hpp"

#include <algorithm>
#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers {
namespace {

const MimePart* find_if_part(const MimePart& p, auto&& pred) {
    if (pred(p)) return &p;
    if (is_original_type(p.content_type)) return nullptr;
    for (const auto& c : p.children)
        if (const MimePart* r = find_if_part(c, pred)) return r;
    return nullptr;
}

bool is_status_type(std::string_view t) {
    return t == "message/delivery-status" || t == "message/global-delivery-status" ||
           t == "message/feedback-report" || t == "message/disposition-notification";
}

void append_capped(std::string& out, std::string_view s) {
    if (out.size() >= k_max_text_part_bytes) return;
    if (!out.empty()) out += "\n\n";
    std::size_t room = k_max_text_part_bytes - std::min(out.size(), k_max_text_part_bytes);
    if (s.size() > room) {
        std::size_t k = room;
        while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
        s = s.substr(0, k);
    }
    out.append(s);
}

// The offset of the next '<' or '&' in h at or after `from` (h.size() when there is none): 16 bytes a
// step with SSE2.
std::size_t next_markup(std::string_view h, std::size_t from) {
    std::size_t i = from;
#if defined(__SSE2__)
    const __m128i lt = _mm_set1_epi8('<'), amp = _mm_set1_epi8('&');
    for (; i + 16 <= h.size(); i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h.data() + i));
        const int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, lt), _mm_cmpeq_epi8(x, amp)));
        if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
#endif
    while (i < h.size() && h[i] != '<' && h[i] != '&')
        ++i;
    return i;
}

void collect_text(const MimePart& p, std::string& out) {
    if (is_original_type(p.content_type) || is_status_type(p.content_type)) return;
    if (p.is_multipart()) {
        bool has_plain = false;
        for (const auto& c : p.children)
            if (c.content_type == "text/plain") has_plain = true;
        bool alternative = p.content_type == "multipart/alternative";
        for (const auto& c : p.children) {
            if (c.content_type == "text/html" && (has_plain && alternative)) continue;
            collect_text(c, out);
        }
        return;
    }
    if (p.content_type == "text/plain" || (p.content_type.starts_with("text/") && p.content_type != "text/html" &&
                                           p.content_type != "text/rfc822-headers")) {
        if (p.filename.empty() || p.depth == 0) append_capped(out, p.body);
        return;
    }
    if (p.content_type == "text/html") append_capped(out, html_to_text(p.body));
}

} // namespace

bool is_original_type(std::string_view t) {
    return t == "message/rfc822" || t == "message/global" || t == "message/rfc2822" || t == "text/rfc822-headers" ||
           t == "message/global-headers" || t == "message/partial";
}

const MimePart* find_part(const MimePart& root, std::string_view content_type) {
    return find_if_part(root, [&](const MimePart& p) { return p.content_type == content_type; });
}

const MimePart* find_original_part(const MimePart& root) {
    return find_if_part(root, [](const MimePart& p) { return is_original_type(p.content_type); });
}

std::string notification_text(const ParsedMessage& msg) {
    std::string out;
    collect_text(msg.root, out);
    return out;
}

void notification_text(const ParsedMessage& msg, std::string& out) {
    out.clear();
    collect_text(msg.root, out);
}

std::string html_to_text(std::string_view h) {
    std::string out;
    out.reserve(h.size() / 2);
    std::size_t i = 0;
    while (i < h.size()) {
        // Text up to the next tag or entity is copied as one run.
        const std::size_t run = next_markup(h, i);
        out.append(h.substr(i, run - i));
        i = run;
        if (i >= h.size()) break;
        char c = h[i];
        if (c == '<') {
            std::size_t close = h.find('>', i + 1);
            if (close == std::string_view::npos) break; // no '>' anywhere after: the rest is not markup
            std::string_view tag = h.substr(i + 1, close - i - 1);
            std::size_t k = 0;
            if (!tag.empty() && tag[0] == '/') k = 1;
            std::size_t e = k;
            while (e < tag.size() && ((tag[e] >= 'a' && tag[e] <= 'z') || (tag[e] >= 'A' && tag[e] <= 'Z') ||
                                      (tag[e] >= '0' && tag[e] <= '9')))
                ++e;
            // The tag name, compared without case (the names below are lower-case).
            const std::string_view name = tag.substr(k, e - k);
            i = close + 1;
            const bool script = iequals(name, "script");
            if (k == 0 && (script || iequals(name, "style"))) {
                std::size_t end = ifind(h, script ? "</script" : "</style", i);
                if (end == std::string_view::npos) break;
                std::size_t gt = h.find('>', end);
                i = gt == std::string_view::npos ? h.size() : gt + 1;
                continue;
            }
            if (iequals(name, "br") || iequals(name, "p") || iequals(name, "div") || iequals(name, "tr") ||
                iequals(name, "li") || iequals(name, "h1") || iequals(name, "h2") || iequals(name, "h3") ||
                iequals(name, "table") || iequals(name, "blockquote")) {
                out += '\n';
            } else if (iequals(name, "td") || iequals(name, "th")) {
                out += ' ';
            }
            continue;
        }
        if (c == '&') {
            std::size_t semi = h.substr(0, std::min(h.size(), i + 12)).find(';', i);
            if (semi != std::string_view::npos) {
                std::string_view ent = h.substr(i + 1, semi - i - 1);
                std::string rep;
                if (ent == "lt") rep = "<";
                else if (ent == "gt") rep = ">";
                else if (ent == "amp") rep = "&";
                else if (ent == "quot") rep = "\"";
                else if (ent == "apos") rep = "'";
                else if (ent == "nbsp") rep = " ";
                else if (ent.size() >= 2 && ent[0] == '#') {
                    std::uint32_t cp = 0;
                    bool hex = ent[1] == 'x' || ent[1] == 'X';
                    bool ok = ent.size() > (hex ? 2u : 1u);
                    for (std::size_t q = hex ? 2 : 1; q < ent.size() && ok; ++q) {
                        char d = ent[q];
                        int v = (d >= '0' && d <= '9') ? d - '0'
                                : hex && d >= 'a' && d <= 'f' ? d - 'a' + 10
                                : hex && d >= 'A' && d <= 'F' ? d - 'A' + 10
                                                              : -1;
                        if (v < 0) ok = false;
                        else cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
                        if (cp > 0x10FFFF) ok = false;
                    }
                    if (ok && cp >= 0x20 && !(cp >= 0xD800 && cp <= 0xDFFF)) {
                        if (cp < 0x80) rep += static_cast<char>(cp);
                        else if (cp < 0x800) {
                            rep += static_cast<char>(0xC0 | (cp >> 6));
                            rep += static_cast<char>(0x80 | (cp & 0x3F));
                        } else if (cp < 0x10000) {
                            rep += static_cast<char>(0xE0 | (cp >> 12));
                            rep += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                            rep += static_cast<char>(0x80 | (cp & 0x3F));
                        } else {
                            rep += static_cast<char>(0xF0 | (cp >> 18));
                            rep += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
                            rep += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                            rep += static_cast<char>(0x80 | (cp & 0x3F));
                        }
                    }
                }
                if (!rep.empty()) {
                    out += rep;
                    i = semi + 1;
                    continue;
                }
            }
        }
        out += c;
        ++i;
    }
    return out;
}

std::string_view cut_at_marker(std::string_view text, std::initializer_list<std::string_view> markers) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t start = pos;
        std::string_view line = trim(next_line(text, pos));
        for (std::string_view m : markers)
            if (istarts_with(line, m)) return text.substr(0, start);
    }
    return text;
}

} // namespace ndr::classifiers
