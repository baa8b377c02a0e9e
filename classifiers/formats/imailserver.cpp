// imailserver.cpp — Ipswitch IMail Server bounces.
//
// Layout (Sisimai Lhost/IMailServer.pm): X-Mailer: <SMTP32 v...>;
//   Unknown user: user@example.org
//   Original message follows.
// Each "<reason>: <address>" line above the marker is a recipient. Input is attacker-controlled.
#include "classifiers/formats/modules.hpp"

#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_imailserver(const Context& ctx, DeliveryReport& report) {
    if (!istarts_with(header(ctx, Field::x_mailer), "<SMTP32")) return false;
    const std::size_t end = std::min(find_original_marker(ctx), ctx.lines.size());
    std::size_t added = 0;
    for (std::size_t i = 0; i < end; ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        const std::size_t colon = t.find(": ");
        if (colon == std::string_view::npos) continue;
        std::string a;
        if (!is_address_line(t.substr(colon + 2), &a)) continue;
        if (!add_record(report, make_record(ctx, a, t.substr(0, colon), "imailserver"))) break;
        ++added;
    }
    if (added == 0) return false;
    if (end < ctx.lines.size()) read_original_after(ctx, end, report);
    finish(report, "imailserver");
    return true;
}

} // namespace ndr::classifiers::formats
