// report_html.hpp — the administrator's report as one self-contained HTML page: open incidents first
// (evidence and next step), an inline SVG chart of bounces per day per list drawn here, the DNSBL state
// per IP, drafts awaiting review. No JavaScript, no external resource (styles inline, no fonts, no
// images), so it can be mailed or opened from a file anywhere.
//
// Input trust: every text comes from the state database (sanitised on insert) or the rule files; it is
// HTML-escaped here, always, including inside SVG. Sizes: the inputs are already capped by
// report_data.hpp; the chart shows at most k_chart_series lists (the rest as "other").
#pragma once

#include "agent/report_data.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::agent {

inline constexpr std::size_t k_chart_series = 8;

// &, <, >, " and ' as entities.
std::string html_escape(std::string_view text);

// The chart's window: `days` days ending today (`now`), or, when no bounce falls in it, ending on the
// day of the latest bounce (so an old mailbox still shows something). Days since 1970-01-01.
std::int64_t chart_end_day(const std::vector<DayCount>& counts, std::int64_t now, int days);

// An <svg> element: stacked bars, one per day of [end_day - days + 1, end_day], one colour per list
// (largest first), with axes, a legend and a <title> per bar. Each bar is a <rect class="bar"> with
// data-day, data-list and data-count attributes.
std::string render_bounce_chart(const std::vector<DayCount>& counts, std::int64_t end_day, int days);

struct HtmlOptions {
    int days = 30; // chart window, 1..k_max_chart_days
};

std::string render_html(const ReportData& data, const HtmlOptions& options = {});

} // namespace ndr::agent
