// mime.hpp — the MIME tree of one message, decoded for the format parsers.
//
// Input: raw RFC 5322 bytes, any line endings, attacker-controlled. parse_mime() never throws and
// never fails: it returns what it could read and records anomalies (report.hpp) for the rest. Caps
// from limits.hpp: header bytes and fields, line length, depth, part count, decoded text size.
#pragma once

#include <string>
#include <utility>
#include <string_view>
#include <vector>

namespace ndr::classifiers {

struct HeaderField {
    std::string name;  // as written (case kept); compare with iequals()
    std::string value; // unfolded, raw (RFC 2047 words NOT decoded; use decoded_value())
};

struct Headers {
    std::vector<HeaderField> fields;

    // First field with that name (case-insensitive), or empty.
    std::string_view get(std::string_view name) const;
    // Every field with that name, in order.
    std::vector<std::string_view> get_all(std::string_view name) const;
    bool has(std::string_view name) const;
    // First field's value with RFC 2047 encoded words decoded to UTF-8.
    std::string decoded(std::string_view name) const;
};

struct MimePart {
    Headers headers;
    std::string content_type = "text/plain"; // lower-case type/subtype; default per RFC 2045
    std::string charset;                     // lower-case, from the Content-Type parameter
    std::string boundary;                    // for multipart/*
    std::string report_type;                 // for multipart/report (lower-case)
    std::string filename;                    // from Content-Disposition or the name parameter
    // Body: for text/* and message/delivery-status, message/global-delivery-status,
    // message/feedback-report, text/rfc822-headers: transfer-decoded and converted to UTF-8 with LF
    // line endings. For message/rfc822: the embedded message's raw bytes (LF). Others: transfer-decoded.
    std::string body;
    // multipart/*: the parts; message/rfc822 and message/global: one child, the embedded message
    // (its headers in children[0].headers).
    std::vector<MimePart> children;
    int depth = 0;

    bool is_multipart() const { return content_type.starts_with("multipart/"); }
    bool is_text() const { return content_type.starts_with("text/"); }
};

struct ParsedMessage {
    MimePart root; // root.headers are the message's top-level headers
    std::vector<std::string> anomalies;
};

// Parse a whole message. The input should already have LF line endings (see normalise_newlines()).
ParsedMessage parse_mime(std::string_view raw);

// Parse only a header block (up to the first empty line); used for text/rfc822-headers parts.
Headers parse_headers(std::string_view block, std::vector<std::string>* anomalies = nullptr);

// A structured header value "type/subtype; name=value; ...": type lower-cased (empty when the value
// has no "/"), parameter names lower-cased, values unquoted and, for RFC 2231 (name*, name*0*, ...),
// re-assembled, percent-decoded and converted to UTF-8. RFC 2047 words in values are decoded too.
struct ContentType {
    std::string type;
    std::vector<std::pair<std::string, std::string>> params;
    // Value of the first parameter of that name (case-insensitive), or empty.
    std::string_view param(std::string_view name) const;
};
ContentType parse_content_type(std::string_view value);

// Transfer decoders: lenient (they decode what they can), and set *bad when the input was malformed
// (base64: characters outside the alphabet, data after padding, a dangling 6-bit group; QP: "=" not
// followed by two hex digits or a line break).
std::string decode_base64(std::string_view s, bool* bad = nullptr);
std::string decode_quoted_printable(std::string_view s, bool* bad = nullptr);

// Visit every part depth-first, parents before children.
template <class F> void for_each_part(const MimePart& p, F&& f) {
    f(p);
    for (const auto& c : p.children) for_each_part(c, f);
}

} // namespace ndr::classifiers
