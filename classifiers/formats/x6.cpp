// x6.cpp — "We had trouble delivering your message" notices of an unnamed gateway (Sisimai calls
// it X6).
//
// Layout (Sisimai Lhost/X6.pm):
//   We had trouble delivering your message. Full details follow:
//   1 error(s):
//   The following recipients returned permanent errors: user@example.org. Reason: SMTP Server
//     <192.0.2.1> refused to accept your message (DATA), with the following error message: [554 ...]
//   SMTP Server <mx.example.org> rejected recipient <user@example.org> (Error following RCPT
//     command). It responded as follows: [550 5.1.1 User unknown]
// The reply inside "[...]" is the diagnostic; "(DATA)" / "(Error following RCPT command)" the command.
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

namespace {

// The command named in "(DATA)" or "(Error following RCPT command)".
std::string x6_command(std::string_view line) {
    for (std::string_view c : {"RCPT", "DATA", "MAIL", "HELO", "EHLO"}) {
        std::string paren = "(" + std::string(c) + ")";
        std::string following = "following " + std::string(c);
        if (contains(line, paren) || contains(line, following)) return std::string(c);
    }
    return {};
}

} // namespace

bool parse_x6(const Context& ctx, DeliveryReport& report) {
    const std::size_t opener = find_head(ctx, "We had trouble delivering your message. Full details follow:");
    if (opener == std::string_view::npos) return false;
    std::size_t added = 0;
    for (std::size_t i = opener + 1; i < ctx.lines.size(); ++i) {
        const std::string_view line = trim(ctx.lines[i]);
        std::string addr;
        if (const std::size_t p = ifind(line, "returned permanent errors:"); p != std::string_view::npos)
            addr = find_address(line.substr(p + 26));
        else if (const std::size_t q = ifind(line, "rejected recipient "); q != std::string_view::npos)
            addr = find_address(line.substr(q + 19));
        if (addr.empty()) continue;
        std::string_view diag = line;
        const std::size_t lb = line.rfind('[');
        const std::size_t rb = line.rfind(']');
        if (lb != std::string_view::npos && rb != std::string_view::npos && rb > lb + 1)
            diag = line.substr(lb + 1, rb - lb - 1);
        RecipientRecord r = make_record(ctx, addr, diag, "x6", Action::failed, x6_command(line));
        if (const std::size_t s = ifind(line, "SMTP Server <"); s != std::string_view::npos) {
            const std::size_t e = line.find('>', s + 13);
            if (e != std::string_view::npos) r.remote_mta = std::string(line.substr(s + 13, e - s - 13));
        }
        if (!add_record(report, std::move(r))) break;
        ++added;
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "x6");
    return true;
}

} // namespace ndr::classifiers::formats
