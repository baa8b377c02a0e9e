// zoho.cpp — Zoho Mail bounces and delay warnings.
//
// Layouts (Sisimai Lhost/Zoho.pm): X-ZohoMail header or From ...@mail.zoho.com;
//   permanent: "user@example.org Invalid Address, ERROR_CODE :550, ERROR_CODE :5.2.1 <...>... User Unknown"
//   delay:     "[Status: Error, Address: <user@example.org>, ResponseCode 421, , Host not reachable.]"
//              "Message will be retried for 4 more day(s)"
// "ERROR_CODE :" prefixes are removed so the reply code and status read as the remote server wrote
// them. Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

namespace {

std::string drop_error_code_labels(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t pos = 0;
    for (;;) {
        const std::size_t p = ifind(s, "ERROR_CODE :", pos);
        if (p == std::string_view::npos) break;
        out.append(s.substr(pos, p - pos));
        pos = p + 12;
    }
    out.append(s.substr(pos));
    return out;
}

// "Invalid Address, 550, 5.2.1 ..." / "Error, 421, , Host not reachable.": the reply code is a
// comma-separated item.
void reply_from_items(RecipientRecord& r) {
    if (r.reply_code != 0) return;
    for (std::size_t p = r.diagnostic.find(", "); p != std::string::npos; p = r.diagnostic.find(", ", p + 2))
        if (const int code = leading_reply_code(std::string_view(r.diagnostic).substr(p + 2)); code != 0) {
            r.reply_code = code;
            return;
        }
}

} // namespace

bool parse_zoho(const Context& ctx, DeliveryReport& report) {
    if (!has_header(ctx, Field::x_zohomail) && !from_has(ctx, "@mail.zoho") &&
        !contains(header(ctx, Field::x_mailer), "Zoho Mail"))
        return false;
    const bool delayed = find_line(ctx, "THIS IS A WARNING MESSAGE ONLY") != std::string_view::npos;
    std::size_t added = 0;
    for (std::size_t i = 0; i < ctx.lines.size(); ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (istarts_with(t, "[Status:") && contains(t, "Address:")) {
            // "[Status: Error, Address: <a@b>, ResponseCode 421, , Host not reachable.]"
            const std::string a = find_address(t);
            if (a.empty() || report_full(report)) continue;
            std::string diag(t);
            const std::size_t rc = ifind(diag, "ResponseCode ");
            RecipientRecord r = make_record(ctx, a, rc == std::string::npos ? diag : diag.substr(rc + 13),
                                            "zoho", delayed ? Action::delayed : Action::failed);
            r.diagnostic = collapse_whitespace(diag);
            reply_from_items(r);
            if (add_record(report, std::move(r))) ++added;
            continue;
        }
        std::string a;
        std::string_view rest;
        if (indent_of(ctx.lines[i]) == 0 && split_address_line(t, a, rest) && !rest.empty() &&
            contains(rest, "ERROR_CODE")) {
            std::string diag = drop_error_code_labels(rest);
            for (std::size_t j = i + 1; j < ctx.lines.size() && !trim(ctx.lines[j]).empty(); ++j) {
                std::string b;
                std::string_view r2;
                if (split_address_line(ctx.lines[j], b, r2) || diag.size() >= k_max_diagnostic_bytes) break;
                (diag += ' ') += trim(ctx.lines[j]);
                i = j;
            }
            if (report_full(report)) continue;
            RecipientRecord r = make_record(ctx, a, diag, "zoho", delayed ? Action::delayed : Action::failed);
            reply_from_items(r);
            if (add_record(report, std::move(r))) ++added;
        }
    }
    if (added == 0) return false;
    read_part_original(ctx, report);
    finish(report, "zoho");
    return true;
}

} // namespace ndr::classifiers::formats
