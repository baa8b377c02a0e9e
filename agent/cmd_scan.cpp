// cmd_scan.cpp — `ndr-triage scan`. (Skeleton: not implemented yet.)
#include <iostream>

#include "agent/commands.hpp"

namespace ndr::agent {

void add_scan_command(CLI::App& app, CommandContext& ctx) {
    auto* sub = app.add_subcommand("scan", "(not implemented yet)");
    sub->allow_extras();
    sub->callback([&ctx] {
        std::cerr << "ndr-triage: scan is not implemented yet\n";
        ctx.exit_code = 3;
    });
}

} // namespace ndr::agent
