// cmd_status.cpp — `ndr-triage status`. (Skeleton: not implemented yet.)
#include <iostream>

#include "agent/commands.hpp"

namespace ndr::agent {

void add_status_command(CLI::App& app, CommandContext& ctx) {
    auto* sub = app.add_subcommand("status", "(not implemented yet)");
    sub->allow_extras();
    sub->callback([&ctx] {
        std::cerr << "ndr-triage: status is not implemented yet\n";
        ctx.exit_code = 3;
    });
}

} // namespace ndr::agent
