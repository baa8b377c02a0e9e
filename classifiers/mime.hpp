// mime.hpp — the MIME tree of one message, decoded for the format parsers.
//
// Input: raw RFC 5322 bytes, any line endings, attacker-controlled. parse_mime() never throws and
// never fails: it returns what it could read and records anomalies (report.hpp) for the rest. Caps
// from limits.hpp: header bytes and fields, line length, depth, part count, decoded text size.
//
// The tree is views: header names and values, content types, parameters and bodies point into the
// message text where they can be read from it as they stand (most of them), and into the message's
// TextArena where they had to be unfolded, decoded, lower-cased or converted. A ParsedMessage keeps
// its arena (and, from parse_mime(), its own copy of the input) alive; a copy of it shares them.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ndr::classifiers {

// Bump allocator for the bytes a parsed message owns: blocks are allocated as needed and freed
// together; nothing moves once written, so views into it stay valid while the arena lives. Small
// requests share 16 KiB blocks (each thread keeps a few freed ones for its next arena); a request
// over 4 KiB gets a block of its own.
class TextArena {
  public:
    TextArena() = default;
    TextArena(const TextArena&) = delete;
    TextArena& operator=(const TextArena&) = delete;
    ~TextArena();

    // n bytes of uninitialised room.
    char* allocate(std::size_t n);
    // Gives back the end of the last allocation `p` (of at least `used` bytes): only `used` are kept.
    void shrink_last(const char* p, std::size_t used);
    // n bytes of uninitialised room at a multiple of align (a power of two up to 16).
    void* allocate_aligned(std::size_t n, std::size_t align);
    // A copy of s.
    std::string_view copy(std::string_view s);
    // Bytes held in blocks (for tests).
    std::size_t capacity() const { return m_capacity; }

    struct Block; // (mime.cpp)

  private:
    Block* m_blocks = nullptr;
    char* m_next = nullptr;
    std::size_t m_left = 0;
    std::size_t m_capacity = 0;
    char* m_last = nullptr; // the last allocation, for shrink_last()
};

struct HeaderField {
    std::string_view name;  // as written (case kept); compare with iequals()
    std::string_view value; // unfolded, trimmed, raw (RFC 2047 words NOT decoded; use Headers::decoded())
};

// The fields of a header block, in order: read like a vector. Those of a ParsedMessage's parts live
// in the message's arena (no allocation of their own; a copy shares them, like the tree's views);
// those of parse_headers() in memory of their own (a copy copies them).
class HeaderFields {
  public:
    HeaderFields() = default;
    HeaderFields(const HeaderFields& other);
    HeaderFields(HeaderFields&& other) noexcept;
    HeaderFields& operator=(HeaderFields other) noexcept;
    ~HeaderFields();

    const HeaderField* begin() const { return m_data; }
    const HeaderField* end() const { return m_data + m_size; }
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    const HeaderField& operator[](std::size_t i) const { return m_data[i]; }

    // Appends f: the array grows in `arena` when it is given, else in memory of its own.
    void push_back(const HeaderField& f, TextArena* arena) {
        if (m_size == m_capacity) [[unlikely]]
            grow(arena);
        m_data[m_size++] = f;
    }
    // Field i, to change its value while the block is read.
    HeaderField& edit(std::size_t i) { return m_data[i]; }

  private:
    void grow(TextArena* arena);

    HeaderField* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
    bool m_owned = false; // m_data is ours to free (not in an arena)
};

struct Headers {
    HeaderFields fields;
    // Holds the unfolded values of a block read by parse_headers() (the parts of a ParsedMessage use
    // the message's arena instead; unset when no value needed unfolding).
    std::shared_ptr<TextArena> storage;

    // First field with that name (case-insensitive), or empty.
    std::string_view get(std::string_view name) const;
    // Every field with that name, in order.
    std::vector<std::string_view> get_all(std::string_view name) const;
    bool has(std::string_view name) const;
    // First field's value with RFC 2047 encoded words decoded to UTF-8.
    std::string decoded(std::string_view name) const;
};

struct MimePart;

// The parts of a multipart, or the embedded message of a message/rfc822 part: read like a vector.
// They live in the message's arena and a copy shares them, like the tree's views. The parts in it are
// never destroyed one by one: within a parsed message a part owns nothing (its fields, children and
// bytes are the arena's, its headers have no storage of their own).
class MimeParts {
  public:
    const MimePart* begin() const { return m_data; }
    const MimePart* end() const;
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    const MimePart& operator[](std::size_t i) const;

    // A new default part at the end, the array growing in `arena` (to `first_capacity` parts first).
    MimePart& emplace_back(TextArena& arena, std::size_t first_capacity);

  private:
    MimePart* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
};

struct MimePart {
    Headers headers;
    std::string_view content_type = "text/plain"; // lower-case type/subtype; default per RFC 2045
    std::string_view charset;                     // lower-case, from the Content-Type parameter
    std::string_view boundary;                    // for multipart/*
    std::string_view report_type;                 // for multipart/report (lower-case)
    std::string_view filename;                    // from Content-Disposition or the name parameter
    // Body: for text/* and message/delivery-status, message/global-delivery-status,
    // message/feedback-report, text/rfc822-headers: transfer-decoded and converted to UTF-8 (line
    // endings as in the input: LF after normalise_newlines()). For message/rfc822: the embedded
    // message's bytes (transfer-decoded). Others: transfer-decoded.
    std::string_view body;
    // multipart/*: the parts; message/rfc822 and message/global: one child, the embedded message read
    // to its header only (children[0].headers, its content type and parameters; children[0].body its
    // raw body, neither split nor decoded, and no children).
    MimeParts children;
    int depth = 0;

    bool is_multipart() const { return content_type.starts_with("multipart/"); }
    bool is_text() const { return content_type.starts_with("text/"); }
};

inline const MimePart* MimeParts::end() const {
    return m_data + m_size;
}
inline const MimePart& MimeParts::operator[](std::size_t i) const {
    return m_data[i];
}

struct ParsedMessage {
    MimePart root; // root.headers are the message's top-level headers
    std::vector<std::string> anomalies;
    // What the tree's views point into besides the input of parse_mime_in_place() (for parse_mime():
    // also its copy of the input).
    std::shared_ptr<TextArena> storage;
};

// Parse a whole message. The input should already have LF line endings (see normalise_newlines()).
// The result keeps a copy of `raw`.
ParsedMessage parse_mime(std::string_view raw);
// The same without the copy: the result's views point into `raw`, which must outlive it.
ParsedMessage parse_mime_in_place(std::string_view raw);

// Parse only a header block (up to the first empty line); used for text/rfc822-headers parts.
// Values that did not need unfolding are views into `block`, which must outlive the result.
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
    for (const auto& c : p.children)
        for_each_part(c, f);
}

} // namespace ndr::classifiers
