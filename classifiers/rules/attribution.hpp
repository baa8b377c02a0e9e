// attribution.hpp — fills each record's Verdict.lists, provider and receiver_resolver_error from the
// text the remote or reporting server generated (Diagnostic-Code, the rejection lines of the
// human-readable part). Sender-controlled text (recipient local parts, quoted subjects, the
// returned original) is masked or never looked at.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "classifiers/report.hpp"
#include "classifiers/rules/matcher.hpp"

namespace ndr::classifiers::rules {

// Per record: masks the record's diagnostic (mask_sender_controlled, with the record's recipients and
// the returned original's Subject/From/To) and runs the matcher on it. Replaces Verdict.lists,
// provider and receiver_resolver_error. Never throws; cost linear in the capped text.
void attribute(DeliveryReport& report, const Matcher& matcher);

// The text with every sender-controlled span overwritten byte for byte with '*' (same length, so
// offsets stay valid): each email address's local part (plain, "quoted" and everything between '<'
// and '@'), every occurrence of each `sender_strings` entry (recipient addresses, the original's
// Subject; long or odd recipient local parts on their own too), the rest of the line after
// "Subject:" and the quoted string after `Subject "`/`Subject '`. Linear in the text (bounded scans).
std::string mask_sender_controlled(std::string_view text, const std::vector<std::string_view>& sender_strings);

// Every Spamhaus DQS key (the label of 20..64 letters/digits just before "<zone>.dq.spamhaus.net" or
// ".com") replaced by "<key>". Call it on any output field that may carry NDR text. Linear.
std::string scrub_secrets(std::string text);

} // namespace ndr::classifiers::rules
