// cmd_report.cpp — `ndr-triage report [--html FILE] [--json] [--days N] [--state FILE]`: the
// administrator's report from the state database as one self-contained HTML page (agent/report_html.hpp),
// written to FILE atomically or to standard output; --json prints the same data as JSON.
//
// Exit codes: 0 done; 1 usage error; 2 no state database at that path, or FILE cannot be written;
// 3 configuration or state database error.
#include "agent/atomic_file.hpp"
#include "agent/commands.hpp"
#include "agent/config.hpp"
#include "agent/pipeline.hpp"
#include "agent/report_data.hpp"
#include "agent/report_html.hpp"

#include <ctime>
#include <iostream>
#include <memory>
#include <sys/stat.h>

namespace ndr::agent {

namespace {

struct ReportArgs {
    std::string html;
    std::string state;
    bool json = false;
    int days = 30;
};

int run_report(const CommandContext& ctx, const ReportArgs& args) {
    auto config = load_config_or_default(ctx.global.config_path);
    if (!config) {
        for (const auto& e : config.error())
            std::cerr << e << "\n";
        return 3;
    }
    const std::string path = resolve_state_path(args.state, *config);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        std::cerr << "ndr-triage report: no state database at " << path << " (run `ndr-triage scan` first)\n";
        return 2;
    }
    // Rules give the next steps and map cached DNSBL answers to lists; the report works without them.
    std::unique_ptr<Pipeline> pipeline;
    if (auto p = make_pipeline(ctx.global))
        pipeline = std::make_unique<Pipeline>(std::move(*p));
    else
        std::cerr << "ndr-triage report: warning: rule files not loaded (see `ndr-triage rules lint`)\n";
    auto data =
        load_report_data(path, pipeline ? pipeline->rules.get() : nullptr, *config, std::time(nullptr));
    if (!data) {
        std::cerr << "ndr-triage report: " << data.error() << "\n";
        return 3;
    }
    if (args.json) {
        std::cout << report_json(*data).dump(2) << "\n";
        return 0;
    }
    const auto page = render_html(*data, HtmlOptions{args.days});
    if (args.html.empty() || args.html == "-") {
        std::cout << page;
        return 0;
    }
    if (auto ok = write_file_atomically(args.html, page, 0644); !ok) {
        std::cerr << "ndr-triage report: " << ok.error() << "\n";
        return 2;
    }
    return 0;
}

} // namespace

void add_report_command(CLI::App& app, CommandContext& ctx) {
    auto args = std::make_shared<ReportArgs>();
    auto* sub =
        app.add_subcommand("report", "The administrator's report as one self-contained HTML page: open "
                                     "incidents, bounces per day per list, DNSBL state, drafts to review");
    sub->footer(
        "Exit: 0 done, 1 usage, 2 no state database or FILE not writable, 3 configuration or state error.");
    sub->add_option("--html", args->html, "Write the page to FILE (atomically; default: standard output)")
        ->type_name("FILE");
    sub->add_flag("--json", args->json, "Print the report's data as JSON instead");
    sub->add_option("--days", args->days, "Days shown in the chart (default 30)")
        ->check(CLI::Range(1, k_max_chart_days));
    sub->add_option("--state", args->state, "State database (default as for scan)")->type_name("FILE");
    sub->callback([&ctx, args] { ctx.exit_code = run_report(ctx, *args); });
}

} // namespace ndr::agent
