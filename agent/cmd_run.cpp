// cmd_run.cpp — `ndr-triage run`. (Skeleton: not implemented yet.)
#include <iostream>

#include "agent/commands.hpp"

namespace ndr::agent {

void add_run_command(CLI::App& app, CommandContext& ctx) {
    auto* sub = app.add_subcommand("run", "(not implemented yet)");
    sub->allow_extras();
    sub->callback([&ctx] {
        std::cerr << "ndr-triage: run is not implemented yet\n";
        ctx.exit_code = 3;
    });
}

} // namespace ndr::agent
