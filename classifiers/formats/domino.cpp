// domino.cpp — IBM/HCL (Lotus) Domino and the older Lotus Notes SMTP MTA non-delivery reports.
//
// Layouts (Sisimai Lhost/Domino.pm, Notes.pm):
//   Domino:  Your message
//              Subject: ...
//            was not delivered to:
//              user@example.org
//            because:
//              User user (user@example.org) not listed in Domino Directory
//   Notes:   ------- Failure Reasons  --------
//            <reason>
//            user@example.org
//            ------- Returned Message --------
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

namespace {

bool parse_domino_text(const Context& ctx, DeliveryReport& report) {
    const std::size_t to = find_head(ctx, "was not delivered to:");
    if (to == std::string_view::npos) return false;
    const std::size_t because = find_line(ctx, "because:", to);
    if (because == std::string_view::npos) return false;
    std::vector<std::string> rcpts;
    for (std::size_t i = to + 1; i < because; ++i)
        if (std::string a; is_address_line(ctx.lines[i], &a)) rcpts.push_back(a);
    const std::string diag = paragraph(ctx, because + 1, find_original_marker(ctx, because));
    std::size_t added = 0;
    for (const auto& a : rcpts) {
        if (!add_record(report, make_record(ctx, a, diag, "domino"))) break;
        ++added;
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "domino");
    return true;
}

bool parse_notes_text(const Context& ctx, DeliveryReport& report) {
    if (find_head(ctx, "------- Failure Reasons") == std::string_view::npos) return false;
    const std::size_t head = find_line_starting(ctx, "------- Failure Reasons");
    if (head == std::string_view::npos) return false;
    const std::size_t end = std::min(find_original_marker(ctx, head), ctx.lines.size());
    std::string diag;
    std::size_t added = 0;
    for (std::size_t i = head + 1; i < end; ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (t.empty()) continue;
        if (std::string a; is_address_line(t, &a)) {
            if (!add_record(report, make_record(ctx, a, diag, "notes"))) break;
            ++added;
            continue;
        }
        if (diag.size() < k_max_diagnostic_bytes) (diag += ' ') += t;
    }
    if (added == 0) return false;
    if (end < ctx.lines.size()) read_original_after(ctx, end, report);
    read_part_original(ctx, report);
    finish(report, "notes");
    return true;
}

} // namespace

bool parse_domino(const Context& ctx, DeliveryReport& report) {
    return parse_domino_text(ctx, report) || parse_notes_text(ctx, report);
}

} // namespace ndr::classifiers::formats
