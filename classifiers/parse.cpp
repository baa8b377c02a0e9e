// parse.cpp — parse_message(): raw bytes to a DeliveryReport, and split_mbox().
//
// Input trust: none. The flow (see parse.hpp) is: cap → normalise newlines → MIME → the NDR's own
// headers → RFC 5965 feedback report or RFC 3834 auto-reply → RFC 3464 delivery-status parts →
// returned original → vendor formats → final kind and recipient cap. Every step is bounded by
// limits.hpp and never throws on bad input; an allocation failure is the only exception that can leave.
#include "classifiers/parse.hpp"

#include <algorithm>
#include <cstring>

#include "classifiers/dsn.hpp"
#include "classifiers/formats/common.hpp"
#include "classifiers/formats/format.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/message_text.hpp"
#include "classifiers/mime.hpp"
#include "classifiers/original.hpp"
#include "classifiers/status_code.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers {
namespace {

// Visits parts depth-first but does not descend into a returned original: a bounce of a bounce
// carries the first bounce's delivery-status inside its message/rfc822 part, and that one is not ours.
template <class F> void for_each_outer_part(const MimePart& p, F&& f) {
    f(p);
    if (is_original_type(p.content_type)) return;
    for (const auto& c : p.children) for_each_outer_part(c, f);
}

// The sender is a mail system, not a person (RFC 3834 replies never come from these).
bool from_mail_system(std::string_view from) {
    // The From of most bounces names the mailer-daemon: that answers before the address is worked out
    // (the tests are independent; the order changes only what is computed).
    if (ifind(from, "mailer-daemon") != std::string_view::npos ||
        ifind(from, "Mail Delivery") != std::string_view::npos)
        return true;
    const std::string a = normalise_address(from);
    const std::string_view lp = std::string_view(a).substr(0, a.find('@'));
    for (std::string_view s : {"mailer-daemon", "mailer_daemon", "postmaster", "mail-daemon", "maildaemon",
                               "double-bounce", "mdaemon", "mail.delivery.system", "bounce", "bounces"})
        if (iequals(lp, s)) return true;
    return false;
}

// Subjects that bounces use (so an "Auto-Submitted: auto-replied" bounce is not taken for a vacation
// notice). Postfix, Exim, Sendmail, Exchange, Gmail, qmail wordings.
bool bounce_subject(std::string_view s) {
    for (std::string_view k : {"undeliver", "delivery status notification", "failure notice", "returned mail",
                               "mail delivery failed", "delivery failure", "nondeliverable", "non-deliverable",
                               "delivery has failed", "could not send", "mail system error", "delivery problem",
                               "delivery notification", "undelivered", "rejected", "delayed mail",
                               "delivery delayed", "warning: message", "mail delivery system"})
        if (ifind(s, k) != std::string_view::npos) return true;
    return false;
}

// RFC 3834 and the vendor headers that mark an automatic reply.
bool auto_reply_headers(const Headers& h) {
    std::string_view as = trim(h.get("Auto-Submitted"));
    if (istarts_with(as, "auto-replied")) return true;
    if (h.has("X-Autoreply") || h.has("X-Autorespond") || h.has("X-Autoresponder") || h.has("X-Mail-Autoreply") ||
        h.has("X-Autoresponse") || h.has("X-Vacation"))
        return true;
    if (iequals(trim(h.get("X-Apple-Action")), "vacation")) return true;
    std::string_view prec = trim(h.get("Precedence"));
    if (iequals(prec, "auto_reply") || iequals(prec, "auto-reply")) return true;
    return false;
}

// Subject prefixes of vacation and out-of-office replies (Exchange, Outlook, Apple, Gmail, Zimbra,
// the vacation(1) program) in the languages seen in mail logs.
bool auto_reply_subject(std::string_view s) {
    s = trim(s);
    for (std::string_view k : {"automatic reply:", "auto reply:", "auto-reply:", "autoreply:", "auto:",
                               "auto response:", "auto-response:", "autoresponse:", "out of office",
                               "out of the office", "vacation", "away from", "on vacation", "abwesenheitsnotiz",
                               "automatische antwort", "réponse automatique", "risposta automatica",
                               "respuesta automática", "resposta automática", "automatisch antwoord"})
        if (istarts_with(s, k)) return true;
    return false;
}

void make_auto_reply(const ParsedMessage& msg, DeliveryReport& report) {
    report.kind = Kind::auto_reply;
    report.format = "rfc3834";
    RecipientRecord r;
    r.final_recipient = normalise_address(msg.root.headers.get("From"));
    r.format = "rfc3834";
    std::string text = notification_text(msg);
    if (text.size() > k_max_diagnostic_bytes) text.resize(k_max_diagnostic_bytes);
    r.diagnostic = collapse_whitespace(repair_utf8(text));
    if (r.diagnostic.size() > k_max_diagnostic_bytes) r.diagnostic.resize(k_max_diagnostic_bytes);
    r.diagnostic = repair_utf8(r.diagnostic);
    report.recipients.push_back(std::move(r));
}

// RFC 5965 ARF, plus the two feedback layouts the big mailbox providers send without
// message/feedback-report: Microsoft JMRP (X-HmXmrOriginalRecipient in the attached original) and
// Apple's unsubscribe notice (X-Apple-Unsubscribe: true).
bool parse_feedback(const ParsedMessage& msg, DeliveryReport& report) {
    const MimePart& root = msg.root;
    const MimePart* fb = find_part(root, "message/feedback-report");
    const MimePart* orig = find_original_part(root);
    std::vector<std::string> rcpts;
    std::string fb_type;
    if (fb || root.report_type == "feedback-report") {
        if (fb) {
            Headers f = parse_headers(fb->body);
            for (auto v : f.get_all("Original-Rcpt-To")) {
                std::string a = normalise_address(v);
                if (!a.empty() && rcpts.size() < k_max_recipients) rcpts.push_back(std::move(a));
            }
            if (rcpts.empty())
                for (auto v : f.get_all("Removal-Recipient")) {
                    std::string a = normalise_address(v);
                    if (a.find('@') != std::string::npos && rcpts.size() < k_max_recipients) rcpts.push_back(a);
                }
            if (report.reporting_mta.empty())
                report.reporting_mta = std::string(split_typed_value(f.get("Reporting-MTA")).second);
            if (report.arrival_date.empty()) {
                report.arrival_date = std::string(f.get("Arrival-Date"));
                if (report.arrival_date.empty()) report.arrival_date = std::string(f.get("Received-Date"));
            }
            fb_type = to_lower_ascii(trim(f.get("Feedback-Type")));
        }
        if (rcpts.empty() && orig) {
            const Headers* oh = nullptr;
            Headers parsed;
            if (!orig->children.empty()) oh = &orig->children[0].headers;
            else {
                parsed = parse_headers(orig->body);
                oh = &parsed;
            }
            rcpts = address_list(oh->get("To"));
            if (rcpts.size() > 1) rcpts.resize(1);
        }
        if (rcpts.empty()) rcpts.emplace_back();
        report.format = "arf";
    } else if (orig && !orig->children.empty() && orig->children[0].headers.has("X-HmXmrOriginalRecipient")) {
        rcpts.push_back(normalise_address(orig->children[0].headers.get("X-HmXmrOriginalRecipient")));
        fb_type = "abuse";
        report.format = "arf";
    } else if (iequals(trim(root.headers.get("X-Apple-Unsubscribe")), "true")) {
        rcpts.push_back(normalise_address(root.headers.get("From")));
        fb_type = "opt-out";
        report.format = "arf";
    } else {
        return false;
    }
    report.kind = Kind::feedback;
    std::string text = notification_text(msg);
    if (text.size() > k_max_diagnostic_bytes * 2) text.resize(k_max_diagnostic_bytes * 2);
    text = repair_utf8(text);
    for (auto& a : rcpts) {
        RecipientRecord r;
        r.final_recipient = a;
        r.format = "arf";
        r.diagnostic_type = fb_type.empty() ? std::string{} : "feedback-type=" + fb_type;
        std::string d = collapse_whitespace(text);
        if (d.size() > k_max_diagnostic_bytes) {
            std::size_t k = k_max_diagnostic_bytes;
            while (k > 0 && (static_cast<unsigned char>(d[k]) & 0xC0) == 0x80) --k;
            d.resize(k);
        }
        r.diagnostic = std::move(d);
        report.recipients.push_back(std::move(r));
    }
    return true;
}

bool is_dsn_field_name(std::string_view n) {
    for (std::string_view k : {"Reporting-MTA", "Received-From-MTA", "Arrival-Date", "Original-Envelope-Id",
                               "DSN-Gateway", "Final-Recipient", "Original-Recipient", "Action", "Status",
                               "Remote-MTA", "Diagnostic-Code", "Last-Attempt-Date", "Will-Retry-Until",
                               "Final-Log-ID", "X-Actual-Recipient"})
        if (iequals(n, k)) return true;
    return istarts_with(n, "X-Postfix-") || istarts_with(n, "X-Original-Message-ID") ||
           istarts_with(n, "X-Supplementary-Info") || istarts_with(n, "X-Display-Name");
}

std::string_view field_name_of(std::string_view line) {
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 40) return {};
    std::string_view n = line.substr(0, colon);
    for (char c : n)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return {};
    return n;
}

