// limits.hpp — every cap on hostile input, in one place.
//
// An NDR is attacker-controlled. Each parser that reads one checks the caps below; going over a cap
// never aborts: the parser stops reading that item, keeps what it has and records an anomaly (the
// names are in report.hpp). Change a value here, nowhere else, and document it in SECURITY.md.
#pragma once

#include <cstddef>
#include <cstdint>

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
// DKIM-Signature: fields kept from a returned original's MIME headers (fill_original()).
inline constexpr std::size_t k_max_dkim_signatures = 16;
// Text handed to the rule matcher per record (diagnostic plus rejection lines).
inline constexpr std::size_t k_max_match_text_bytes = 16u * 1024;
// One rules.d file (configuration, but the loader must survive garbage): larger files are an error.
inline constexpr std::size_t k_max_rule_file_bytes = 1024u * 1024;
// RE2 memory budget per compiled pattern (a pattern whose program needs more does not compile: a load
// error where patterns are compiled at load, else the anomaly "attribution-pattern-failed").
inline constexpr std::int64_t k_max_rule_pattern_mem = 8 * 1024 * 1024;
// Sanitised text: the cap for one value in a log line, a terminal, a database row or a draft.
inline constexpr std::size_t k_max_sanitised_bytes = 4u * 1024;
// DNSBL checks (agent/dnsbl). DNS answers are hostile too.
// Queries on the wire at once on the one c-ares channel. A burst of 1000 at once made rbldnsd drop
// 60-85 % (its UDP receive buffer overflows, reference/imap-dns-recipe.md §3), so a check starts with
// k_dnsbl_initial_window in flight and sends the next query as an answer frees a slot. Only when the
// path has latency (no answer for k_dnsbl_grow_after_ms while the window is full) does the window grow,
// by k_dnsbl_window_step per millisecond (a gentle ramp: bursts overflow a server's buffer too), up to
// k_max_dnsbl_in_flight; a timed-out try halves it.
inline constexpr std::size_t k_dnsbl_initial_window = 100;
inline constexpr std::size_t k_dnsbl_window_step = 10;
inline constexpr std::size_t k_max_dnsbl_in_flight = 1000;
inline constexpr int k_dnsbl_grow_after_ms = 5;
// Distinct queries (A and TXT, after merging duplicates) in one check: more is a usage error.
inline constexpr std::size_t k_max_dnsbl_queries = 200000;
// Resource records read from one DNS answer section (the rest are ignored).
inline constexpr std::size_t k_max_dns_answer_records = 64;
// Bytes of one TXT record kept (chunks joined), before sanitising.
inline constexpr std::size_t k_max_dns_txt_bytes = 1024;
// Longest time a DNSBL answer is cached, whatever TTL the server sent (seconds).
inline constexpr std::uint32_t k_max_dnsbl_cache_ttl = 86400;
// IMAP responses (agent/sources/imap_raw). The server is trusted to speak IMAP, not to be bounded.
// Text of one response line, literals not counted: a longer line is a protocol error (the connection
// is dropped). A UID SEARCH answer for a million messages is about 8 MB.
inline constexpr std::size_t k_max_imap_line_bytes = 16u * 1024 * 1024;
// One literal (a message body): bytes past k_max_message_bytes are read and discarded, the message
// is handed on truncated ("message-truncated" downstream).
inline constexpr std::size_t k_max_imap_literal_bytes = k_max_message_bytes;
// Literals in one response line, and list nesting in one response: more is a protocol error.
inline constexpr std::size_t k_max_imap_literals = 16;
inline constexpr std::size_t k_max_imap_depth = 16;
// Messages fetched by one UID FETCH, and their RFC822.SIZE total (at least one message per batch).
inline constexpr std::size_t k_max_imap_batch_messages = 100;
inline constexpr std::size_t k_max_imap_batch_bytes = 4u * 1024 * 1024;
// Batches asked for ahead of the one being waited for, and their RFC822.SIZE total: enough to keep a
// server busy over a link of a few tens of milliseconds, and what the fetched-not-yet-handed-out
// messages may hold beyond the batch in hand.
inline constexpr std::size_t k_max_imap_fetch_ahead_batches = 8;
inline constexpr std::size_t k_max_imap_fetch_ahead_bytes = 4u * 1024 * 1024;

} // namespace ndr::classifiers
