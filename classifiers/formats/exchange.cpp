// exchange.cpp — Microsoft Exchange 2007 and later, Exchange Online / Office 365 / Outlook.com
// non-delivery reports, read from their human-readable text when no usable delivery-status part
// exists (and used to enrich one that does).
//
// Layouts (Microsoft "DSNs and NDRs in Exchange Online"; Sisimai Lhost/Exchange2007.pm, Office365.pm):
//   old: Delivery has failed to these recipients or groups: ... Diagnostic information for administrators:
//        Generating server: host.example.com
//        user@example.org
//        #550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##
//   new: ... Diagnostic information for administrators: Generating server: ...
//        user@example.org
//        Remote Server returned '550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked ...'
//        Original message headers:
// Input is attacker-controlled; linear scan of the readable text.
#include "classifiers/formats/modules.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

namespace {

// "Remote Server returned '550 ...'" -> "550 ..."; "#550 5.1.1 ... ##" -> "550 5.1.1 ...".
std::string_view unwrap_reply(std::string_view t) {
    t = trim(t);
    if (istarts_with(t, "Remote Server returned")) {
        t = trim(t.substr(22));
        if (t.starts_with('\'')) t.remove_prefix(1);
        if (t.ends_with('\'')) t.remove_suffix(1);
    }
    if (t.starts_with('#')) t.remove_prefix(1);
    if (t.ends_with("##")) t.remove_suffix(2);
    return trim(t);
}

} // namespace

bool parse_exchange(const Context& ctx, DeliveryReport& report) {
    // The administrators' section heading is the same in every Exchange 2007+ template.
    const std::size_t diag_head = find_head(ctx, "Diagnostic information for administrators");
    if (diag_head == std::string_view::npos) return false;
    std::size_t end = find_line(ctx, "Original message headers", diag_head);
    end = std::min(end, ctx.lines.size());
    std::string addr, diag;
    std::string generating;
    std::size_t added = 0;
    auto flush = [&] {
        if (addr.empty()) return;
        if (!report_full(report) && add_record(report, make_record(ctx, addr, diag, "exchange"))) ++added;
        addr.clear();
        diag.clear();
    };
    for (std::size_t i = diag_head + 1; i < end; ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (t.empty()) continue;
        if (istarts_with(t, "Generating server:")) {
            generating = std::string(trim(t.substr(18)));
            continue;
        }
        std::string a;
        if (is_address_line(t, &a)) {
            flush();
            addr = std::move(a);
            continue;
        }
        if (addr.empty()) continue;
        // The remote reply and the lines Exchange adds below it ("Remote Server at ... returned ...").
        if (diag.size() < k_max_diagnostic_bytes) {
            if (!diag.empty()) diag += ' ';
            diag += unwrap_reply(t);
        }
    }
    flush();
    if (added == 0) return false;
    if (report.reporting_mta.empty()) report.reporting_mta = generating;
    if (end < ctx.lines.size()) read_original_after(ctx, end, report);
    read_part_original(ctx, report);
    finish(report, "exchange");
    return true;
}

} // namespace ndr::classifiers::formats
