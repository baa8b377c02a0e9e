// mfilter.cpp — m-FILTER (Digital Arts) bounces.
//
// Layout (Sisimai Lhost/mFILTER.pm): a Japanese preamble, then
//   user@example.org
//   -------server message
//   550 5.1.1 <user@example.org>... User unknown
//   -------SMTP command
//   RCPT
//   -------original message        (or "-------original mail info")
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_mfilter(const Context& ctx, DeliveryReport& report) {
    if (find_head(ctx, "-------server message") == std::string_view::npos) return false;
    const std::size_t server = find_line_starting(ctx, "-------server message");
    if (server == std::string_view::npos) return false;
    std::vector<std::string> rcpts;
    for (std::size_t i = 0; i < server; ++i)
        if (std::string a; is_address_line(ctx.lines[i], &a)) rcpts.push_back(a);
    if (rcpts.empty()) return false;
    std::string diag, command;
    std::size_t i = server + 1;
    for (; i < ctx.lines.size() && !trim(ctx.lines[i]).starts_with("-------"); ++i)
        if (diag.size() < k_max_diagnostic_bytes) (diag += ' ') += trim(ctx.lines[i]);
    if (i < ctx.lines.size() && contains(ctx.lines[i], "SMTP command")) {
        for (++i; i < ctx.lines.size() && !trim(ctx.lines[i]).starts_with("-------"); ++i)
            if (const std::string_view t = trim(ctx.lines[i]); !t.empty() && command.empty())
                command = std::string(t.substr(0, t.find(' ')));
    }
    std::size_t added = 0;
    for (const auto& a : rcpts) {
        RecipientRecord r = make_record(ctx, a, diag, "mfilter");
        if (!command.empty()) r.smtp_command = to_lower_ascii(command) == "data" ? "DATA" : find_smtp_command(command);
        if (r.smtp_command.empty()) r.smtp_command = command.size() <= 4 ? command : std::string();
        if (!add_record(report, std::move(r))) break;
        ++added;
    }
    if (added == 0) return false;
    if (const std::size_t m = find_original_marker(ctx, server); m != std::string_view::npos)
        read_original_after(ctx, m, report);
    read_part_original(ctx, report);
    finish(report, "mfilter");
    return true;
}

} // namespace ndr::classifiers::formats
