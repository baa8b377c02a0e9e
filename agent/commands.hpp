// commands.hpp — one add_*_command() per subcommand; each lives in its own agent/cmd_*.cpp.
//
// A command's callback stores its exit code in ctx.exit_code. Usage errors are turned into exit codes
// by main.cpp (1, or 3 for `check`, as each command documents).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "agent/global_options.hpp"

namespace ndr::agent {

struct CommandContext {
    GlobalOptions global;
    int exit_code = 0;
};

void add_classify_command(CLI::App& app, CommandContext& ctx);
void add_rules_command(CLI::App& app, CommandContext& ctx);
void add_check_command(CLI::App& app, CommandContext& ctx);
void add_scan_command(CLI::App& app, CommandContext& ctx);
void add_run_command(CLI::App& app, CommandContext& ctx);
void add_status_command(CLI::App& app, CommandContext& ctx);
void add_incidents_command(CLI::App& app, CommandContext& ctx);
void add_drafts_command(CLI::App& app, CommandContext& ctx);
void add_report_command(CLI::App& app, CommandContext& ctx);
void add_config_command(CLI::App& app, CommandContext& ctx);

} // namespace ndr::agent
