// notice.cpp — the rejection line of a bounce notice that no module could read a recipient from.
//
// "The remote server said: 554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using
// zen.spamhaus.org" in a notice that names nobody still says why, and which list: the line that
// carries a 4xx/5xx reply code or an RFC 3463 status, with the rest of its paragraph, becomes the
// diagnostic of a record without a recipient (parse.cpp), so the reason and the list hit are not
// lost with the address.
// Input is attacker-controlled; one pass over at most k_max_notice_lines lines of the readable text.
#include "classifiers/formats/common.hpp"
#include "classifiers/formats/format.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/status_code.hpp"
#include "classifiers/text.hpp"

#include <algorithm>

namespace ndr::classifiers::formats {

namespace {
constexpr std::size_t k_max_notice_lines = 400;
} // namespace

std::string notice_rejection_line(const ParsedMessage& msg) {
    try {
        Context ctx;
        build_context(msg, ctx);
        // An inline returned original is the sender's text, not the notice's.
        const std::size_t end =
            std::min<std::size_t>({find_original_marker(ctx, 0), ctx.lines.size(), k_max_notice_lines});
        for (std::size_t i = 0; i < end; ++i) {
            std::string_view t = trim(ctx.lines[i]);
            if (t.empty() || t.starts_with('>')) continue; // quoted: somebody else's words
            if (t.size() > k_max_diagnostic_bytes) t = t.substr(0, k_max_diagnostic_bytes);
            const int code = reply_code_in(t);
            const std::string status = find_status(t);
            if ((code >= 400 && code < 600) || status.starts_with('4') || status.starts_with('5')) {
                // Notices wrap the remote reply: the rest of its paragraph belongs to it. paragraph()
                // stops near k_max_diagnostic_bytes; make_record() caps it at a character boundary.
                return paragraph(ctx, i, end);
            }
        }
    } catch (...) { // allocation failure on hostile input: no line
    }
    return {};
}

} // namespace ndr::classifiers::formats
