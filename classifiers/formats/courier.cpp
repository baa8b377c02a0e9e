// courier.cpp — Courier mail server delivery status notifications.
//
// Layout (courier/module.esmtp, courierdsn; Sisimai Lhost/Courier.pm):
//   This is a delivery status notification from mx.example.net,
//   running the Courier mail server, version 0.65.2.
//   ...
//   Your message to the following recipients cannot be delivered:
//
//   <user@example.org>:
//       mx.example.org [192.0.2.1]:
//   >>> RCPT TO:<user@example.org>
//   <<< 550 5.1.1 <user@example.org>... User Unknown
// A delivery-status part usually follows; this module then only fills what it left out. The remote
// reply ("<<<" lines) is the diagnostic. Input is attacker-controlled; linear scan of the text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_courier(const Context& ctx, DeliveryReport& report) {
    if (find_head(ctx, "running the Courier mail server") == std::string_view::npos) return false;
    std::size_t begin = find_line(ctx, "following recipients cannot be delivered");
    const bool delayed = begin == std::string_view::npos;
    if (begin == std::string_view::npos) begin = find_line(ctx, "following recipients has been delayed");
    if (begin == std::string_view::npos) begin = find_line(ctx, "following recipients");
    if (begin == std::string_view::npos) return false;
    std::size_t added = 0;
    std::string addr, reply, remote, command;
    auto flush = [&] {
        if (addr.empty()) return;
        if (!report_full(report)) {
            RecipientRecord r =
                make_record(ctx, addr, reply, "courier", delayed ? Action::delayed : Action::failed, command);
            r.remote_mta = remote;
            if (add_record(report, std::move(r))) ++added;
        }
        addr.clear();
        reply.clear();
        remote.clear();
        command.clear();
    };
    for (std::size_t i = begin + 1; i < ctx.lines.size(); ++i) {
        const std::string_view line = ctx.lines[i];
        const std::string_view t = trim(line);
        if (t.starts_with("-----")) break;
        if (t.empty()) continue;
        std::string a;
        std::string_view rest;
        if (indent_of(line) == 0 && split_address_line(line, a, rest) && !t.starts_with(">>>")) {
            flush();
            addr = a;
            reply = std::string(rest);
            continue;
        }
        if (addr.empty()) continue;
        if (t.starts_with(">>> ")) {
            command = find_smtp_command(t);
        } else if (t.starts_with("<<< ")) {
            if (reply.size() < k_max_diagnostic_bytes) (reply += ' ') += t.substr(4);
        } else if (remote.empty() && t.ends_with(':')) {
            remote = std::string(trim(t.substr(0, t.find(' '))));
            if (remote.ends_with(':')) remote.pop_back();
        } else if (reply.size() < k_max_diagnostic_bytes) {
            (reply += ' ') += t;
        }
    }
    flush();
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "courier");
    return true;
}

} // namespace ndr::classifiers::formats
