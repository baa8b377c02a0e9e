// dsn.hpp — RFC 3464 message/delivery-status and RFC 6533 message/global-delivery-status fields.
//
// Input trust: none. parse_delivery_status() reads the per-message group and every per-recipient group
// (groups are separated by blank lines; a repeated Final-Recipient inside one group also starts a new
// record), validates what it keeps and records an anomaly for what it drops: an invalid Status is
// dropped ("bad-status"), a field that cannot be read is skipped ("malformed-dsn-field"), records past
// k_max_recipients are dropped ("too-many-recipients"), long diagnostics are capped
// ("diagnostic-truncated"). The helpers are shared with the vendor-format modules.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "classifiers/report.hpp"

namespace ndr::classifiers {

// Appends the records of one delivery-status body (decoded, UTF-8, any line endings) to report and fills
// report.reporting_mta / arrival_date when they are still empty. Returns the number of records added.
std::size_t parse_delivery_status(std::string_view body, DeliveryReport& report);

// "rfc822; user@example.net" -> {"rfc822", "user@example.net"}; no valid type -> {"", whole value}.
// The type is lower-cased; both halves are trimmed.
std::pair<std::string, std::string_view> split_typed_value(std::string_view value);

// An address as written in an NDR ("<User@Example.NET>", "\"x\" <u@d>", "rfc822;u@d", "mailto:u@d",
// "u@d (comment)") -> "User@example.net": angle brackets, type, comment and quotes around the whole
// address removed, domain lower-cased, local part kept. Empty when nothing address-like remains.
// True when `a` is an address a record can stand on: a local part, "@", a domain, no source route
// ("@mx.example.org", "@mx:user@host" are not).
bool usable_address(std::string_view a);

std::string normalise_address(std::string_view s);
// normalise_address() into out (its room reused; s must not view out).
void normalise_address(std::string_view s, std::string& out);
// Addresses in a To:-style header value (comma separated, quotes and angle brackets respected),
// each normalised; at most k_max_recipients.
std::vector<std::string> address_list(std::string_view v);

// RFC 6533 utf-8-addr-xtext / unitext: "\x{HEX}" escapes decoded; RFC 3461 xtext "+2B", "+3D", "+20"
// decoded. Anything malformed is kept as written.
std::string decode_dsn_address(std::string_view s);
// decode_dsn_address() into out (its room reused; s must not view out).
void decode_dsn_address(std::string_view s, std::string& out);

// The RFC 3464 Action value ("failed (comment)" -> Action::failed); unknown words -> Action::none.
Action parse_action(std::string_view value);

// Sets rec.diagnostic (whitespace collapsed, capped at k_max_diagnostic_bytes with
// "diagnostic-truncated"), rec.diagnostic_type (when type is non-empty) and, when rec.reply_code is 0,
// the reply code at the start of the text ("bad-reply-code" when three leading digits are no valid
// code). Used for Diagnostic-Code fields and by vendor modules for their rejection lines.
void set_diagnostic(RecipientRecord& rec, std::string_view type, std::string_view text, DeliveryReport& report);

} // namespace ndr::classifiers
