// postfix.cpp — Postfix bounces read from their text (no usable delivery-status part), and the
// "Postfix SMTP server: errors from ..." transcripts that Postfix mails to the postmaster.
//
// Layouts (Postfix bounce templates, bounce_template.c / smtpd_chat.c; Sisimai Lhost/Postfix.pm):
//   This is the mail system at host mx.example.net.     | This is the Postfix program at host ...
//   ...
//   <user@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1 <user@example.org>: Recipient
//       address rejected: User unknown (in reply to RCPT TO command)
// Transcript: " In:  RCPT TO:<user@example.org>" ... " Out: 451 4.3.0 Error: queue file write error".
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

namespace {

bool parse_transcript(const Context& ctx, DeliveryReport& report) {
    // smtpd_chat.c smtpd_chat_notify(): Subject "Postfix SMTP server: errors from <client>".
    if (!istarts_with(ctx.subject, "Postfix SMTP server: errors from")) return false;
    const std::size_t head = find_line(ctx, "Transcript of session follows");
    if (head == std::string_view::npos) return false;
    std::string rcpt, reply, command, current;
    for (std::size_t i = head + 1; i < ctx.lines.size(); ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (istarts_with(t, "In:")) {
            current = std::string(trim(t.substr(3)));
            if (istarts_with(current, "RCPT") && rcpt.empty()) rcpt = find_address(current);
            continue;
        }
        if (istarts_with(t, "Out:")) {
            const std::string_view out = trim(t.substr(4));
            const int code = leading_reply_code(out);
            if (code >= 400) {
                reply = std::string(out);
                command = find_smtp_command(current);
                if (command.empty() && istarts_with(current, "DATA")) command = "DATA";
            }
        }
    }
    if (rcpt.empty() || reply.empty()) return false;
    RecipientRecord r =
        make_record(ctx, rcpt, reply, "postfix", reply[0] == '4' ? Action::delayed : Action::failed);
    r.smtp_command = std::move(command);
    if (!add_record(report, std::move(r))) return false;
    read_part_original(ctx, report);
    finish(report, "postfix");
    return true;
}

} // namespace

bool parse_postfix(const Context& ctx, DeliveryReport& report) {
    if (parse_transcript(ctx, report)) return true;
    // bounce_template.c: "This is the mail system at host %s." (2.3+), "This is the Postfix program
    // at host %s." (older).
    std::size_t begin = find_head(ctx, "This is the mail system at host");
    if (begin == std::string_view::npos) begin = find_head(ctx, "This is the Postfix program at host");
    if (begin == std::string_view::npos) return false;
    const bool delayed = find_line(ctx, "Delivery will be retried") != std::string_view::npos ||
                         find_line(ctx, "THIS IS A WARNING ONLY") != std::string_view::npos;
    BlockOptions opt;
    opt.max_indent = 0;
    opt.stop_at_blank = true;
    const std::size_t end = find_original_marker(ctx, begin);
    const std::size_t before = report.recipients.size();
    if (parse_address_blocks(ctx, begin + 1, end, "postfix", delayed ? Action::delayed : Action::failed,
                             report, opt) == 0)
        return false;
    for (std::size_t i = before; i < report.recipients.size(); ++i) {
        auto& r = report.recipients[i];
        // "host mx.example.org[192.0.2.1] said: 550 ..." (smtp_proto.c): keep the remote reply.
        const std::size_t said = r.diagnostic.find(" said: ");
        if (said != std::string::npos && istarts_with(r.diagnostic, "host ")) {
            r.remote_mta = r.diagnostic.substr(5, said - 5);
            r.diagnostic.erase(0, said + 7);
        }
    }
    read_part_original(ctx, report);
    finish(report, "postfix");
    return true;
}

} // namespace ndr::classifiers::formats
