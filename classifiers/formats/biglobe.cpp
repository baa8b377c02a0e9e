// biglobe.cpp — BIGLOBE (a Japanese ISP) mail-system notices.
//
// Layout (Sisimai Lhost/Biglobe.pm):
//      ----- The following addresses had delivery problems -----
//   user@example.org
//
//      ----- Non-delivered information -----
//   The number of messages in recipient's mailbox exceeded the local limit.
// The paragraph under "Non-delivered information" is the diagnostic; the phrase tables of
// reasons/vendor.cpp (format "biglobe") name the reason. Input is attacker-controlled; linear scan.
#include "classifiers/formats/modules.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_biglobe(const Context& ctx, DeliveryReport& report) {
    const std::size_t list = find_head(ctx, "----- The following addresses had delivery problems -----");
    if (list == std::string_view::npos) return false;
    const std::size_t info = find_line(ctx, "----- Non-delivered information -----", list);
    if (info == std::string_view::npos) return false;
    const std::string diag = paragraph(ctx, info + 1, find_original_marker(ctx, info));
    std::size_t added = 0;
    for (std::size_t i = list + 1; i < info; ++i) {
        std::string a;
        if (!is_address_line(trim(ctx.lines[i]), &a)) continue;
        if (!add_record(report, make_record(ctx, a, diag, "biglobe"))) break;
        ++added;
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "biglobe");
    return true;
}

} // namespace ndr::classifiers::formats
