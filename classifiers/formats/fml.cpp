// fml.cpp — notices of the fml mailing-list manager (a post refused or a loop detected).
//
// Detection (Sisimai Lhost/FML.pm): an X-MLServer header, a From of "<list>-admin@" and a Message-ID
// with ".FML". The notice names the address in angle brackets on a line before "Original mail as
// follows:"; that line and the rest of the paragraph are the diagnostic ("You are not a member of
// this mailing list <list@example.org>.", "Duplicated Message-ID in <list@example.org>."). The
// reason comes from the phrase tables in reasons/vendor.cpp (format "fml"), else from the Subject.
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_fml(const Context& ctx, DeliveryReport& report) {
    if (!has_header(ctx, Field::x_mlserver) || !from_has(ctx, "-admin@") ||
        !contains(header(ctx, Field::message_id), ".FML"))
        return false;
    std::size_t end = find_line(ctx, "Original mail as follows:");
    if (end == std::string_view::npos) end = ctx.lines.size();
    std::size_t added = 0;
    for (std::size_t i = 0; i < end; ++i) {
        const std::string_view line = ctx.lines[i];
        const std::size_t lt = line.find('<');
        const std::size_t gt = line.rfind('>');
        if (lt == std::string_view::npos || gt == std::string_view::npos || gt < lt) continue;
        const std::string a = find_address(line.substr(lt, gt - lt + 1));
        if (a.empty()) continue;
        std::string diag(trim(line));
        for (std::size_t j = i + 1; j < end && diag.size() < k_max_diagnostic_bytes; ++j) {
            const std::string_view t = trim(ctx.lines[j]);
            if (t.empty() || t.find('<') != std::string_view::npos) break;
            (diag += ' ') += t;
        }
        RecipientRecord r = make_record(ctx, a, diag, "fml");
        // A loop or a refused post, not an SMTP reply: the Subject says which when the text does not.
        if (contains(ctx.subject, "Loop Alert") || contains(ctx.subject, "Loop Back Warning"))
            r.verdict.reason = Reason::systemerror;
        else if (contains(ctx.subject, " are not member") || contains(ctx.subject, "NOT MEMBER article"))
            r.verdict.reason = Reason::rejected;
        if (!add_record(report, std::move(r))) break;
        ++added;
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "fml");
    return true;
}

} // namespace ndr::classifiers::formats
