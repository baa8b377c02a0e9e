// gmail.cpp — Gmail's own bounce and delay notices (the pre-2015 plain-text template without a
// delivery-status part).
//
// Layout (Sisimai Lhost/Gmail.pm):
//   Delivery to the following recipient failed permanently:      | ... has been delayed:
//
//        user@example.org
//
//   Technical details of permanent failure:                      | ... of temporary failure:
//   Google tried to deliver your message, but it was rejected by the server for the recipient
//   domain example.org by mx.example.org. [192.0.2.1].
//
//   The error that the other server returned was:
//   550 5.1.1 <user@example.org>... User Unknown (state 14)
//
//   ----- Original message -----
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

namespace {

// Gmail ends the remote reply with "(state N)", the step of its SMTP client that failed. The steps
// and what they mean (Sisimai Lhost/Gmail.pm $StateTable): 6 STARTTLS refused (systemerror at MAIL),
// 8/9 AUTH (systemerror), 12 no authenticated relay (norelaying), 13 EHLO (blocked), 14 RCPT
// (userunknown), 15/17/18 DATA (filtered). A specific status in the reply still decides (below).
struct GmailState {
    std::string_view state;
    std::string_view command;
    Reason reason;
};
constexpr GmailState k_states[] = {
    {"6", "MAIL", Reason::systemerror}, {"8", "", Reason::systemerror},  {"9", "", Reason::systemerror},
    {"12", "", Reason::norelaying},     {"13", "EHLO", Reason::blocked}, {"14", "RCPT", Reason::userunknown},
    {"15", "DATA", Reason::filtered},   {"17", "DATA", Reason::filtered}, {"18", "DATA", Reason::filtered},
};

void apply_state(RecipientRecord& r) {
    const std::size_t p = ifind(r.diagnostic, "(state ");
    if (p == std::string::npos) return;
    std::size_t e = p + 7;
    while (e < r.diagnostic.size() && r.diagnostic[e] >= '0' && r.diagnostic[e] <= '9') ++e;
    if (e >= r.diagnostic.size() || r.diagnostic[e] != ')') return;
    const std::string_view n = std::string_view(r.diagnostic).substr(p + 7, e - p - 7);
    for (const GmailState& s : k_states) {
        if (s.state != n) continue;
        if (!s.command.empty()) r.smtp_command = std::string(s.command);
        // "550 5.2.2 ... Mailbox Full (state 14)": a status with a specific subject and detail names
        // the reason itself (Gmail.pm overrides the state's reason with it).
        const std::string_view st = r.status;
        const bool specific = st.size() == 5 && st[2] >= '1' && st[2] <= '7' && st[4] >= '1' && st[4] <= '9';
        if (!specific) r.verdict.reason = s.reason;
        return;
    }
}

} // namespace

bool parse_gmail(const Context& ctx, DeliveryReport& report) {
    // Gmail.pm: the sender is mailer-daemon@googlemail.com / @gmail.com.
    if (!from_has(ctx, "mailer-daemon@google") && !from_has(ctx, "mailer-daemon@gmail")) return false;
    const std::size_t begin = find_line(ctx, "Delivery to the following recipient");
    if (begin == std::string_view::npos) return false;
    const bool delayed = contains(ctx.lines[begin], "delayed");
    const std::size_t tech = find_line(ctx, "Technical details of", begin);
    const std::size_t marker = find_original_marker(ctx, begin);
    const std::size_t list_end = std::min(tech, marker);
    // The recipients: indented addresses between the opening line and the technical details.
    std::vector<std::string> rcpts;
    for (std::size_t i = begin + 1; i < list_end && i < ctx.lines.size(); ++i) {
        std::string a;
        if (is_address_line(ctx.lines[i], &a)) rcpts.push_back(a);
    }
    if (rcpts.empty()) return false;
    std::string diag;
    if (tech != std::string_view::npos) {
        for (std::size_t i = tech + 1; i < marker && i < ctx.lines.size(); ++i) {
            if (diag.size() >= k_max_diagnostic_bytes) break;
            (diag += '\n') += ctx.lines[i];
        }
    }
    // "The error that the other server returned was:" introduces the remote reply (Gmail.pm).
    std::string_view reply = diag;
    const std::size_t said = ifind(diag, "The error that the other server returned was:");
    if (said != std::string::npos) reply = std::string_view(diag).substr(said + 45);
    for (const auto& a : rcpts) {
        RecipientRecord r = make_record(ctx, a, reply, "gmail", delayed ? Action::delayed : Action::failed);
        if (said != std::string::npos) {
            // Keep Google's sentence too: it says whether the connection or the reply failed.
            r.diagnostic = collapse_whitespace(diag);
            if (r.diagnostic.size() > k_max_diagnostic_bytes) r.diagnostic.resize(k_max_diagnostic_bytes);
        }
        r.remote_mta = find_remote_host(diag);
        apply_state(r);
        if (!add_record(report, std::move(r))) break;
    }
    if (marker != std::string_view::npos) read_original_after(ctx, marker, report);
    read_part_original(ctx, report);
    finish(report, "gmail");
    return true;
}

} // namespace ndr::classifiers::formats
