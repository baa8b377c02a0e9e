// limits.hpp — every cap on hostile input, in one place.
//
// An NDR is attacker-controlled. Each parser that reads one checks the caps below; going over a cap
// never aborts: the parser stops reading that item, keeps what it has and records an anomaly (the
// names are in report.hpp). Change a value here, nowhere else, and document it in SECURITY.md.
#pragma once

#include <cstddef>

namespace ndr::classifiers {

// Whole message: bytes past this are ignored (anomaly "message-truncated").
inline constexpr std::size_t k_max_message_bytes = 32u * 1024 * 1024;
// One header block (top level or a MIME part): fields past this are ignored ("header-too-large").
inline constexpr std::size_t k_max_header_bytes = 1024u * 1024;
// Header fields per block ("too-many-header-fields").
inline constexpr std::size_t k_max_header_fields = 5000;
// One logical line or unfolded header field: the rest is dropped ("line-too-long").
inline constexpr std::size_t k_max_line_bytes = 64u * 1024;
// MIME nesting, counting multipart levels and message/rfc822 levels ("mime-too-deep").
inline constexpr std::size_t k_max_mime_depth = 32;
// MIME parts in one message, all levels together ("too-many-parts").
inline constexpr std::size_t k_max_mime_parts = 512;
// Recipient records in one report ("too-many-recipients").
inline constexpr std::size_t k_max_recipients = 10000;
// Decoded size of one text part that format parsers scan ("part-truncated").
inline constexpr std::size_t k_max_text_part_bytes = 4u * 1024 * 1024;
// Diagnostic text kept per recipient, after unfolding ("diagnostic-truncated").
inline constexpr std::size_t k_max_diagnostic_bytes = 8u * 1024;
// Messages split out of one mbox file ("mbox-too-many-messages").
inline constexpr std::size_t k_max_mbox_messages = 1000000;
// Received: fields kept from the returned original.
inline constexpr std::size_t k_max_received_fields = 64;
// Text handed to the rule matcher per record (diagnostic plus rejection lines).
inline constexpr std::size_t k_max_match_text_bytes = 16u * 1024;
// Sanitised text: the cap for one value in a log line, a terminal, a database row or a draft.
inline constexpr std::size_t k_max_sanitised_bytes = 4u * 1024;

} // namespace ndr::classifiers
