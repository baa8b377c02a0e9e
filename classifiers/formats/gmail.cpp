// gmail.cpp — Gmail's own bounce and delay notices (the pre-2015 plain-text template without a
// delivery-status part).
//
// Layout (Sisimai Lhost/Gmail.pm):
//   Delivery to the following recipient failed permanently:      | ... has been delayed:
//
//        user@example.org
//
//   Technical details of permanent failure:                      | ... of temporary failure:
//   Google tried to deliver your message, but it was rejected by the server for the recipient
//   domain example.org by mx.example.org. [192.0.2.1].
//
//   The error that the other server returned was:
//   550 5.1.1 <user@example.org>... User Unknown (state 14)
//
//   ----- Original message -----
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_gmail(const Context& ctx, DeliveryReport& report) {
    // Gmail.pm: the sender is mailer-daemon@googlemail.com / @gmail.com.
    if (!contains(ctx.from, "mailer-daemon@google") && !contains(ctx.from, "mailer-daemon@gmail")) return false;
    const std::size_t begin = find_line(ctx, "Delivery to the following recipient");
    if (begin == std::string_view::npos) return false;
    const bool delayed = contains(ctx.lines[begin], "delayed");
    const std::size_t tech = find_line(ctx, "Technical details of", begin);
    const std::size_t marker = find_original_marker(ctx, begin);
    const std::size_t list_end = std::min(tech, marker);
    // The recipients: indented addresses between the opening line and the technical details.
    std::vector<std::string> rcpts;
    for (std::size_t i = begin + 1; i < list_end && i < ctx.lines.size(); ++i) {
        std::string a;
        if (is_address_line(ctx.lines[i], &a)) rcpts.push_back(a);
    }
    if (rcpts.empty()) return false;
    std::string diag;
    if (tech != std::string_view::npos) {
        for (std::size_t i = tech + 1; i < marker && i < ctx.lines.size(); ++i) {
            if (diag.size() >= k_max_diagnostic_bytes) break;
            (diag += '\n') += ctx.lines[i];
        }
    }
    // "The error that the other server returned was:" introduces the remote reply (Gmail.pm).
    std::string_view reply = diag;
    const std::size_t said = ifind(diag, "The error that the other server returned was:");
    if (said != std::string::npos) reply = std::string_view(diag).substr(said + 45);
    for (const auto& a : rcpts) {
        RecipientRecord r = make_record(a, reply, "gmail", delayed ? Action::delayed : Action::failed);
        if (said != std::string::npos) {
            // Keep Google's sentence too: it says whether the connection or the reply failed.
            r.diagnostic = collapse_whitespace(diag);
            if (r.diagnostic.size() > k_max_diagnostic_bytes) r.diagnostic.resize(k_max_diagnostic_bytes);
        }
        r.remote_mta = find_remote_host(diag);
        if (!add_record(report, std::move(r))) break;
    }
    if (marker != std::string_view::npos) read_original_after(ctx, marker, report);
    read_part_original(ctx, report);
    finish(report, "gmail");
    return true;
}

} // namespace ndr::classifiers::formats
