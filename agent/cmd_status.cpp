// cmd_status.cpp — `ndr-triage status`: what the state database holds: checkpoints, counts, the last
// run and the open incidents with their next steps. Text or --json.
//
// Exit codes: 0 done; 2 no state database at that path; 3 configuration or state database error.
#include <sys/stat.h>

#include <iostream>
#include <memory>

#include "agent/commands.hpp"
#include "agent/config.hpp"
#include "agent/pipeline.hpp"
#include "agent/scan.hpp"
#include "agent/store/pass_lock.hpp"
#include "agent/store/store.hpp"
#include "agent/triage_report.hpp"
#include "classifiers/text.hpp"

namespace ndr::agent {

namespace {

struct StatusArgs {
    std::string state;
    bool json = false;
};

std::string s(std::string_view text) { return classifiers::sanitise(text, 512); }

int run_status(const CommandContext& ctx, const StatusArgs& args) {
    auto config = load_config_or_default(ctx.global.config_path);
    if (!config) {
        for (const auto& e : config.error()) std::cerr << e << "\n";
        return 3;
    }
    const std::string path = resolve_state_path(args.state, *config);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        std::cerr << "ndr-triage status: no state database at " << path << " (run `ndr-triage scan` first)\n";
        return 2;
    }
    bool read_only = false;
    auto db = store::Store::open_existing(path, &read_only);
    if (!db) {
        std::cerr << "ndr-triage status: " << db.error() << "\n";
        return 3;
    }
    // Rules only improve the next-step advice: without them the status is still shown.
    std::unique_ptr<Pipeline> pipeline;
    if (auto p = make_pipeline(ctx.global)) pipeline = std::make_unique<Pipeline>(std::move(*p));
    try {
        const auto report = build_triage_report(nullptr, **db, pipeline ? pipeline->rules.get() : nullptr);
        const auto checkpoints = (*db)->checkpoints();
        const auto last = (*db)->last_run();
        const auto& t = report.totals;
        if (args.json) {
            nlohmann::json out = to_json(report);
            out["state"] = path;
            out["schema_version"] = (*db)->schema_version();
            out["read_only"] = read_only;
            if (const auto pass = store::PassLock::holder(path)) out["pass_running"] = pass->empty() ? "yes" : *pass;
            else out["pass_running"] = nullptr;
            out["messages"] = t.messages;
            out["ndrs"] = t.ndrs;
            out["records"] = t.records;
            out["unparsed"] = t.unparsed;
            out["partial"] = t.partial;
            out["list_hits"] = t.list_hits;
            out["open_incidents"] = t.open_incidents;
            nlohmann::json cps = nlohmann::json::array();
            for (const auto& c : checkpoints)
                cps.push_back({{"source", s(c.source)},
                               {"folder", s(c.folder)},
                               {"uidvalidity", c.uid_validity},
                               {"last_uid", c.last_uid},
                               {"updated_at", format_utc(c.updated_at)}});
            out["checkpoints"] = std::move(cps);
            if (last) {
                out["last_run"] = {{"command", last->command},
                                   {"source", s(last->source)},
                                   {"folder", s(last->folder)},
                                   {"started_at", format_utc(last->started_at)},
                                   {"finished_at", last->finished_at ? format_utc(last->finished_at) : ""},
                                   {"status", last->status},
                                   {"messages", last->messages},
                                   {"new", last->new_messages}};
                if (!last->error.empty()) out["last_run"]["error"] = s(last->error);
            } else {
                out["last_run"] = nullptr;
            }
            std::cout << out.dump(2) << "\n";
            return 0;
        }
        std::cout << "State database: " << path << " (schema " << (*db)->schema_version()
                  << (read_only ? ", opened read-only" : "") << ")\n";
        if (const auto pass = store::PassLock::holder(path))
            std::cout << "A pass is running now" << (pass->empty() ? "" : " (" + *pass + ")")
                      << ": the counts below are those it has committed so far\n";
        if (last) {
            std::cout << "Last run: " << last->command << " of " << s(last->source) << " started "
                      << format_utc(last->started_at) << ", " << last->status << ", " << last->messages
                      << " messages read, " << last->new_messages << " new";
            if (!last->error.empty()) std::cout << " (" << s(last->error) << ")";
            std::cout << "\n";
        } else {
            std::cout << "Last run: none\n";
        }
        std::cout << "Checkpoints:" << (checkpoints.empty() ? " none" : "") << "\n";
        for (const auto& c : checkpoints)
            std::cout << "  " << s(c.source) << " " << s(c.folder) << ": UIDVALIDITY " << c.uid_validity
                      << ", last UID " << c.last_uid << " (" << format_utc(c.updated_at) << ")\n";
        std::cout << render_text(report);
    } catch (const std::exception& e) {
        std::cerr << "ndr-triage status: " << path << ": " << e.what() << "\n";
        return 3;
    }
    return 0;
}

} // namespace

void add_status_command(CLI::App& app, CommandContext& ctx) {
    auto args = std::make_shared<StatusArgs>();
    auto* sub = app.add_subcommand("status", "What the state database holds: checkpoints, counts, last run, open "
                                             "incidents");
    sub->footer("Exit: 0 done, 2 no state database, 3 configuration or state error.");
    sub->add_option("--state", args->state, "State database (default as for scan)")->type_name("FILE");
    sub->add_flag("--json", args->json, "Print as JSON");
    sub->callback([&ctx, args] { ctx.exit_code = run_status(ctx, *args); });
}

} // namespace ndr::agent
