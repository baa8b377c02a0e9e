// cmd_config.cpp — `ndr-triage config check [FILE] [--json]`: every problem of the configuration and
// the rule files, each as file:line: message (agent/config_check.hpp).
//
// Exit codes: 0 no error (warnings may be printed); 1 errors (or a usage error); 2 the file cannot be read.
#include "agent/commands.hpp"
#include "agent/config_check.hpp"

#include <iostream>
#include <memory>

namespace ndr::agent {

namespace {

struct ConfigArgs {
    std::string file;
    bool json = false;
};

int run_config_check(const CommandContext& ctx, const ConfigArgs& args) {
    const auto check = check_configuration(args.file, ctx.global);
    if (args.json) {
        std::cout << check_json(check).dump(2) << "\n";
    } else {
        for (const auto& p : check.problems)
            std::cout << format_problem(p) << "\n";
        if (check.readable)
            std::cout << check.file << ": "
                      << (check.errors() == 0 ? "ok" : std::to_string(check.errors()) + " error(s)")
                      << (check.warnings() > 0 ? ", " + std::to_string(check.warnings()) + " warning(s)" : "")
                      << "\n";
    }
    if (!check.readable) return 2;
    return check.errors() == 0 ? 0 : 1;
}

} // namespace

void add_config_command(CLI::App& app, CommandContext& ctx) {
    auto args = std::make_shared<ConfigArgs>();
    auto* config = app.add_subcommand("config", "Check the configuration");
    config->require_subcommand(1);
    auto* check =
        config->add_subcommand("check", "Report every problem of the configuration file and the rule files, "
                                        "each as file:line: message");
    check->footer("Exit: 0 no error (warnings allowed), 1 errors, 2 the file cannot be read.");
    check
        ->add_option("file", args->file,
                     "Configuration file (default: --config, else /etc/ndr-triage/agent.toml)")
        ->type_name("FILE");
    check->add_flag("--json", args->json, "Print as JSON");
    check->callback([&ctx, args] { ctx.exit_code = run_config_check(ctx, *args); });
}

} // namespace ndr::agent
