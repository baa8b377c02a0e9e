// message_text.hpp — helpers for the vendor-format modules: find parts, get the human-readable
// notification text without the returned original, cut text at a marker.
//
// Input trust: none. Outputs are capped at k_max_text_part_bytes ("part-truncated" is recorded by the
// MIME parser when a single part was already over it). Nothing here is sanitised.
#pragma once

#include <string>
#include <string_view>

#include "classifiers/mime.hpp"

namespace ndr::classifiers {

// True for the content types that carry the returned original (message/rfc822, message/global,
// message/rfc2822, text/rfc822-headers, message/global-headers).
bool is_original_type(std::string_view content_type);

// The first part (depth-first, parents first) with that content type, or nullptr. Parts inside a
// returned original (below a message/rfc822) are not searched.
const MimePart* find_part(const MimePart& root, std::string_view content_type);

// The returned original part (the first of is_original_type()), or nullptr.
const MimePart* find_original_part(const MimePart& root);

// The notification a person reads: the text/plain parts (text/html turned into text when a multipart
// has no text/plain) outside the returned original and outside delivery-status parts, in order,
// joined by a blank line. For a single-part message, its body. LF line endings, UTF-8.
std::string notification_text(const ParsedMessage& msg);
// The same into `out` (cleared first; its capacity is kept, so a buffer reused message after message
// allocates only when a text is longer than any before).
void notification_text(const ParsedMessage& msg, std::string& out);

// HTML to plain text for pattern matching: tags removed, <br>/<p>/<div>/<tr>/<li> end lines, the
// common entities decoded, script/style bodies dropped. Linear.
std::string html_to_text(std::string_view html);

// text cut before the first line that starts (after leading whitespace) with any of the markers
// (case-insensitive); the whole text when none is found.
std::string_view cut_at_marker(std::string_view text, std::initializer_list<std::string_view> markers);

} // namespace ndr::classifiers