// A delivery-status block pasted into a text part (the MIME structure was flattened by a relay, or the
// boundary was lost): the run of DSN fields (and blank lines between them) around the first
// Final-Recipient line. Empty when there is none.
std::string inline_dsn_block(std::string_view text) {
    if (ifind(text, "Final-Recipient:") == std::string_view::npos) return {};
    std::size_t pos = 0;
    std::size_t start = std::string_view::npos;
    bool seen_final = false;
    std::string out;
    while (pos < text.size()) {
        std::size_t line_start = pos;
        std::string_view line = next_line(text, pos);
        if (start == std::string_view::npos) {
            std::string_view n = field_name_of(line);
            if (iequals(n, "Reporting-MTA") || iequals(n, "Final-Recipient") || iequals(n, "Original-Recipient")) {
                start = line_start;
                seen_final = iequals(n, "Final-Recipient");
                out.append(line);
                out += '\n';
            }
            continue;
        }
        if (trim(line).empty() || line[0] == ' ' || line[0] == '\t') {
            out.append(line);
            out += '\n';
            continue;
        }
        std::string_view n = field_name_of(line);
        if (!is_dsn_field_name(n)) {
            if (seen_final) break;
            // A per-message group not followed by recipients: look further.
            start = std::string_view::npos;
            out.clear();
            continue;
        }
        if (iequals(n, "Final-Recipient")) seen_final = true;
        out.append(line);
        out += '\n';
        if (out.size() > k_max_text_part_bytes) break;
    }
    if (!seen_final) return {};
    return out;
}

