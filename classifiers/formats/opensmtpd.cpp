// opensmtpd.cpp — OpenSMTPD bounce and delay reports.
//
// Layout (OpenSMTPD smtpd/bounce.c; Sisimai Lhost/OpenSMTPD.pm):
//   This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.
//   An error has occurred while attempting to deliver a message for
//   the following list of recipients:            | A message is delayed for more than ... for the
//                                                | following list of recipients:
//   user@example.org: 550 5.1.1 <user@example.org>... User Unknown
//
//   Below is a copy of the original message:
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_opensmtpd(const Context& ctx, DeliveryReport& report) {
    // bounce.c: "This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail."
    const std::size_t opener = find_head(ctx, "This is the MAILER-DAEMON, please DO NOT REPLY");
    if (opener == std::string_view::npos) return false;
    const std::size_t begin = find_line(ctx, "list of recipients", opener);
    if (begin == std::string_view::npos) return false;
    const bool delayed = find_line(ctx, "is delayed for more than", opener) <= begin;
    const std::size_t marker = find_original_marker(ctx, begin);
    BlockOptions opt;
    opt.max_indent = 0;
    if (parse_address_blocks(ctx, begin + 1, marker, "opensmtpd", delayed ? Action::delayed : Action::failed, report,
                             opt) == 0)
        return false;
    if (marker != std::string_view::npos) read_original_after(ctx, marker, report);
    read_part_original(ctx, report);
    finish(report, "opensmtpd");
    return true;
}

} // namespace ndr::classifiers::formats
