// googlegroups.cpp — Google Groups rejections ("the group you tried to contact ... may not exist, or
// you may not have permission to post messages to the group").
//
// Detection and recipients (Sisimai Lhost/GoogleGroups.pm): Subject "Delivery Status Notification",
// X-Failed-Recipients (the group addresses, comma-separated) and X-Google-Smtp-Source. The diagnostic
// is Google's explanation paragraph. Input is attacker-controlled; the header list is split linearly.
#include "classifiers/formats/modules.hpp"

#include <algorithm>

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_googlegroups(const Context& ctx, DeliveryReport& report) {
    if (!subject_has(ctx, "Delivery Status Notification")) return false;
    const std::string_view failed = header(ctx, Field::x_failed_recipients);
    if (failed.empty() || !has_header(ctx, Field::x_google_smtp_source)) return false;
    // The notice is localised: take its first paragraphs (up to four, GoogleGroups.pm) as the
    // diagnostic, up to the "----- Original message -----" marker.
    // Newer notices attach the original as a message/rfc822 part instead of the marker.
    const std::size_t marker = std::min(find_original_marker(ctx), ctx.lines.size());
    std::string diag;
    int paragraphs = 0;
    bool in_par = false;
    for (std::size_t i = 0; i < marker && diag.size() < k_max_diagnostic_bytes; ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (t.empty()) {
            if (in_par && ++paragraphs >= 4) break;
            in_par = false;
            continue;
        }
        in_par = true;
        (diag += ' ') += t;
    }
    std::size_t added = 0, pos = 0;
    while (pos <= failed.size()) {
        std::size_t comma = failed.find(',', pos);
        if (comma == std::string_view::npos) comma = failed.size();
        std::string a;
        if (is_address_line(failed.substr(pos, comma - pos), &a)) {
            if (!add_record(report, make_record(ctx, a, diag, "googlegroups"))) break;
            ++added;
        }
        pos = comma + 1;
    }
    if (added == 0) return false;
    if (marker < ctx.lines.size()) read_original_after(ctx, marker, report);
    read_part_original(ctx, report);
    finish(report, "googlegroups");
    return true;
}

} // namespace ndr::classifiers::formats