void fill_returned_original(const MimePart& root, DeliveryReport& report) {
    const MimePart* orig = find_original_part(root);
    if (!orig) return;
    if (!orig->children.empty()) {
        fill_original(orig->children[0].headers, header_block(orig->body), false, report.original);
    } else {
        std::string_view block = header_block(orig->body);
        Headers h = parse_headers(block);
        if (!h.fields.empty()) fill_original(h, block, true, report.original);
    }
}

// What the NDR's own From and Subject say (from_mail_system(), bounce_subject()), each worked out
// once, when first asked: parse_message_at() asks several times, and nothing changes report.from or
// report.subject after they are set from the headers.
class SenderSigns {
  public:
    explicit SenderSigns(const DeliveryReport& report) : m_report(report) {}
    bool mail_system() {
        if (m_mail_system < 0) m_mail_system = from_mail_system(m_report.from) ? 1 : 0;
        return m_mail_system == 1;
    }
    bool bounce_subject() {
        if (m_bounce_subject < 0) m_bounce_subject = classifiers::bounce_subject(m_report.subject) ? 1 : 0;
        return m_bounce_subject == 1;
    }

  private:
    const DeliveryReport& m_report;
    int m_mail_system = -1;
    int m_bounce_subject = -1;
};

// Signs that the message is a bounce even when no recipient could be read from it.
bool looks_like_ndr(const ParsedMessage& msg, SenderSigns& sender, bool had_dsn_part) {
    const Headers& h = msg.root.headers;
    if (had_dsn_part || msg.root.report_type == "delivery-status") return true;
    if (h.has("X-Failed-Recipients")) return true;
    if (sender.mail_system() && sender.bounce_subject()) return true;
    return false;
}

Action action_from_codes(const RecipientRecord& r) {
    int cls = status_class(r.status);
    if (cls == 0 && r.reply_code != 0) cls = r.reply_code / 100;
    if (cls == 4) return Action::delayed;
    if (cls == 2) return Action::delivered;
    return Action::failed;
}

DeliveryReport parse_message_at(std::string_view raw, int depth);

} // namespace

DeliveryReport parse_message(std::string_view raw) { return parse_message_at(raw, 0); }

