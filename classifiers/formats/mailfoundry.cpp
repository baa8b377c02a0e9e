// mailfoundry.cpp — MailFoundry gateway bounces.
//
// Layout (Sisimai Lhost/MailFoundry.pm):
//   Unable to deliver message to: <user@example.org>
//   Delivery failed for the following reason:
//   mx.example.org[192.0.2.1] responded with failure: 552 sorry, mailbox ... is over quota (#5.1.1)
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_mailfoundry(const Context& ctx, DeliveryReport& report) {
    const std::size_t at = find_head(ctx, "Unable to deliver message to:");
    if (at == std::string_view::npos) return false;
    const std::size_t why = find_line(ctx, "Delivery failed for the following reason", at);
    if (why == std::string_view::npos) return false;
    const std::string a = find_address(ctx.lines[at]);
    if (a.empty()) return false;
    const std::string diag = paragraph(ctx, why + 1, ctx.lines.size());
    // "host[ip] responded with failure: 550 ..." — keep the reply.
    RecipientRecord r = make_record(ctx, a, diag, "mailfoundry");
    if (const std::size_t p = r.diagnostic.find("responded with failure: "); p != std::string::npos) {
        r.remote_mta = r.diagnostic.substr(0, r.diagnostic.find('['));
        r.diagnostic.erase(0, p + 24);
    }
    if (!add_record(report, std::move(r))) return false;
    read_part_original(ctx, report);
    finish(report, "mailfoundry");
    return true;
}

} // namespace ndr::classifiers::formats
