// verizon.cpp — Verizon Wireless MMS gateway (vzwpix.com / vtext.com) notices.
//
// Layout (Sisimai Lhost/Verizon.pm):
//   Message could not be delivered to mobile.
//   Error: No valid recipients for this MM
//   Original Message:
//   From: sender <sender@example.com>
//   To: 5555550100@vzwpix.example
// The "Error:" line is the diagnostic, the "To:" line of the original block the recipient.
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_verizon(const Context& ctx, DeliveryReport& report) {
    const std::size_t opener = find_head(ctx, "Message could not be delivered to mobile.");
    if (opener == std::string_view::npos) return false;
    const std::size_t orig = find_line(ctx, "Original Message:", opener);
    if (orig == std::string_view::npos) return false;
    std::string diag;
    for (std::size_t i = opener + 1; i < orig; ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (istarts_with(t, "Error:")) {
            diag = std::string(trim(t.substr(6)));
            break;
        }
    }
    std::size_t added = 0;
    for (std::size_t i = orig + 1; i < ctx.lines.size(); ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (t.empty() && added > 0) break;
        if (!istarts_with(t, "To:")) continue;
        if (std::string a = find_address(t.substr(3)); !a.empty()) {
            if (!add_record(report, make_record(ctx, a, diag, "verizon"))) break;
            ++added;
        }
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "verizon");
    return true;
}

} // namespace ndr::classifiers::formats
