// exchange2003.cpp — Microsoft Exchange Server 5.5 / 2000 / 2003 non-delivery reports.
//
// Layout (Sisimai Lhost/Exchange2003.pm):
//   Your message
//     To:      user@example.org
//     Subject: ...
//   did not reach the following recipient(s):
//   user@example.org on Thu, 29 Apr 2010 00:00:00 -0000
//       The recipient name is not recognized
//       MSEXCH:IMS:ORG:SITE:SERVER 0 (000C05A6) Unknown Recipient
// The MSEXCH error code stays in the diagnostic for the reason classifier. Input is
// attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_exchange2003(const Context& ctx, DeliveryReport& report) {
    const std::size_t begin = find_head(ctx, "did not reach the following recipient");
    if (begin == std::string_view::npos) return false;
    const std::size_t end = std::min(find_original_marker(ctx, begin), ctx.lines.size());
    std::string addr, diag;
    std::size_t added = 0;
    auto flush = [&] {
        if (addr.empty()) return;
        if (!report_full(report) && add_record(report, make_record(ctx, addr, diag, "exchange2003"))) ++added;
        addr.clear();
        diag.clear();
    };
    for (std::size_t i = begin + 1; i < end; ++i) {
        const std::string_view line = ctx.lines[i];
        const std::string_view t = trim(line);
        if (t.empty()) continue;
        // "user@example.org on <date>" at the left margin opens a recipient.
        std::string a;
        std::string_view rest;
        if (indent_of(line) == 0 && split_address_line(line, a, rest) && (rest.empty() || istarts_with(rest, "on "))) {
            flush();
            addr = a;
            continue;
        }
        if (addr.empty()) continue;
        if (diag.size() < k_max_diagnostic_bytes) (diag += ' ') += t;
    }
    flush();
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "exchange2003");
    return true;
}

} // namespace ndr::classifiers::formats
