// exim.cpp — Exim bounce and delay messages (deliver.c templates), and the Exim-based senders that
// keep its layout: Mail.ru, GMX / 1&1 (kundenserver), MXLogic.
//
// Layout (Exim src/deliver.c; Sisimai Lhost/Exim.pm, MailRu.pm, GMX.pm, MXLogic.pm, EinsUndEins.pm):
//   This message was created automatically by mail delivery software.
//   ... The following address(es) failed:
//     user@example.net
//       SMTP error from remote mail server after RCPT TO:<user@example.net>:
//       host mx.example.net [192.0.2.1]: 550 5.1.1 <user@example.net>: User unknown
//   ------ This is a copy of the message, including all the headers. ------
// Delay warnings ("Warning: message ... delayed") list "The address(es) which have not yet been
// delivered" with "Delay reason:". Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

namespace {

bool is_exim(const Context& ctx) {
    // deliver.c opening lines (k_exim_openers, needles.hpp); X-Failed-Recipients is set by deliver.c.
    static constexpr auto k_openers = needles_of(k_exim_openers);
    for (auto o : k_openers)
        if (find_head(ctx, o) != std::string_view::npos) return true;
    return has_header(ctx, Field::x_failed_recipients) && subject_has(ctx, "Mail delivery failed");
}

// The remote server's reply without Exim's "SMTP error from remote mail server after ...: host
// X [IP]:" preamble (transports/smtp.c), and the host and command it names.
// `r` comes from make_record() without its codes: they are read here, from the reply when there is one.
void strip_preamble(const Context& ctx, RecipientRecord& r) {
    const std::size_t se = ifind(r.diagnostic, "SMTP error from remote");
    const std::size_t le = ifind(r.diagnostic, "LMTP error after");
    const std::size_t at = std::min(se, le);
    if (at == std::string::npos) {
        fill_from_diagnostic(ctx.fill, r);
        return;
    }
    r.smtp_command = find_smtp_command(std::string_view(r.diagnostic).substr(at));
    r.remote_mta = find_remote_host(r.diagnostic);
    const std::size_t p = find_reply_after_colon(r.diagnostic, at);
    if (p == std::string::npos) {
        // The whole text's status and reply code; the command is the preamble's (even none).
        FillNeeds codes = ctx.fill;
        codes.smtp_command = false;
        fill_from_diagnostic(codes, r);
        return;
    }
    r.diagnostic.erase(0, p);
    fill_from_diagnostic(ctx.fill, r);
}

} // namespace

bool parse_exim(const Context& ctx, DeliveryReport& report) {
    if (!is_exim(ctx)) return false;
    std::size_t begin = find_line(ctx, "address(es) failed");
    if (begin == std::string_view::npos) begin = find_line(ctx, "following address");
    if (begin == std::string_view::npos) begin = find_line(ctx, "have not yet been delivered");
    if (begin == std::string_view::npos) begin = find_line(ctx, "has not yet been delivered");
    if (begin == std::string_view::npos) begin = find_line(ctx, "could not be delivered");
    if (begin == std::string_view::npos) return false;
    const std::size_t marker = find_original_marker(ctx, begin);
    const std::size_t end = std::min(marker, ctx.lines.size());
    const bool delayed =
        istarts_with(ctx.subject, "Warning:") || find_line(ctx, "not yet been delivered") < end;
    // X-Failed-Recipients (deliver.c) names the addresses when the list shows a pipe, a file or a
    // bare local part.
    std::vector<std::string> failed;
    {
        const std::string_view xf = header(ctx, Field::x_failed_recipients);
        std::size_t pos = 0;
        while (pos < xf.size()) {
            std::size_t comma = xf.find(',', pos);
            if (comma == std::string_view::npos) comma = xf.size();
            if (std::string a; is_address_line(xf.substr(pos, comma - pos), &a))
                failed.push_back(std::move(a));
            pos = comma + 1;
        }
    }
    // "The following text was generated during the delivery attempt:" holds a pipe's or a local
    // transport's own output (deliver.c).
    const std::size_t generated =
        find_line(ctx, "The following text was generated during the delivery attempt", begin);

    struct Entry {
        std::string addr;
        std::string diag;
        std::string what; // "pipe to |/usr/bin/prog ...", "save to ...": what Exim failed to deliver to
        bool closed = false;
    };
    std::vector<Entry> entries;
    const std::size_t stop = std::min(end, generated);
    for (std::size_t i = begin + 1; i < stop; ++i) {
        const std::string_view line = ctx.lines[i];
        const std::string_view t = trim(line);
        if (t.empty()) {
            if (!entries.empty() && !trim(entries.back().diag).empty()) entries.back().closed = true;
            continue;
        }
        const std::size_t indent = indent_of(line);
        std::string a;
        std::string_view rest;
        const bool addr_line = indent <= 2 && split_address_line(line, a, rest);
        if (addr_line && !entries.empty() && entries.back().addr == a) {
            if (!entries.back().closed) (entries.back().diag += ' ') += rest;
            continue;
        }
        // deliver.c prints each failed address indented by two blanks: an address, "pipe to |...",
        // "save to ..." or a local part.
        if (addr_line || (indent == 2 && entries.size() < k_max_recipients)) {
            if (entries.size() >= k_max_recipients) {
                report.add_anomaly("too-many-recipients");
                break;
            }
            Entry e;
            if (addr_line) {
                e.addr = std::move(a);
                e.diag = std::string(rest);
            } else {
                e.what = std::string(t);
            }
            entries.push_back(std::move(e));
            continue;
        }
        if (entries.empty() || entries.back().closed) continue;
        // GMX / 1&1 put "For the following reason:" on a paragraph of its own before the reason.
        if (istarts_with(t, "For the following reason") || istarts_with(t, "Reason:")) continue;
        // "generated by user@example.net" names the address a pipe or file delivery came from.
        if (istarts_with(t, "generated by ") || istarts_with(t, "(generated from ")) {
            if (entries.back().addr.empty()) entries.back().addr = find_address(t);
            continue;
        }
        if (entries.back().diag.size() < k_max_diagnostic_bytes) (entries.back().diag += '\n') += t;
    }
    if (generated != std::string_view::npos && !entries.empty()) {
        std::string out;
        for (std::size_t i = generated + 1; i < end && out.size() < k_max_diagnostic_bytes; ++i) {
            const std::string_view t = trim(ctx.lines[i]);
            if (t.starts_with("------") || istarts_with(t, "generated by")) continue;
            (out += ' ') += t;
        }
        for (auto& e : entries)
            if (trim(e.diag).empty()) e.diag = out;
    }
    std::size_t added = 0;
    for (std::size_t k = 0; k < entries.size(); ++k) {
        auto& e = entries[k];
        if (e.addr.empty() && k < failed.size()) e.addr = failed[k];
        if (e.addr.empty()) continue;
        // A pipe or file delivery's own output says little without the line that names the pipe
        // (Sisimai Reason/MailerError.pm "pipe to |/...").
        if (!e.what.empty() && e.diag.find("SMTP error from remote") == std::string::npos)
            e.diag = e.what + (e.diag.empty() ? "" : " ") + e.diag;
        RecipientRecord r = make_record(FillNeeds{false, false, false}, e.addr, e.diag, "exim",
                                        delayed ? Action::delayed : Action::failed);
        strip_preamble(ctx, r);
        if (!add_record(report, std::move(r))) break;
        ++added;
    }
    if (added == 0) return false;
    if (marker != std::string_view::npos) read_original_after(ctx, marker, report);
    read_part_original(ctx, report);
    finish(report, "exim");
    return true;
}

} // namespace ndr::classifiers::formats
