// parse.hpp — bytes in, DeliveryReport out: the entry point of the classifiers library.
//
// parse_message(): any bytes (LF, CRLF or CR; NULs; truncated MIME) give a report, never an exception
// (only an allocation failure can leave). The report's kind, records and returned original are filled;
// verdicts are left for classify(). Flow: cap at k_max_message_bytes → CRLF/CR to LF, NUL to U+FFFD →
// MIME (mime.hpp) → the NDR's own Subject/From/Date/Message-ID → returned original (original.hpp) →
// RFC 3464 delivery-status parts, not those inside a returned original (dsn.hpp), or a delivery-status
// block left in a text part of a bounce whose MIME structure was lost → RFC 5965 feedback report or
// RFC 3834 auto-reply → vendor formats (formats/format.hpp) → actions and kind from the records →
// recipient cap.
//
// split_mbox(): splits on "From " separator lines ("From <sender> <date with hh:mm>"); a file whose
// first line is not one is one message. Separator lines are not part of the messages; ">From " lines
// are left as they are (the header parser skips them, body text keeps them).
//
// Anomalies (stable kebab-case tokens in DeliveryReport::anomalies; each means "input was skipped,
// capped or guessed about here", never an error of ours):
//   message-truncated       message over k_max_message_bytes; the rest ignored
//   nul-bytes               NUL bytes (replaced by U+FFFD)
//   header-too-large        a header block over k_max_header_bytes; later fields ignored
//   too-many-header-fields  a header block with more than k_max_header_fields fields
//   line-too-long           a header field or DSN field over k_max_line_bytes; cut
//   mime-too-deep           nesting over k_max_mime_depth; deeper parts not parsed
//   too-many-parts          more than k_max_mime_parts parts; the rest not parsed
//   missing-boundary        multipart without a usable boundary (guessed from the body, or body kept as text)
//   unterminated-multipart  a multipart without its closing delimiter (truncated message)
//   bad-base64              characters outside the alphabet, data after padding, a dangling group
//   bad-quoted-printable    "=" not followed by two hex digits or a line break
//   unknown-charset         a charset iconv does not know (text kept as UTF-8 or read as Latin-1)
//   part-truncated          a decoded part over k_max_text_part_bytes; cut
//   bad-status              an RFC 3464 Status that is no valid RFC 3463 code; dropped
//   bad-reply-code          a diagnostic starting with three digits that are no SMTP reply code
//   malformed-dsn-field     a delivery-status line or group that could not be read (or lacks a recipient)
//   diagnostic-truncated    a diagnostic over k_max_diagnostic_bytes; cut
//   too-many-recipients     more than k_max_recipients records; the rest dropped
//   no-recipients           the message is an NDR, but no recipient could be read from it; when the
//                           notice has a line with a reply code or status, one record without a
//                           recipient carries it (reason and list hits kept)
//   recipient-from-original an NDR naming no recipient: the record's address is the returned original's
//                           only To: address (no Cc)
//   forwarded-bounce        the report is that of a bounce forwarded inside a message/rfc822 part of a
//                           notice that names no recipient itself
// Vendor modules (formats/) may add their own tokens; list them in their module header.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "classifiers/report.hpp"

namespace ndr::classifiers {

DeliveryReport parse_message(std::string_view raw);

// Messages of an mbox file, or the whole input as one message when it does not start with a "From "
// line. Views into `data`. At most k_max_mbox_messages.
std::vector<std::string_view> split_mbox(std::string_view data);

} // namespace ndr::classifiers
