// apachejames.cpp — Apache James bounces.
//
// Layout (Apache James bounce mailet; Sisimai Lhost/ApacheJames.pm):
//   Error: Invalid user address
//   Error message below:
//   550 - Requested action not taken: no such user here
//   Message details:
//     Subject: ...
//     MAIL FROM: sender@example.com
//     RCPT TO: user@example.org
// The lines after "Error message below:" (to a blank line) are the diagnostic; the recipients are the
// "RCPT TO:" line of the details. Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_apachejames(const Context& ctx, DeliveryReport& report) {
    const std::size_t below = find_head(ctx, "Error message below:");
    if (below == std::string_view::npos) return false;
    const std::size_t details = find_line(ctx, "Message details:", below);
    if (details == std::string_view::npos) return false;
    const std::string diag = paragraph(ctx, below + 1, details);
    std::size_t added = 0;
    for (std::size_t i = details + 1; i < ctx.lines.size(); ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (!istarts_with(t, "RCPT TO:")) continue;
        // "RCPT TO: a@example.org, b@example.org"
        std::string_view list = t.substr(8);
        std::size_t pos = 0;
        while (pos <= list.size()) {
            std::size_t comma = list.find(',', pos);
            if (comma == std::string_view::npos) comma = list.size();
            if (std::string a = find_address(list.substr(pos, comma - pos)); !a.empty()) {
                if (!add_record(report, make_record(ctx, a, diag, "apachejames"))) break;
                ++added;
            }
            pos = comma + 1;
        }
        break;
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "apachejames");
    return true;
}

} // namespace ndr::classifiers::formats
