// cmd_run.cpp — `ndr-triage run`: the service (agent/service.hpp). Options only; the loop is there.
#include <memory>

#include "agent/commands.hpp"
#include "agent/service.hpp"

namespace ndr::agent {

void add_run_command(CLI::App& app, CommandContext& ctx) {
    auto* sub = app.add_subcommand("run", "Watch the IMAP folder of the configuration and triage every new message "
                                          "(IDLE, else polling); SIGHUP reloads, SIGTERM stops");
    auto options = std::make_shared<ServiceOptions>();
    sub->add_flag("--once", options->once, "One pass over the folder, then exit");
    sub->add_option("--state", options->state, "State database (default: [state] path)")->type_name("FILE");
    sub->add_flag("-v,--verbose", options->verbose, "Log debug lines too");
    sub->callback([&ctx, options] { ctx.exit_code = run_service(ctx.global, *options); });
}

} // namespace ndr::agent
