// x1.cpp — the Mail2000-style template Sisimai calls X1: "---The following addresses had delivery
// errors---" then one "user@example.org [reason]" line per recipient.
//
// Layout (Sisimai Lhost/X1.pm). Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_x1(const Context& ctx, DeliveryReport& report) {
    if (find_head(ctx, "---The following addresses had delivery errors---") == std::string_view::npos) return false;
    const std::size_t head = find_line_starting(ctx, "---The following addresses had delivery errors---");
    if (head == std::string_view::npos) return false;
    std::size_t added = 0;
    for (std::size_t i = head + 1; i < ctx.lines.size(); ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (t.empty()) continue;
        std::string a;
        std::string_view rest;
        if (!split_address_line(t, a, rest)) break;
        if (rest.starts_with('[') && rest.ends_with(']')) rest = rest.substr(1, rest.size() - 2);
        if (!add_record(report, make_record(ctx, a, rest, "x1"))) break;
        ++added;
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "x1");
    return true;
}

} // namespace ndr::classifiers::formats
