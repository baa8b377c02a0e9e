// report_html.cpp — renders ReportData as one HTML page with an inline SVG chart (see report_html.hpp).
#include "agent/report_html.hpp"

#include "agent/scan.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace ndr::agent {

namespace {

// Colour-blind-safe palette (Okabe–Ito) for the chart's series; "other" is grey.
constexpr const char* k_palette[k_chart_series] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                                   "#CC79A7", "#56B4E9", "#F0E442", "#000000"};
constexpr const char* k_other_colour = "#999999";

constexpr std::string_view k_style = R"CSS(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:1.5rem 2rem;color:#1b1b1b;background:#fff;max-width:72rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #ddd;padding-bottom:.25rem}
p.meta{color:#555;margin:.25rem 0}
.summary{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.summary div{border:1px solid #ddd;border-radius:6px;padding:.5rem .9rem;min-width:7rem}
.summary b{display:block;font-size:1.4rem}
.incident{border:1px solid #ccc;border-left:6px solid #0072B2;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0}
.incident.fix-first{border-left-color:#D55E00}
.incident h3{margin:.1rem 0 .4rem;font-size:1.05rem}
.status{display:inline-block;font-size:.8rem;padding:0 .45rem;border-radius:4px;background:#e8eef7;margin-left:.4rem}
.fix-first .status{background:#fbe3d6}
.next{background:#f6f8fa;border-radius:4px;padding:.4rem .7rem;margin:.5rem 0}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85rem}
pre{white-space:pre-wrap;word-break:break-all;margin:.2rem 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;border-bottom:1px solid #e3e3e3;padding:.3rem .5rem;vertical-align:top}
th{background:#f3f3f3}
td.listed{color:#a33c00;font-weight:600}td.not-listed{color:#1d6b32}td.query-refused,td.lookup-failed{color:#7a5b00}
.none{color:#555;font-style:italic}
mark{background:#fff1a8;padding:0 .1em}
table.evidence td:first-child{width:70%}td.when{white-space:nowrap}
svg text{font-family:system-ui,sans-serif;font-size:11px;fill:#333}
)CSS";

std::string e(std::string_view text) {
    return html_escape(text);
}

std::string day_text(std::int64_t day) {
    return format_utc(day * 86400).substr(0, 10);
}

std::string when(std::int64_t t) {
    if (t <= 0) return "-";
    auto text = format_utc(t); // 2026-11-23T18:25:49Z
    if (text.size() >= 20) text = text.substr(0, 10) + " " + text.substr(11, 5) + " UTC";
    return text;
}

std::string counts_html(const store::Counts& counts, std::size_t max) {
    if (counts.empty()) return "<span class=\"none\">none</span>";
    std::string out;
    std::size_t i = 0;
    for (const auto& [name, n] : counts) {
        if (i == max) {
            out += ", … (" + std::to_string(counts.size() - max) + " more)";
            break;
        }
        if (i++ > 0) out += ", ";
        out += e(name) + " (" + std::to_string(n) + ")";
    }
    return out;
}

// A URL from the rule files, shown as a link only when it is plain http(s).
std::string link(std::string_view url) {
    if (url.starts_with("https://") || url.starts_with("http://"))
        return "<a href=\"" + e(url) + "\">" + e(url) + "</a>";
    return e(url);
}

// `text` escaped, with the first occurrence of `span` in a <mark>.
std::string marked(std::string_view text, std::string_view span) {
    const auto at = span.empty() ? std::string_view::npos : text.find(span);
    if (at == std::string_view::npos) return e(text);
    return e(text.substr(0, at)) + "<mark>" + e(span) + "</mark>" + e(text.substr(at + span.size()));
}

// Fix-first incidents first (the host must be cleaned before anything else), then latest first.
std::vector<const IncidentReport*> in_order(const std::vector<IncidentReport>& incidents) {
    std::vector<const IncidentReport*> out;
    for (const auto& ir : incidents)
        out.push_back(&ir);
    std::stable_sort(out.begin(), out.end(), [](const IncidentReport* a, const IncidentReport* b) {
        const bool fa = a->next.fix_first || a->incident.status == "fix-first";
        const bool fb = b->next.fix_first || b->incident.status == "fix-first";
        return fa != fb ? fa : a->incident.last_seen > b->incident.last_seen;
    });
    return out;
}

void incidents_section(std::string& out, const ReportData& data) {
    const auto& incidents = data.triage.incidents;
    out += "<section id=\"incidents\">\n<h2>Open incidents (" + std::to_string(incidents.size()) + ")</h2>\n";
    if (incidents.empty()) {
        out += "<p class=\"none\">No open incidents: no bounce names a blocklist or reputation system.</p>\n";
    }
    for (const auto* irp : in_order(incidents)) {
        const auto& ir = *irp;
        const auto& i = ir.incident;
        const bool fix_first = ir.next.fix_first || i.status == "fix-first";
        out += "<article class=\"incident" + std::string(fix_first ? " fix-first" : "") +
               "\" id=\"incident-" + std::to_string(i.id) + "\">\n<h3>" + e(i.system);
        if (!ir.name.empty()) out += " <small>(" + e(ir.name) + ")</small>";
        out += " × " + (i.listed.empty() ? std::string("<span class=\"none\">nothing named</span>")
                                         : "<code>" + e(i.listed) + "</code>");
        out += "<span class=\"status\">" + e(i.status) + "</span></h3>\n";
        out += "<p>" + std::to_string(i.bounces) + " bounces, " + std::to_string(i.records) +
               " recipient records; first seen " + when(i.first_seen) + ", last seen " + when(i.last_seen);
        if (!ir.provider.empty()) out += "; provider " + e(ir.provider);
        out += "</p>\n<p>Recipient domains: " + counts_html(i.recipient_domains, k_max_report_domains) +
               "<br>Reasons: " + counts_html(i.reasons, k_max_report_domains) + "</p>\n";
        out += "<div class=\"next\"><b>Next step:</b> " + e(ir.next.text);
        if (!ir.next.url.empty()) out += "<br>Form: " + link(ir.next.url);
        if (!ir.next.address.empty()) out += "<br>Address: <code>" + e(ir.next.address) + "</code>";
        if (!ir.next.checklist.empty()) {
            out += "\n<ol class=\"checklist\">";
            for (const auto& step : ir.next.checklist)
                out += "<li>" + e(step) + "</li>";
            out += "</ol>";
        }
        out += "</div>\n";
        const auto it = data.evidence.find(i.id);
        if (it != data.evidence.end() && !it->second.empty()) {
            out += "<table class=\"evidence\"><tr><th>rejection (the part that names the list marked)</th>"
                   "<th>seen</th><th>last</th><th>remote server</th></tr>\n";
            for (const auto& ev : it->second)
                out +=
                    "<tr><td><pre>" +
                    marked(ev.diagnostic.empty() ? ev.evidence : ev.diagnostic, ev.evidence) +
                    "</pre></td><td>" + std::to_string(ev.count) + "×</td><td class=\"when\">" + when(ev.at) +
                    "</td><td>" + e(ev.remote_mta) +
                    (ev.recipient_domain.empty() ? ""
                                                 : "<br><small>for " + e(ev.recipient_domain) + "</small>") +
                    "</td></tr>\n";
            out += "</table>\n";
        }
        out += "</article>\n";
    }
    out += "</section>\n";
}

void chart_section(std::string& out, const ReportData& data, const HtmlOptions& options) {
    const int days = std::clamp(options.days, 1, k_max_chart_days);
    const auto end = chart_end_day(data.bounces_per_day, data.generated_at, days);
    out += "<section id=\"chart\">\n<h2>Bounces per day per list</h2>\n<p class=\"meta\">" +
           std::to_string(days) + " days from " + day_text(end - days + 1) + " to " + day_text(end) +
           " (UTC)";
    if (end != data.generated_at / 86400)
        out +=
            "; no bounce in the last " + std::to_string(days) + " days, so the window ends on the latest one";
    out += ". A bounce counts once per list it names.</p>\n";
    out += render_bounce_chart(data.bounces_per_day, end, days);
    out += "\n</section>\n";
}

void dnsbl_section(std::string& out, const ReportData& data) {
    out += "<section id=\"dnsbl\">\n<h2>DNSBL state per IP</h2>\n";
    if (data.dnsbl.empty()) {
        out += "<p class=\"none\">No DNSBL answers cached (run <code>ndr-triage check IP --state "
               "FILE</code>, or let "
               "the service re-check its incidents).</p>\n</section>\n";
        return;
    }
    out += "<table class=\"dnsbl\"><tr><th>IP or domain</th><th>list</th><th>state</th><th>codes and "
           "meanings</th><th>checked</th></tr>\n";
    for (const auto& d : data.dnsbl) {
        out += "<tr><td><code>" + e(d.target) + "</code></td><td>" + (d.list.empty() ? "-" : e(d.list)) +
               (d.zone.empty() ? "" : "<br><small>" + e(d.zone) + "</small>") + "</td><td class=\"" +
               e(d.outcome) + "\">" + e(d.outcome) + "</td><td>";
        for (std::size_t k = 0; k < d.codes.size(); ++k) {
            if (k > 0) out += "<br>";
            out += "<code>" + e(d.codes[k]) + "</code>";
        }
        for (const auto& m : d.meanings)
            out += "<br>" + e(m);
        out += "</td><td>" +
               (d.fetched_at > 0 ? when(d.fetched_at) + (d.stale ? " (expired, re-check)" : "") : "never") +
               "</td></tr>\n";
    }
    out += "</table>\n</section>\n";
}

void drafts_section(std::string& out, const ReportData& data) {
    out += "<section id=\"drafts\">\n<h2>Drafts awaiting review (" + std::to_string(data.drafts.size()) +
           ")</h2>\n";
    if (data.drafts.empty()) {
        out += "<p class=\"none\">No draft awaits review.</p>\n</section>\n";
        return;
    }
    out +=
        "<table class=\"drafts\"><tr><th>draft</th><th>incident</th><th>kind</th><th>to</th><th>subject</th>"
        "<th>updated</th></tr>\n";
    for (const auto& d : data.drafts) {
        out += "<tr><td>#" + std::to_string(d.id) + "</td><td>";
        if (d.incident_id > 0)
            out += "<a href=\"#incident-" + std::to_string(d.incident_id) + "\">" + e(d.system) +
                   (d.listed.empty() ? "" : " × " + e(d.listed)) + "</a>";
        else
            out += "-";
        out += "</td><td>" + e(d.kind) + "</td><td>" + e(d.recipient) + "</td><td>" + e(d.subject) +
               "</td><td>" + when(d.updated_at > 0 ? d.updated_at : d.created_at) + "</td></tr>\n";
    }
    out += "</table>\n</section>\n";
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

} // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::int64_t chart_end_day(const std::vector<DayCount>& counts, std::int64_t now, int days) {
    const std::int64_t today = now / 86400;
    std::int64_t latest = 0;
    bool in_window = false;
    for (const auto& c : counts) {
        latest = std::max(latest, c.day);
        if (c.day <= today && c.day > today - days) in_window = true;
    }
    return in_window || counts.empty() ? today : latest;
}

std::string render_bounce_chart(const std::vector<DayCount>& counts, std::int64_t end_day, int days) {
    days = std::clamp(days, 1, k_max_chart_days);
    const std::int64_t first = end_day - days + 1;
    // Series: lists by bounces inside the window, largest first; beyond k_chart_series - 1, "other".
    std::map<std::string, std::int64_t> totals;
    for (const auto& c : counts)
        if (c.day >= first && c.day <= end_day) totals[c.list] += c.bounces;
    std::vector<std::pair<std::string, std::int64_t>> series(totals.begin(), totals.end());
    std::stable_sort(series.begin(), series.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    // Series index per list; the last index, k_chart_series, is "other" when there are too many lists.
    const bool with_other = series.size() > k_chart_series;
    const std::size_t named = with_other ? k_chart_series - 1 : series.size();
    std::map<std::string, std::size_t> colour_of;
    std::vector<std::pair<std::string, std::int64_t>> legend; // name, bounces; legend[k] is series k
    for (std::size_t i = 0; i < series.size(); ++i) {
        colour_of[series[i].first] = i < named ? i : k_chart_series;
        if (i < named)
            legend.push_back(series[i]);
        else if (i == named)
            legend.emplace_back("other", series[i].second);
        else
            legend.back().second += series[i].second;
    }
    const auto name_of = [&](std::size_t k) {
        return k == k_chart_series ? std::string("other") : legend[k].first;
    };
    const auto colour = [&](std::size_t k) { return k == k_chart_series ? k_other_colour : k_palette[k]; };

    // stack[day][series index] = bounces
    std::vector<std::vector<std::int64_t>> stack(static_cast<std::size_t>(days),
                                                 std::vector<std::int64_t>(k_chart_series + 1, 0));
    for (const auto& c : counts)
        if (c.day >= first && c.day <= end_day)
            stack[static_cast<std::size_t>(c.day - first)][colour_of[c.list]] += c.bounces;
    std::int64_t max_total = 0;
    for (const auto& d : stack) {
        std::int64_t t = 0;
        for (auto n : d)
            t += n;
        max_total = std::max(max_total, t);
    }
    const std::int64_t y_max = std::max<std::int64_t>(max_total, 1);

    const int width = 760, left = 44, right = 12, top = 12, plot_h = 200, bottom = 34;
    const std::size_t legend_rows = (legend.size() + 3) / 4;
    const int height = top + plot_h + bottom + static_cast<int>(legend_rows) * 18 + 6;
    const double plot_w = width - left - right;
    const double slot = plot_w / days;
    const double bar_w = std::max(1.0, slot * 0.8);
    const auto y_of = [&](double v) { return top + plot_h - v * plot_h / static_cast<double>(y_max); };

    std::string out = "<svg id=\"bounce-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                      std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                      std::to_string(width) + " " + std::to_string(height) +
                      "\" role=\"img\" aria-label=\"Bounces per day per list, " + day_text(first) + " to " +
                      day_text(end_day) + "\">\n";
    out += "<title>Bounces per day per list</title>\n";
    // Axes and horizontal grid lines at 0, half and the maximum.
    std::vector<std::int64_t> ticks{0, y_max};
    if (y_max >= 2) ticks.insert(ticks.begin() + 1, y_max / 2);
    for (const auto t : ticks) {
        const std::string y = number(y_of(static_cast<double>(t)));
        out += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + y + "\" x2=\"" +
               std::to_string(width - right) + "\" y2=\"" + y + "\" stroke=\"#ddd\"/>";
        out += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" +
               number(y_of(static_cast<double>(t)) + 4) + "\" text-anchor=\"end\">" + std::to_string(t) +
               "</text>\n";
    }
    out += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(top + plot_h) + "\" x2=\"" +
           std::to_string(width - right) + "\" y2=\"" + std::to_string(top + plot_h) +
           "\" stroke=\"#333\"/>\n";
    const int label_every = std::max(1, (days + 9) / 10);
    for (int d = 0; d < days; ++d) {
        const double x = left + d * slot + (slot - bar_w) / 2;
        double base = 0;
        const auto& day_counts = stack[static_cast<std::size_t>(d)];
        for (std::size_t k = 0; k <= k_chart_series; ++k) {
            const auto n = day_counts[k];
            if (n == 0) continue;
            const std::string list = name_of(k);
            const double y1 = y_of(base + static_cast<double>(n));
            const double h = y_of(base) - y1;
            out += "<rect class=\"bar\" data-day=\"" + day_text(first + d) + "\" data-list=\"" +
                   html_escape(list) + "\" data-count=\"" + std::to_string(n) + "\" x=\"" + number(x) +
                   "\" y=\"" + number(y1) + "\" width=\"" + number(bar_w) + "\" height=\"" + number(h) +
                   "\" fill=\"" + colour(k) + "\"><title>" + day_text(first + d) + " " + html_escape(list) +
                   ": " + std::to_string(n) + "</title></rect>\n";
            base += static_cast<double>(n);
        }
        if (d % label_every == 0 || d == days - 1)
            out += "<text x=\"" + number(left + d * slot + slot / 2) + "\" y=\"" +
                   std::to_string(top + plot_h + 14) + "\" text-anchor=\"middle\">" +
                   day_text(first + d).substr(5) + "</text>\n";
    }
    if (series.empty())
        out += "<text x=\"" + std::to_string(left + static_cast<int>(plot_w / 2)) + "\" y=\"" +
               std::to_string(top + plot_h / 2) +
               "\" text-anchor=\"middle\">no bounce attributed to a list in this "
               "window</text>\n";
    // Legend: one swatch per series, four per row; "other" is the last entry when there is one.
    for (std::size_t i = 0; i < legend.size(); ++i) {
        const std::size_t k = with_other && i == legend.size() - 1 ? k_chart_series : i;
        const int lx = left + static_cast<int>(i % 4) * 175;
        const int ly = top + plot_h + bottom + static_cast<int>(i / 4) * 18;
        out += "<g class=\"legend\"><rect x=\"" + std::to_string(lx) + "\" y=\"" + std::to_string(ly - 10) +
               "\" width=\"12\" height=\"12\" fill=\"" + colour(k) + "\"/><text x=\"" +
               std::to_string(lx + 17) + "\" y=\"" + std::to_string(ly) + "\">" +
               html_escape(legend[i].first) + " (" + std::to_string(legend[i].second) + ")</text></g>\n";
    }
    out += "</svg>";
    return out;
}

std::string render_html(const ReportData& data, const HtmlOptions& options) {
    const auto& t = data.triage.totals;
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
                      "'unsafe-inline'; img-src data:\">\n<title>ndr-triage report</title>\n<style>";
    out += k_style;
    out += "</style>\n</head>\n<body>\n<header>\n<h1>ndr-triage report</h1>\n<p class=\"meta\">Generated " +
           when(data.generated_at) + " from <code>" + e(data.state_path) + "</code> (schema " +
           std::to_string(data.schema_version) + ").";
    if (data.last_run)
        out += " Last pass: " + e(data.last_run->command) + " of " + e(data.last_run->source) + ", " +
               e(data.last_run->status) + ", started " + when(data.last_run->started_at) + ".";
    out += " Last successful pass: " + (data.last_success ? when(*data.last_success) : std::string("none")) +
           ".</p>\n";
    out += "<div class=\"summary\">";
    const auto tile = [&](std::string_view label, std::int64_t n) {
        out += "<div><b>" + std::to_string(n) + "</b>" + std::string(label) + "</div>";
    };
    tile("open incidents", t.open_incidents);
    tile("messages", t.messages);
    tile("NDRs", t.ndrs);
    tile("list hits", t.list_hits);
    tile("drafts to review", static_cast<std::int64_t>(data.drafts.size()));
    out += "</div>\n</header>\n<main>\n";
    incidents_section(out, data);
    chart_section(out, data, options);
    dnsbl_section(out, data);
    drafts_section(out, data);
    out += "</main>\n<footer><p class=\"meta\">ndr-triage never sends or deletes anything on its own: review "
           "drafts "
           "with <code>ndr-triage drafts</code> or in the mailbox's Drafts "
           "folder.</p></footer>\n</body>\n</html>\n";
    return out;
}

} // namespace ndr::agent
