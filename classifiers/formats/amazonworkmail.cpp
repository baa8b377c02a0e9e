// amazonworkmail.cpp — Amazon WorkMail bounces: a text part that carries RFC 3464 fields inline after
// "Technical report:" instead of a message/delivery-status part.
//
// Layout (Sisimai Lhost/AmazonWorkMail.pm): X-Mailer: Amazon WorkMail;
//   An error occurred while trying to deliver the mail to the following recipients:
//   user@example.org
//   Technical report:
//   Reporting-MTA: dsn; a27-80.smtp-out.us-west-2.amazonses.com
//   Action: failed
//   Final-Recipient: rfc822; user@example.org
//   Diagnostic-Code: smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>
//   Status: 4.4.7
// A remote reply nested in "<...>" at the end of the diagnostic is the one the remote server gave.
// Input is attacker-controlled; the fields are read by parse_delivery_status() (dsn.hpp).
#include "classifiers/formats/modules.hpp"

#include "classifiers/status_code.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_amazonworkmail(const Context& ctx, DeliveryReport& report) {
    if (!contains(header(ctx, Field::x_mailer), "Amazon WorkMail")) return false;
    const std::size_t tech = find_line(ctx, "Technical report:");
    if (tech == std::string_view::npos) return false;
    const std::size_t before = report.recipients.size();
    std::string_view fields = text_from_line(ctx, tech + 1);
    parse_delivery_status(fields, report);
    if (report.recipients.size() == before) return false;
    for (std::size_t i = before; i < report.recipients.size(); ++i) {
        auto& r = report.recipients[i];
        r.format = "amazonworkmail";
        // "...<421 4.4.2 Connection timed out>": the nested reply is the remote server's own.
        const std::string_view d = trim(r.diagnostic);
        const std::size_t lt = d.rfind('<');
        if (lt != std::string_view::npos && d.ends_with('>')) {
            const std::string_view inner = d.substr(lt + 1, d.size() - lt - 2);
            if (const int code = leading_reply_code(inner); code != 0) {
                r.reply_code = code;
                if (std::string s = find_status(inner); !s.empty()) r.status = s;
            }
        }
    }
    read_part_original(ctx, report);
    finish(report, "amazonworkmail");
    return true;
}

} // namespace ndr::classifiers::formats
