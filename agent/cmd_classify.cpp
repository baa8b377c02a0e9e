// cmd_classify.cpp — `ndr-triage classify`. (Skeleton: not implemented yet.)
#include <iostream>

#include "agent/commands.hpp"

namespace ndr::agent {

void add_classify_command(CLI::App& app, CommandContext& ctx) {
    auto* sub = app.add_subcommand("classify", "(not implemented yet)");
    sub->allow_extras();
    sub->callback([&ctx] {
        std::cerr << "ndr-triage: classify is not implemented yet\n";
        ctx.exit_code = 3;
    });
}

} // namespace ndr::agent