namespace {

// depth > 0: the bounce a gateway forwarded inside a message/rfc822 part (read once, never deeper).
DeliveryReport parse_message_at(std::string_view raw, int depth) {
    DeliveryReport report;
    if (raw.size() > k_max_message_bytes) {
        raw = raw.substr(0, k_max_message_bytes);
        report.add_anomaly("message-truncated");
    }
    // Most mail is already LF-only without NULs: parse it in place, copy only when it needs fixing.
    const bool needs_fix = std::memchr(raw.data(), '\r', raw.size()) != nullptr ||
                           std::memchr(raw.data(), '\0', raw.size()) != nullptr;
    bool had_nul = false;
    std::string normalised;
    if (needs_fix) normalised = normalise_newlines(raw, &had_nul);
    if (had_nul) report.add_anomaly("nul-bytes");
    const std::string_view text = needs_fix ? std::string_view(normalised) : raw;
    const ParsedMessage msg = parse_mime_in_place(text);
    for (const auto& a : msg.anomalies) report.add_anomaly(a);

    const Headers& h = msg.root.headers;
    report.subject = h.decoded("Subject");
    report.from = h.decoded("From");
    report.date = std::string(trim(h.get("Date")));
    report.message_id = std::string(trim(h.get("Message-ID")));
    SenderSigns sender(report);

    fill_returned_original(msg.root, report);

    bool had_dsn_part = false;
    for_each_outer_part(msg.root, [&](const MimePart& p) {
        if (p.content_type == "message/delivery-status" || p.content_type == "message/global-delivery-status") {
            had_dsn_part = true;
            parse_delivery_status(p.body, report);
        }
    });
    if (report.recipients.empty() && (had_dsn_part || msg.root.report_type == "delivery-status" ||
                                      sender.mail_system() || sender.bounce_subject())) {
        // No usable DSN part in a message that looks like a bounce: a delivery-status block may still
        // sit in a text part. (Not in other mail: a newsletter may quote a DSN as an example.)
        for_each_outer_part(msg.root, [&](const MimePart& p) {
            if (!report.recipients.empty() || !p.is_text() || p.content_type == "text/rfc822-headers") return;
            std::string block = inline_dsn_block(p.body);
            if (!block.empty()) parse_delivery_status(block, report);
        });
    }
    if (!report.recipients.empty()) report.format = "rfc3464";

    const bool is_feedback = report.recipients.empty() && parse_feedback(msg, report);
    if (!is_feedback) {
        if (report.recipients.empty() && !had_dsn_part && !sender.mail_system() && !sender.bounce_subject() &&
            auto_reply_headers(h)) {
            make_auto_reply(msg, report);
        } else {
            formats::apply_vendor_formats(msg, report);
            if (report.recipients.empty() && report.kind == Kind::not_ndr && !had_dsn_part &&
                !sender.mail_system() && !sender.bounce_subject() && auto_reply_subject(report.subject))
                make_auto_reply(msg, report);
        }
    }

    // A forwarded bounce: a gateway wrapped the multipart/report it received in a message/rfc822
    // part of a notice of its own that names nobody (Sisimai X5). The inner report is the bounce.
    // Only when the outer message is a mail system's bounce notice itself: a person forwarding a
    // bounce to the help desk is no NDR.
    if (report.recipients.empty() && depth == 0 && sender.mail_system() && sender.bounce_subject()) {
        const MimePart* orig = find_original_part(msg.root);
        if (orig != nullptr && orig->children.size() == 1 && orig->children[0].report_type == "delivery-status") {
            DeliveryReport inner = parse_message_at(orig->body, depth + 1);
            if (!inner.recipients.empty()) {
                for (const auto& a : report.anomalies) inner.add_anomaly(a);
                inner.add_anomaly("forwarded-bounce");
                return inner;
            }
        }
    }

    // A bounce that names no recipient (Postfix "Delivery report unavailable", a vendor text no module
    // reads) but returns an original with exactly one recipient: that address is the one that failed.
    if (report.recipients.empty() && report.kind == Kind::not_ndr && report.original.present &&
        looks_like_ndr(msg, sender, had_dsn_part)) {
        if (const auto to = sole_recipient(report.original)) {
            report.recipients.push_back(formats::make_record(*to, formats::notice_rejection_line(msg),
                                                             report.format.empty() ? "rfc3464" : report.format));
            report.add_anomaly("recipient-from-original");
        }
    }

    // Records without an Action get one from their codes (a record comes from a bounce, so a record
    // with no code at all is a failure).
    for (auto& r : report.recipients)
        if (r.action == Action::none && report.kind != Kind::feedback && report.kind != Kind::auto_reply)
            r.action = action_from_codes(r);

    if (report.recipients.size() > k_max_recipients) {
        report.recipients.resize(k_max_recipients);
        report.add_anomaly("too-many-recipients");
    }

    if (report.kind == Kind::not_ndr) {
        auto any = [&](Action a) {
            return std::any_of(report.recipients.begin(), report.recipients.end(),
                               [a](const RecipientRecord& r) { return r.action == a; });
        };
        if (any(Action::failed)) report.kind = Kind::failed;
        else if (any(Action::delayed)) report.kind = Kind::delayed;
        else if (any(Action::delivered)) report.kind = Kind::delivered;
        else if (any(Action::relayed)) report.kind = Kind::relayed;
        else if (any(Action::expanded)) report.kind = Kind::expanded;
        else if (looks_like_ndr(msg, sender, had_dsn_part)) {
            report.kind = Kind::failed;
            report.add_anomaly("no-recipients");
            // The notice still says why: one record without a recipient carries its rejection line,
            // so the reason and any list it names are kept (the anomaly stays: nobody is named).
            if (const std::string line = formats::notice_rejection_line(msg); !line.empty())
                report.recipients.push_back(formats::make_record("", line, report.format));
        }
    }
    return report;
}

// "From " separator lines: "From <sender> <asctime date>" — the date has an "hh:mm" time. Body lines
// that merely start with "From " rarely carry one.
bool is_separator(std::string_view line) {
    if (!line.starts_with("From ")) return false;
    std::string_view rest = line.substr(5);
    if (rest.empty() || rest[0] == ' ' || rest.size() > 1000) return false;
    for (std::size_t i = 0; i + 4 < rest.size(); ++i) {
        auto d = [&](std::size_t k) { return rest[k] >= '0' && rest[k] <= '9'; };
        if (d(i) && d(i + 1) && rest[i + 2] == ':' && d(i + 3) && d(i + 4)) return true;
    }
    return false;
}

// Like next_line(), but a lone CR also ends a line (mbox files converted to old Mac line endings).
// memchr finds the next LF, searched for again only once the reader has passed it, and then a CR
// before it in the line: linear (each byte is looked at by each search once at most), and far fewer
// steps than a byte-by-byte scan for either.
class AnyLineReader {
  public:
    explicit AnyLineReader(std::string_view text) : m_text(text), m_next_lf(find_lf(0)) {}

