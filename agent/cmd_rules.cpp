// cmd_rules.cpp — `ndr-triage rules`. (Skeleton: not implemented yet.)
#include <iostream>

#include "agent/commands.hpp"

namespace ndr::agent {

void add_rules_command(CLI::App& app, CommandContext& ctx) {
    auto* sub = app.add_subcommand("rules", "(not implemented yet)");
    sub->allow_extras();
    sub->callback([&ctx] {
        std::cerr << "ndr-triage: rules is not implemented yet\n";
        ctx.exit_code = 3;
    });
}

} // namespace ndr::agent
