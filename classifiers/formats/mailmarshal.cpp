// mailmarshal.cpp — Trustwave/Marshal MailMarshal SMTP bounces.
//
// Layout (Sisimai Lhost/MailMarshalSMTP.pm):
//   Your message:
//      From: ...  Subject: ...
//   Could not be delivered because of
//   550 5.1.1 User unknown
//   The following recipients were affected:
//       user@example.org
//   Additional Information
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_mailmarshal(const Context& ctx, DeliveryReport& report) {
    const std::size_t because = find_head(ctx, "Could not be delivered because of");
    if (because == std::string_view::npos) return false;
    const std::size_t affected = find_line(ctx, "The following recipients were affected", because);
    if (affected == std::string_view::npos) return false;
    std::string diag;
    for (std::size_t i = because + 1; i < affected && diag.size() < k_max_diagnostic_bytes; ++i)
        if (const std::string_view t = trim(ctx.lines[i]); !t.empty()) (diag += ' ') += t;
    std::size_t added = 0;
    for (std::size_t i = affected + 1; i < ctx.lines.size(); ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (t.empty()) continue;
        std::string a;
        if (!is_address_line(t, &a)) break;
        if (!add_record(report, make_record(ctx, a, diag, "mailmarshal"))) break;
        ++added;
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "mailmarshal");
    return true;
}

} // namespace ndr::classifiers::formats
