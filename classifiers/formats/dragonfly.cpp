// dragonfly.cpp — DragonFly Mail Agent (dma) bounces.
//
// Layout (dma mail.c bounce(); Sisimai 5 Lhost/DragonFly):
//   This is the DragonFly Mail Agent v0.13 at host.example.com.
//
//   There was an error delivering your mail to <user@example.org>.
//
//   mx.example.org [192.0.2.1] did not like our RCPT TO:
//   550 5.1.1 <user@example.org>: Recipient address rejected: User unknown
//
//   Message headers follow.
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_dragonfly(const Context& ctx, DeliveryReport& report) {
    const std::size_t opener = find_head(ctx, "This is the DragonFly Mail Agent");
    if (opener == std::string_view::npos) return false;
    const std::size_t marker = find_original_marker(ctx, opener);
    std::size_t added = 0;
    // dma mail.c: "There was an error delivering your mail to <%s>." then the error, per recipient.
    std::size_t i = find_line(ctx, "There was an error delivering your mail to", opener);
    while (i < ctx.lines.size() && i < marker) {
        const std::string a = find_address(ctx.lines[i]);
        std::string diag;
        std::string host_line;
        std::size_t j = i + 1;
        for (; j < marker && j < ctx.lines.size(); ++j) {
            if (contains(ctx.lines[j], "There was an error delivering your mail to")) break;
            const std::string_view t = trim(ctx.lines[j]);
            if (t.empty()) continue;
            if (host_line.empty() && contains(t, "did not like our")) {
                host_line = std::string(t);
                continue;
            }
            if (diag.size() < k_max_diagnostic_bytes) (diag += ' ') += t;
        }
        if (!a.empty()) {
            // The host line names the command: the diagnostic's is not looked for then.
            FillNeeds needs = ctx.fill;
            needs.smtp_command &= host_line.empty();
            RecipientRecord r = make_record(needs, a, diag, "dragonfly");
            if (!host_line.empty()) {
                // "mx.example.org [192.0.2.1] did not like our RCPT TO:" names the host and command.
                r.remote_mta = std::string(trim(std::string_view(host_line).substr(0, host_line.find(' '))));
                r.smtp_command = find_smtp_command(host_line);
            }
            if (!add_record(report, std::move(r))) break;
            ++added;
        }
        i = j < marker ? j : std::string_view::npos;
    }
    if (added == 0) return false;
    if (marker != std::string_view::npos) read_original_after(ctx, marker, report);
    read_part_original(ctx, report);
    finish(report, "dragonfly");
    return true;
}

} // namespace ndr::classifiers::formats
