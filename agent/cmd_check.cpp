// cmd_check.cpp — `ndr-triage check`. (Skeleton: not implemented yet.)
#include <iostream>

#include "agent/commands.hpp"

namespace ndr::agent {

void add_check_command(CLI::App& app, CommandContext& ctx) {
    auto* sub = app.add_subcommand("check", "(not implemented yet)");
    sub->allow_extras();
    sub->callback([&ctx] {
        std::cerr << "ndr-triage: check is not implemented yet\n";
        ctx.exit_code = 3;
    });
}

} // namespace ndr::agent
