// original.hpp — the returned original message's headers (message/rfc822, message/global,
// text/rfc822-headers, or an inline copy after a vendor's "below is a copy" marker).
//
// Input trust: none; the returned original is the least trustworthy part of an NDR (anyone can put
// anything there). Values are unfolded and RFC 2047-decoded, not sanitised. Received: fields are kept
// up to k_max_received_fields; the raw block is capped at k_max_header_bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "classifiers/mime.hpp"
#include "classifiers/report.hpp"

namespace ndr::classifiers {

// Fills out from a parsed header block; raw_block is the block as found (kept for DKIM hashing).
void fill_original(const Headers& h, std::string_view raw_block, bool headers_only, ReturnedOriginal& out);

// Looks for the first run of header lines in text (an inline copy of the original: "Received:",
// "From:", "Message-ID:", ... at a line start) and fills out from it. Needs at least two fields from
// the usual set (From, To, Subject, Date, Message-ID, Received, Return-Path, DKIM-Signature,
// MIME-Version) before it believes it. Returns true when out was filled.
bool original_from_text(std::string_view text, ReturnedOriginal& out);

// The header block at the start of a message text: everything up to the first empty line.
std::string_view header_block(std::string_view message);

// The one recipient of a returned original addressed to exactly one To: address and no Cc: (a bounce
// naming nobody failed for that address); nullopt otherwise, or when no original is present.
std::optional<std::string> sole_recipient(const ReturnedOriginal& original);

} // namespace ndr::classifiers
