// status_code.hpp — RFC 3463 enhanced status codes and SMTP reply codes: validators and extractors.
//
// Input trust: none. Validators say "no" (return 0) rather than guess, after Postfix's dsn_valid():
// a status is class "2", "4" or "5", then ".", a subject of 1..3 digits, ".", a detail of 1..3 digits,
// not followed by another digit or dot-digit. A reply code is three digits, the first 2..5 and the
// second 0..5, not followed by a digit. All functions are linear in their input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ndr::classifiers {

// Length of the RFC 3463 status code at the start of s, or 0 when there is none.
std::size_t status_valid(std::string_view s);

// True when the whole of s (trimmed) is a valid status code.
bool is_valid_status(std::string_view s);

// The first status code in text that stands alone (not inside an IP address, a version number or a
// longer digit run), or empty. Skips "x.y.z" that look like dotted quads or dates.
std::string find_status(std::string_view text);

// The SMTP reply code at the start of s ("550 ", "550-", "550" at the end), or 0.
int reply_code_at(std::string_view s);

// True when code is a plausible SMTP reply code: first digit 2..5, second digit 0..5 (RFC 5321 4.2).
bool reply_code_valid(int code);

// The first SMTP reply code in text, or 0: first one directly followed by an enhanced status of the
// same class ("550 5.1.1", "550-5.1.1"), else one at a line start (after blanks, "<<<", quotes) or
// after "said:", "smtp;", "returned '", "]:", "response:", "reply:". 3xx codes are skipped (never a
// failure). Digit runs inside dates, IPs or longer numbers are not reply codes.
int find_reply_code(std::string_view text);

// Where a relay quotes the remote server's reply as "NNN-'...'" (Amazon SES: "5.1.0 - Unknown address
// error 550-'5.7.1 <x@example.net>... Access denied' (delivery attempts: 0)"): the offset of the
// reply code, or npos.
std::size_t find_quoted_reply(std::string_view text);

// The SMTP command a diagnostic says the failure answered: "RCPT", "DATA", "MAIL", "EHLO", "HELO",
// "CONN", or empty when the text names none. The earliest of these cues wins (case-insensitive):
// Exim "after RCPT TO:<...>", Postfix "(in reply to end of DATA command)", Sendmail ">>> RCPT To:",
// qmail "most progress was RCPT TO response" / "but my name was rejected", X3 "SMTP:RCPT", Exim
// "after initial connection", Sendmail "refused to talk to me", "connect to", Exchange Online "unknown
// recipient or mailbox unavailable ->" (RCPT). The one detector for the format modules and the
// classifier. Linear; reads at most k_max_diagnostic_bytes.
std::string find_smtp_command(std::string_view text);

// The class digit of a status (2, 4, 5) or 0.
int status_class(std::string_view status);

} // namespace ndr::classifiers
