// x3.cpp — the "automatically generated Delivery Status Notification" template of an unnamed MTA
// (Sisimai calls it X3), framed by lines of "=".
//
// Layout (Sisimai Lhost/X3.pm):
//   This is an automatically generated Delivery Status Notification.
//   Delivery to the following recipients failed permanently:
//      * user@example.org
//   ===========
//   Technical details:
//   SMTP:RCPT host 192.0.2.8: 553 5.3.0 <user@example.org>... No such user here
//   ===========
// "Delevery to the following recipients was aborted after 5.0 hour(s):" (sic) is the expiry form.
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_x3(const Context& ctx, DeliveryReport& report) {
    const std::size_t opener = find_head(ctx, "This is an automatically generated Delivery Status Notification");
    if (opener == std::string_view::npos) return false;
    std::vector<std::string> rcpts;
    std::string diag;
    bool in_details = false;
    for (std::size_t i = opener + 1; i < ctx.lines.size(); ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (t.starts_with("* ")) {
            if (std::string a; is_address_line(t.substr(2), &a)) rcpts.push_back(a);
            continue;
        }
        if (istarts_with(t, "Technical details:")) {
            in_details = true;
            continue;
        }
        if (t.starts_with("=====")) {
            if (in_details) break;
            continue;
        }
        if (in_details && !t.empty() && diag.size() < k_max_diagnostic_bytes) (diag += ' ') += t;
    }
    // The expiry form names no reply: its heading ("... was aborted after 5.0 hour(s)") is the
    // diagnostic. "failed permanently" without technical details says no more than that it failed:
    // no diagnostic, so no reason is guessed from it (Sisimai X3.pm leaves it undefined).
    if (diag.empty()) {
        const std::size_t h = find_line(ctx, "to the following recipients", opener);
        if (h != std::string_view::npos && !contains(ctx.lines[h], "failed permanently"))
            diag = std::string(trim(ctx.lines[h]));
    }
    std::size_t added = 0;
    for (const auto& a : rcpts) {
        RecipientRecord r = make_record(ctx, a, diag, "x3");
        r.remote_mta = find_remote_host(diag);
        if (!add_record(report, std::move(r))) break;
        ++added;
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "x3");
    return true;
}

} // namespace ndr::classifiers::formats
