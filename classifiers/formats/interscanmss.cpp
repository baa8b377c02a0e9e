// interscanmss.cpp — Trend Micro InterScan Messaging Security Suite notices.
//
// Detection (Sisimai Lhost/InterScanMSS.pm): From "InterScan MSS"/"InterScan Notification" or the
// Subject "Mail could not be delivered". Two layouts:
//   Unable to deliver message to <user@example.org> (and other recipients in the same domain).
//   Please check if address is correct.
// and a transcript:
//   Sent <<< RCPT TO:<user@example.org>
//   Received >>> 550 5.1.1 <user@example.org>... user unknown
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_interscanmss(const Context& ctx, DeliveryReport& report) {
    if (!from_has(ctx, "interscan") && !subject_has(ctx, "Mail could not be delivered")) return false;
    std::size_t added = 0;
    for (std::size_t i = 0; i < ctx.lines.size(); ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (const std::size_t p = ifind(t, "Unable to deliver message to "); p != std::string_view::npos) {
            const std::string a = find_address(t.substr(p + 29));
            if (a.empty()) continue;
            std::string diag(t);
            for (std::size_t j = i + 1; j < ctx.lines.size() && diag.size() < k_max_diagnostic_bytes; ++j) {
                const std::string_view u = trim(ctx.lines[j]);
                if (u.empty() || u.starts_with("****")) break;
                (diag += ' ') += u;
            }
            if (!add_record(report, make_record(ctx, a, diag, "interscanmss"))) break;
            ++added;
            continue;
        }
        if (istarts_with(t, "Sent <<< ")) {
            const std::string a = find_address(t.substr(9));
            if (a.empty()) continue;
            std::string diag;
            if (i + 1 < ctx.lines.size()) {
                const std::string_view u = trim(ctx.lines[i + 1]);
                if (istarts_with(u, "Received >>> ")) diag = std::string(u.substr(13));
            }
            RecipientRecord r = make_record(ctx, a, diag, "interscanmss");
            r.smtp_command = find_smtp_command(t);
            if (!add_record(report, std::move(r))) break;
            ++added;
        }
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "interscanmss");
    return true;
}

} // namespace ndr::classifiers::formats
