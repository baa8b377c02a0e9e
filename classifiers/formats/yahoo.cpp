// yahoo.cpp — Yahoo! Mail outbound bounces (a qmail-derived template).
//
// Layout (Sisimai Lhost/Yahoo.pm):
//   Sorry, we were unable to deliver your message to the following address.
//
//   <user@example.org>:
//   Remote host said: 550 5.1.1 <user@example.org>... User Unknown [RCPT_TO]
//
//   --- Below this line is a copy of the message.
// Detected by the X-YMailISG header or the opening sentence. Input is attacker-controlled.
#include "classifiers/formats/modules.hpp"

#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_yahoo(const Context& ctx, DeliveryReport& report) {
    // Sisimai Lhost/Yahoo.pm: "Sorry, we were unable to deliver your message to the following address."
    const std::size_t begin = find_head(ctx, "Sorry, we were unable to deliver your message to the following address");
    if (begin == std::string_view::npos) return false;
    const std::size_t marker = find_original_marker(ctx, begin);
    BlockOptions opt;
    opt.max_indent = 0;
    if (parse_address_blocks(ctx, begin + 1, marker, "yahoo", Action::failed, report, opt) == 0) return false;
    for (auto& r : report.recipients) {
        // "[RCPT_TO]" / "[DATA]" / "[MAIL_FROM]" at the end names the SMTP command (Yahoo.pm).
        if (r.format != "yahoo") continue;
        if (contains(r.diagnostic, "Remote host said:")) {
            const std::size_t p = ifind(r.diagnostic, "Remote host said:");
            r.diagnostic = std::string(trim(std::string_view(r.diagnostic).substr(p + 17)));
        }
    }
    if (marker != std::string_view::npos) read_original_after(ctx, marker, report);
    read_part_original(ctx, report);
    finish(report, "yahoo");
    return true;
}

} // namespace ndr::classifiers::formats