    std::size_t pos() const { return m_pos; }
    bool at_end() const { return m_pos >= m_text.size(); }

    std::string_view next() {
        const std::size_t start = m_pos;
        if (m_next_lf < start) m_next_lf = find_lf(start);
        std::size_t e = m_next_lf;
        const void* cr = e > start ? std::memchr(m_text.data() + start, '\r', e - start) : nullptr;
        if (cr != nullptr) e = static_cast<std::size_t>(static_cast<const char*>(cr) - m_text.data());
        if (e >= m_text.size()) {
            m_pos = m_text.size();
            return m_text.substr(start);
        }
        m_pos = e + 1;
        if (m_text[e] == '\r' && m_pos < m_text.size() && m_text[m_pos] == '\n') ++m_pos;
        return m_text.substr(start, e - start);
    }

  private:
    // Offset of the first LF at or after `from`, or the text's size.
    std::size_t find_lf(std::size_t from) const {
        const std::size_t at = m_text.find('\n', from);
        return at == std::string_view::npos ? m_text.size() : at;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    std::size_t m_next_lf; // the first LF at or after the start of the line that searched for it
};

} // namespace

std::vector<std::string_view> split_mbox(std::string_view data) {
    std::vector<std::string_view> out;
    AnyLineReader lines(data);
    std::string_view first = lines.next();
    if (!first.starts_with("From ")) return {data};
    std::size_t msg_start = lines.pos();
    while (!lines.at_end()) {
        std::size_t line_start = lines.pos();
        std::string_view line = lines.next();
        if (is_separator(line)) {
            if (out.size() + 1 >= k_max_mbox_messages) break;
            out.push_back(data.substr(msg_start, line_start - msg_start));
            msg_start = lines.pos();
        }
    }
    out.push_back(data.substr(msg_start));
    return out;
}

} // namespace ndr::classifiers
