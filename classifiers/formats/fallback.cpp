// fallback.cpp — two plain-text layouts of unnamed mail systems, tried after every named module
// (Sisimai reads them in its RFC 3464 fallback scanner, Sisimai/RFC3464.pm).
//
//   |------------------------- Failed addresses follow: ---------------------|
//    user@example.org ... unknown host
//   |------------------------- Message text follows: ------------------------|
// and an Exchange-like notice that gives no reason at all:
//   Did not reach the following recipient: user@example.org
// The text after "... " (first layout) or the sentence itself (second) is the diagnostic.
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

namespace {

bool parse_failed_addresses(const Context& ctx, DeliveryReport& report) {
    const std::size_t head = find_head(ctx, "Failed addresses follow:");
    if (head == std::string_view::npos) return false;
    std::size_t added = 0;
    for (std::size_t i = head + 1; i < ctx.lines.size(); ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (t.starts_with("|-") || t.starts_with("--")) break;
        const std::size_t dots = t.find(" ... ");
        std::string a;
        if (dots == std::string_view::npos || !is_address_line(t.substr(0, dots), &a)) continue;
        if (!add_record(report, make_record(ctx, a, trim(t.substr(dots + 5)), "fallback"))) break;
        ++added;
    }
    return added != 0;
}

bool parse_did_not_reach(const Context& ctx, DeliveryReport& report) {
    std::size_t added = 0;
    // The lines that hold the phrase (the index lists them).
    constexpr Needle phrase = "Did not reach the following recipient";
    for (std::size_t i = find_line(ctx, phrase); i != std::string_view::npos;
         i = find_line(ctx, phrase, i + 1)) {
        const std::string_view t = trim(ctx.lines[i]);
        const std::size_t p = ifind(t, phrase.text);
        if (p == std::string_view::npos) continue;
        const std::size_t colon = t.find(':', p);
        if (colon == std::string_view::npos) continue;
        std::string a;
        if (!is_address_line(trim(t.substr(colon + 1)), &a)) continue;
        if (!add_record(report, make_record(ctx, a, t, "fallback"))) break;
        ++added;
    }
    return added != 0;
}

} // namespace

bool parse_fallback(const Context& ctx, DeliveryReport& report) {
    // Layouts this loose are read only in a mail system's own notice: a person quoting one is no NDR.
    if (!from_has(ctx, "mailer-daemon") && !from_has(ctx, "postmaster")) return false;
    if (!parse_failed_addresses(ctx, report) && !parse_did_not_reach(ctx, report)) return false;
    read_part_original(ctx, report);
    finish(report, "fallback");
    return true;
}

} // namespace ndr::classifiers::formats
