// vendor.hpp — reasons that one sending MTA's own wording implies (Sisimai Lhost/*.pm message tables):
// "Unknown Recipient" from Exchange 2003, qmail's "Sorry, no mailbox here by that name", ...
//
// Keyed by the format module that produced the record (RecipientRecord::format, Sisimai's module
// name lower-cased: "exim", "qmail", "exchange2003", ...), so a phrase only counts where that MTA
// wrote it. Input text is attacker-controlled and lower-cased; plain substring search. Never throws.
#pragma once

#include <span>
#include <string_view>

#include "classifiers/reason.hpp"

namespace ndr::classifiers::reasons {

struct VendorPhrase {
    std::string_view format;
    Reason reason;
    std::string_view text; // lower-case
    std::string_view source;
};

// The first phrase of `format` found in `lowered` (a phrase meaning "expired" only when no other
// phrase matches), or Reason::undefined. An empty phrase matches any text of that format.
Reason vendor_reason(std::string_view format, std::string_view lowered);

// The reason the format's own status-code list gives (Sisimai Lhost/Office365.pm), or undefined.
Reason vendor_status_reason(std::string_view format, std::string_view status);

// The whole table (for the unit tests).
std::span<const VendorPhrase> vendor_phrases();

} // namespace ndr::classifiers::reasons
