// report.hpp — what one parsed NDR says: the DeliveryReport, its recipient records and their verdicts.
//
// Every string in here was taken from an attacker-controlled message. It is decoded (RFC 2047, CTE,
// charset to UTF-8) and unfolded, but NOT sanitised: pass it through sanitise() (text.hpp) before it
// reaches a log, a terminal, a database row or a draft.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classifiers/reason.hpp"

namespace ndr::classifiers {

// What the message as a whole is.
enum class Kind {
    failed,     // at least one recipient failed permanently
    delayed,    // delivery delayed, still retrying
    delivered,  // success DSN (Action: delivered)
    relayed,    // relayed to a non-DSN system
    expanded,   // delivered to a list/alias and expanded
    auto_reply, // RFC 3834 auto-reply (vacation)
    feedback,   // RFC 5965 ARF feedback report
    not_ndr,    // none of the above
};
std::string_view to_string(Kind k);

// RFC 3464 Action field per recipient.
enum class Action { none, failed, delayed, delivered, relayed, expanded };
std::string_view to_string(Action a);

// A blocklist or reputation system named by a record's remote-generated text (filled by attribution).
struct ListHit {
    std::string id;       // rule file stem, e.g. "spamhaus-zen"
    std::string listed;   // the IP or domain the text names as listed; empty when it names none
    std::string rule;     // id of the matching pattern inside the rule file
    std::string evidence; // the matched span, sanitised, with any DQS key stripped
    int priority = 0;
};

// The verdict on one recipient record (filled by classify() and attribute()).
struct Verdict {
    Reason reason = Reason::undefined;
    bool hard = false;      // permanent for that address: do not retry, the address itself is bad
    bool temporary = false; // 4xx or Action: delayed
    std::vector<ListHit> lists;
    std::string provider;   // provider-internal system id (e.g. "ms-outlookcom"), empty if none
    bool receiver_resolver_error = false; // the receiver's own DNSBL resolver was refused, not a listing
};

struct RecipientRecord {
    std::string final_recipient;    // address only, lower-cased domain
    std::string original_recipient; // from Original-Recipient or the vendor text, may be empty
    Action action = Action::none;
    std::string status;             // RFC 3463 "5.7.1"; empty when none was found
    int reply_code = 0;             // SMTP reply code 200..599; 0 when none was found
    std::string diagnostic_type;    // "smtp", "x-unix", ...
    std::string diagnostic;         // remote or reporting server's text: unfolded, decoded, capped
    std::string remote_mta;         // host name or [IP] of the server that answered
    std::string smtp_command;       // "RCPT", "DATA", "MAIL", "CONN", "HELO", "EHLO" or empty
    std::string last_attempt;       // as written in the NDR (RFC 5322 date)
    std::string will_retry_until;   // as written in the NDR
    std::string format;             // module that produced the record ("rfc3464", "postfix", ...)
    Verdict verdict;
};

// Headers of the returned original message (message/rfc822 or text/rfc822-headers part, or the
// text after a vendor's "Below this line is a copy of the message" marker).
struct ReturnedOriginal {
    bool present = false;
    bool headers_only = false;
    std::string message_id;
    std::string from;
    std::string to;
    std::string subject;
    std::string date;
    std::string return_path;
    std::vector<std::string> received;        // top first, capped at k_max_received_fields
    std::vector<std::string> dkim_signatures; // raw unfolded header values
    std::string raw_headers;                  // the header block as found (for DKIM header hashing)
};

// Anomaly names are stable tokens (kebab-case): see ARCHITECTURE.md for the list. A parser adds one
// each time it meets input it had to skip, cap or guess about.
struct DeliveryReport {
    Kind kind = Kind::not_ndr;
    std::string format;         // module that recognised the message ("rfc3464", "postfix", ...)
    std::string reporting_mta;
    std::string arrival_date;
    std::string subject;        // of the NDR itself (decoded)
    std::string from;           // of the NDR itself
    std::string date;           // of the NDR itself
    std::string message_id;     // of the NDR itself
    std::vector<RecipientRecord> recipients;
    ReturnedOriginal original;
    std::vector<std::string> anomalies;

    void add_anomaly(std::string_view name);
    bool has_anomaly(std::string_view name) const;
};

} // namespace ndr::classifiers
