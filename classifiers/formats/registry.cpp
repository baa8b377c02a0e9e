// registry.cpp — the order in which vendor-format modules are tried, and the one entry point.
//
// Input: the parsed MIME tree (attacker-controlled) and the report after the RFC 3464 pass. Order:
// formats recognised by a header or a sender that cannot be mistaken come first (Amazon SES
// notifications, Google Groups before Gmail, Yahoo), then body-template formats whose markers are
// most specific. The first module that recognises the message wins. Modules that only understand
// their plain-text template are skipped when the RFC 3464 pass already produced records.
#include "classifiers/formats/format.hpp"
#include "classifiers/formats/modules.hpp"
#include "classifiers/status_code.hpp"
#include "classifiers/text.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ndr::classifiers::formats {

namespace {

struct Module {
    std::string_view name;
    bool (*parse)(const Context&, DeliveryReport&);
    // The module reads the same fields the RFC 3464 pass read, with vendor knowledge on top: its
    // status and reply code replace those of the RFC 3464 records instead of only filling gaps.
    bool replaces_codes = false;
};

constexpr Module k_modules[] = {
    {"amazonses", parse_amazonses},
    {"amazonworkmail", parse_amazonworkmail, true},
    {"googlegroups", parse_googlegroups},
    {"gmail", parse_gmail},
    {"yahoo", parse_yahoo},
    {"zoho", parse_zoho},
    {"dragonfly", parse_dragonfly},
    {"qmail", parse_qmail},
    {"exim", parse_exim},
    {"opensmtpd", parse_opensmtpd},
    {"postfix", parse_postfix},
    {"courier", parse_courier},
    {"sendmail", parse_sendmail},
    {"exchange", parse_exchange},
    {"exchange2003", parse_exchange2003},
    {"domino", parse_domino},
    {"mfilter", parse_mfilter},
    {"x3", parse_x3},
    {"x1", parse_x1},
    {"ezweb", parse_ezweb},
    {"mailfoundry", parse_mailfoundry},
    {"mailmarshal", parse_mailmarshal},
    {"imailserver", parse_imailserver},
    {"fml", parse_fml},
    {"x6", parse_x6},
    {"apachejames", parse_apachejames},
    {"interscanmss", parse_interscanmss},
    {"verizon", parse_verizon},
    {"biglobe", parse_biglobe},
    {"fallback", parse_fallback}, // last: the least specific layouts
};

bool generic_status(std::string_view s) {
    return s.empty() || s.ends_with(".0.0");
}

bool is_exit_status(std::string_view s) {
    s = trim(s);
    if (s.empty() || s.size() > 3) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// The RFC 3464 part is authoritative for the recipients; the vendor's text fills what it left out
// or left generic: an empty Diagnostic-Code, a "5.0.0" status, a missing reply code, remote MTA or
// command (e.g. OpenSMTPD writes "Status: 5.0.0" without a Diagnostic-Code and the reply only in the
// text).
void merge_into(DeliveryReport& report, const DeliveryReport& vendor, bool replaces_codes) {
    for (auto& r : report.recipients) {
        const RecipientRecord* v = nullptr;
        for (const auto& c : vendor.recipients)
            if (iequals(c.final_recipient, r.final_recipient)) {
                v = &c;
                break;
            }
        // The vendor's text names no address (a Sendmail pipe delivery): its one record is that of
        // the delivery-status part's one recipient.
        if (v == nullptr && report.recipients.size() == 1 && vendor.recipients.size() == 1 &&
            vendor.recipients.front().final_recipient.empty())
            v = &vendor.recipients.front();
        if (v == nullptr) continue;
        if (replaces_codes) {
            if (!v->status.empty()) r.status = v->status;
            if (v->reply_code != 0) r.reply_code = v->reply_code;
        }
        // "Diagnostic-Code: X-Unix; 77" is only the mailer's exit status: the text says what failed.
        if (trim(r.diagnostic).empty() || (!v->diagnostic.empty() && is_exit_status(r.diagnostic)))
            r.diagnostic = v->diagnostic;
        if (generic_status(r.status) && !generic_status(v->status) &&
            (r.status.empty() || r.status[0] == v->status[0]))
            r.status = v->status;
        if (r.reply_code == 0) r.reply_code = v->reply_code;
        if (r.remote_mta.empty()) r.remote_mta = v->remote_mta;
        if (r.smtp_command.empty()) r.smtp_command = v->smtp_command;
    }
    if (!report.original.present && vendor.original.present) report.original = vendor.original;
}

// Any record: the status the remote server wrote in its reply ("550 5.7.1 ...") is preferred to the
// reporting MTA's own Status field when that is generic ("5.0.0") or missing, or when the reply code
// agrees with both it and the Status field in class (Sendmail writes "Status: 4.4.7" for a "450 4.7.1
// Access denied" reply). A Status field of another class than the reply is kept: both are reported;
// a missing reply code is taken from the diagnostic. (Sisimai 5 SMTP/Status.pm prefer() does the same.)
void enrich_from_diagnostic(DeliveryReport& report) {
    for (auto& r : report.recipients) {
        if (r.diagnostic.empty()) continue;
        if (r.reply_code == 0) r.reply_code = reply_code_in(r.diagnostic);
        // A relay's quoted copy of the remote reply ("550-'5.7.1 ...'") carries the remote's status.
        std::string s;
        if (const std::size_t q = find_quoted_reply(r.diagnostic); q != std::string::npos)
            s = find_status(std::string_view(r.diagnostic).substr(q + 5, 12));
        if (s.empty()) s = find_status(r.diagnostic);
        if (s.empty() || s == r.status) continue;
        const bool same_class_as_reply = r.reply_code != 0 && s[0] - '0' == r.reply_code / 100;
        if (generic_status(r.status) ? (r.status.empty() || r.status[0] == s[0] || same_class_as_reply)
                                     : (same_class_as_reply && r.status[0] == s[0] && !generic_status(s)))
            r.status = s;
    }
}

// The sending system of a message whose records came from its RFC 3464 part (or from a generic
// template module), when its headers name it beyond doubt: the per-vendor phrase tables
// (reasons/vendor.cpp) are keyed by this name. Signatures as Sisimai's Lhost modules detect them:
// McAfee.pm (X-NAI-Header), MessageLabs.pm (X-Msg-Ref and MAILER-DAEMON@messagelabs.com),
// Facebook.pm (mailer-daemon@mx.facebook.com), ReceivingSES.pm (X-SES-Outgoing), GSuite.pm
// (mailer-daemon@googlemail.com with a delivery-status part), Outlook.pm (postmaster@hotmail.com or
// outlook.com), X2.pm (a MAILER-DAEMON notice titled exactly "failure delivery", "failed delivery" or
// "delivery failure", in qmail's layout). Empty when none fits.
std::string_view identify_agent(const Context& ctx) {
    if (contains(header(ctx, Field::x_nai_header), "Modified by McAfee")) return "mcafee";
    if (has_header(ctx, Field::x_msg_ref) && from_has(ctx, "@messagelabs.com")) return "messagelabs";
    if (from_has(ctx, "mailer-daemon@mx.facebook.com")) return "facebook";
    if (has_header(ctx, Field::x_ses_outgoing)) return "receivingses";
    if (from_has(ctx, "mailer-daemon@googlemail.com") && ctx.delivery_status != nullptr) return "gsuite";
    if (from_has(ctx, "postmaster@hotmail.com") || from_has(ctx, "postmaster@outlook.com")) return "outlook";
    if (const std::string_view s = trim(ctx.subject);
        from_has(ctx, "mailer-daemon@") &&
        (iequals(s, "failure delivery") || iequals(s, "failed delivery") || iequals(s, "delivery failure")))
        return "x2";
    return {};
}

// A DSN that names its only recipient unusably ("@mx.example.org", a source route): the vendor text
// that names exactly one recipient supplies the address.
void adopt_vendor_address(DeliveryReport& report, const DeliveryReport& vendor) {
    if (report.recipients.size() != 1 || vendor.recipients.size() != 1) return;
    RecipientRecord& r = report.recipients.front();
    const std::string& v = vendor.recipients.front().final_recipient;
    if (!usable_address(r.final_recipient) && usable_address(v)) r.final_recipient = v;
}

// The thread's Context, reused from one message to the next: its line table and phrase index keep
// their buffers (fewer allocations per message). A buffer that a long text grew past k_keep_bytes is
// released after the message, so a hostile message's tables are not kept. A nested use (none today)
// gets a Context of its own.
class ThreadContext {
  public:
    ThreadContext() : m_ctx(t_busy ? m_own.emplace() : t_ctx) { t_busy = true; }
    ~ThreadContext() {
        if (m_own) return;
        release_if_large(m_ctx.lines);
        release_if_large(m_ctx.index.line_starts);
        release_if_large(m_ctx.index.lines);
        release_if_large(m_ctx.index.marker_lines);
        if (m_ctx.text.capacity() > k_keep_bytes) std::string().swap(m_ctx.text);
        if (m_ctx.lower.capacity() > k_keep_bytes) std::string().swap(m_ctx.lower);
        t_busy = false;
    }
    ThreadContext(const ThreadContext&) = delete;
    ThreadContext& operator=(const ThreadContext&) = delete;
    Context& get() { return m_ctx; }

  private:
    static constexpr std::size_t k_keep_bytes = 64 * 1024;
    template <class T> static void release_if_large(std::vector<T>& v) {
        if (v.capacity() * sizeof(T) > k_keep_bytes) std::vector<T>().swap(v);
    }
    static thread_local Context t_ctx;
    static thread_local bool t_busy;
    std::optional<Context> m_own;
    Context& m_ctx;
};
thread_local Context ThreadContext::t_ctx;
thread_local bool ThreadContext::t_busy = false;

} // namespace

void apply_vendor_formats(const ParsedMessage& msg, DeliveryReport& report) {
    if (report.kind == Kind::feedback || report.kind == Kind::auto_reply) return;
    try {
        ThreadContext reused;
        Context& ctx = reused.get();
        build_context(msg, ctx);
        ctx.enriching = !report.recipients.empty();
        if (report.recipients.empty()) {
            for (const auto& m : k_modules)
                if (m.parse(ctx, report)) break;
        } else {
            enrich_from_diagnostic(report);
            DeliveryReport vendor;
            // merge_into() keeps the report's returned original when it has one: the modules need not
            // read theirs (read_inline_original() and amazonses skip an original already present).
            vendor.original.present = report.original.present;
            // merge_into() reads a vendor record's status, reply code and command only for a record of
            // the report that lacks them (a generic status, no reply code, no command): the modules
            // need not read the others from their diagnostics (nothing else reads them).
            FillNeeds merged;
            merged.status = merged.reply_code = merged.smtp_command = false;
            for (const auto& r : report.recipients) {
                merged.status |= generic_status(r.status);
                merged.reply_code |= r.reply_code == 0;
                merged.smtp_command |= r.smtp_command.empty();
            }
            for (const auto& m : k_modules) {
                // Google Groups notices carry no delivery-status part; a Gmail/Workspace DSN that
                // has one is not a group rejection (Sisimai GSuite.pm before GoogleGroups.pm).
                if (m.parse == parse_googlegroups && ctx.delivery_status != nullptr) continue;
                ctx.fill = m.replaces_codes ? FillNeeds{} : merged;
                if (!m.parse(ctx, vendor)) continue;
                adopt_vendor_address(report, vendor);
                merge_into(report, vendor, m.replaces_codes);
                report.format = std::string(m.name);
                for (auto& r : report.recipients)
                    r.format = std::string(m.name);
                break;
            }
        }
        if (const std::string_view agent = identify_agent(ctx);
            !agent.empty() &&
            (report.format.empty() || report.format == "rfc3464" || report.format == "qmail")) {
            report.format = std::string(agent);
            // Gmail/Workspace DSNs may carry no Diagnostic-Code: the notice's paragraph under its
            // "** Address not found **" heading says what happened.
            std::string notice;
            if (agent == "gsuite")
                if (const std::size_t h = find_line_starting(ctx, "** "); h != std::string_view::npos)
                    notice = paragraph(ctx, h + 1, ctx.lines.size());
            for (auto& r : report.recipients) {
                r.format = std::string(agent);
                if (trim(r.diagnostic).empty() && !notice.empty()) r.diagnostic = notice;
            }
        }
    } catch (...) { // allocation failure on hostile input: keep what the report has
        report.add_anomaly("vendor-format-error");
    }
}

} // namespace ndr::classifiers::formats
