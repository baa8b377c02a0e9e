// qmail.cpp — qmail-send bounce messages ("failure notice") and netqmail/vpopmail variants.
//
// Layout (qmail-send.c; Sisimai Lhost/qmail.pm):
//   Hi. This is the qmail-send program at mx.example.net.
//   I'm afraid I wasn't able to deliver your message to the following addresses.
//   This is a permanent error; I've given up. Sorry it didn't work out.
//
//   <user@example.org>:
//   Remote host said: 550 5.1.1 <user@example.org>... User unknown
//
//   --- Below this line is a copy of the message.
// Deferral notices say "I'm not going to try again" / "I'm still trying". Input is attacker-controlled;
// linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include <algorithm>

#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

bool parse_qmail(const Context& ctx, DeliveryReport& report) {
    std::size_t begin = std::string_view::npos;
    // The opening sentences of qmail and its forks: k_qmail_openers (needles.hpp).
    static constexpr auto k_openers = needles_of(k_qmail_openers);
    for (const Needle o : k_openers) begin = std::min(begin, find_head(ctx, o));
    if (begin == std::string_view::npos) return false;
    const std::size_t marker = find_original_marker(ctx, begin);
    // qmail-send.c: "I'm not going to try again" ends a permanent failure; a deferral report says so.
    const bool delayed = find_line(ctx, "I'm still trying") < marker;
    BlockOptions opt;
    opt.max_indent = 0;
    if (parse_address_blocks(ctx, begin + 1, marker, "qmail", delayed ? Action::delayed : Action::failed, report,
                             opt) == 0)
        return false;
    if (marker != std::string_view::npos) read_original_after(ctx, marker, report);
    read_part_original(ctx, report);
    finish(report, "qmail");
    return true;
}

} // namespace ndr::classifiers::formats
