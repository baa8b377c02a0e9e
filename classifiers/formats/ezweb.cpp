// ezweb.cpp — au by KDDI (EZweb, ezweb.ne.jp) and KDDI/au one net (dion.ne.jp) mobile-carrier
// bounces.
//
// Layouts (Sisimai Lhost/EZweb.pm, KDDI.pm):
//   EZweb:  Each of the following recipients was rejected by a remote mail server.
//               Recipient: <user@ezweb.ne.jp>
//               >>> RCPT TO:<user@ezweb.ne.jp>
//               <<< 550 <user@ezweb.ne.jp>: User unknown
//           or "The following recipients did not receive this message:" then "<user@ezweb.ne.jp>",
//           with the reason in the paragraph above ("Your message was not delivered within ...").
//   KDDI:   Your mail sent on: <date>
//                Could not be delivered to: <user@dion.ne.jp>
//                As their mailbox is full.
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

namespace {

bool parse_kddi(const Context& ctx, DeliveryReport& report) {
    const std::size_t at = find_line(ctx, "Could not be delivered to:");
    if (at == std::string_view::npos || find_line(ctx, "Your mail sent on:") == std::string_view::npos) return false;
    std::size_t added = 0;
    for (std::size_t i = at; i < ctx.lines.size(); ++i) {
        if (!contains(ctx.lines[i], "Could not be delivered to:")) continue;
        const std::string a = find_address(ctx.lines[i]);
        std::string diag;
        for (std::size_t j = i + 1; j < ctx.lines.size() && diag.size() < k_max_diagnostic_bytes; ++j) {
            const std::string_view t = trim(ctx.lines[j]);
            if (t.empty() || contains(t, "Could not be delivered to:")) break;
            (diag += ' ') += t;
        }
        if (a.empty()) continue;
        if (!add_record(report, make_record(ctx, a, diag, "kddi"))) break;
        ++added;
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "kddi");
    return true;
}

} // namespace

bool parse_ezweb(const Context& ctx, DeliveryReport& report) {
    const bool carrier = from_has(ctx, "ezweb.ne.jp") || from_has(ctx, "dion.ne.jp") ||
                         from_has(ctx, "au.com") || subject_has(ctx, "Mail System Error - Returned Mail");
    if (!carrier) return false;
    if (parse_kddi(ctx, report)) return true;
    std::size_t begin = find_line(ctx, "Each of the following recipients was rejected");
    if (begin == std::string_view::npos) begin = find_line(ctx, "The following recipients did not receive this message");
    // "The user(s) account is disabled." / "Your message was not delivered within ..." above a
    // "<user@ezweb.ne.jp>: 550 ..." line (EZweb.pm $markingsof).
    if (begin == std::string_view::npos) begin = find_first_line(ctx, {"The user(s) ", "Your message was not delivered"});
    if (begin == std::string_view::npos) return false;
    // The paragraph before the list explains an expiry or a rejection without a reply.
    std::string lead;
    for (std::size_t i = 0; i < begin && lead.size() < k_max_diagnostic_bytes; ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (is_address_line(t)) continue;
        if (!t.empty() && t.front() < 0x7f && t.front() >= 0x20) (lead += ' ') += t;
    }
    if (trim(lead).empty()) lead = std::string(trim(ctx.lines[begin]));
    struct Entry {
        std::string addr;
        std::string reply;
        std::string command; // ">>> RCPT TO:<...>": the command the remote server answered
    };
    std::vector<Entry> entries;
    const std::size_t end = std::min(find_original_marker(ctx, begin), ctx.lines.size());
    for (std::size_t i = begin + 1; i < end; ++i) {
        std::string_view t = trim(ctx.lines[i]);
        if (t.empty()) continue;
        if (istarts_with(t, "Recipient:")) t = trim(t.substr(10));
        if (std::string a; is_address_line(t, &a)) {
            if (entries.size() >= k_max_recipients) break;
            entries.push_back(Entry{a, {}, {}});
            continue;
        }
        // "<user@ezweb.ne.jp>: 550 user unknown (in reply to RCPT TO command)" under a sentence that
        // already says why: EZweb.pm keeps the sentence as the diagnostic.
        if (std::string a; t.starts_with('<') && !t.starts_with("<<<") && split_address_line(t, a, t)) {
            if (entries.size() >= k_max_recipients) break;
            entries.push_back(Entry{a, {}, {}});
            continue;
        }
        if (t.starts_with(">>>") && !entries.empty() && entries.back().command.empty())
            entries.back().command = find_smtp_command(t);
        if (t.starts_with("<<<") && !entries.empty() && entries.back().reply.size() < k_max_diagnostic_bytes)
            (entries.back().reply += ' ') += trim(t.substr(3));
    }
    // Some notices put the address above the heading, the heading then being the only text.
    for (std::size_t i = 0; entries.empty() && i < begin; ++i)
        if (std::string a; is_address_line(trim(ctx.lines[i]), &a)) entries.push_back(Entry{a, {}, {}});
    // EZweb marks mail its per-user domain filter refused with "X-SPASIGN: NG" (EZweb.pm).
    const bool spasign_ng = iequals(trim(header(ctx, Field::x_spasign)), "NG");
    std::size_t added = 0;
    for (const auto& e : entries) {
        RecipientRecord r =
            make_record(ctx, e.addr, e.reply.empty() ? lead : e.reply, "ezweb", Action::failed, e.command);
        if (spasign_ng) r.verdict.reason = Reason::filtered;
        if (!add_record(report, std::move(r))) break;
        ++added;
    }
    if (added == 0) return false;
    if (end < ctx.lines.size()) read_original_after(ctx, end, report);
    read_part_original(ctx, report);
    finish(report, "ezweb");
    return true;
}

} // namespace ndr::classifiers::formats
