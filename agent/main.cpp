// main.cpp — ndr-triage's entry point: parses the command line and hands over to one command.
// Everything else lives in agent_lib (commands in agent/cmd_*.cpp) so the tests can link it.
#include <cstring>
#include <exception>
#include <iostream>

#include "agent/commands.hpp"

int main(int argc, char** argv) {
    using namespace ndr::agent;
    CLI::App app{"ndr-triage: triage bounce mail, attribute blocklist rejections, draft delisting requests"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("ndr-triage ") + NDR_VERSION);

    CommandContext ctx;
    app.add_option("--config", ctx.global.config_path, "Configuration file (default /etc/ndr-triage/agent.toml)");
    app.add_option("--rules-dir", ctx.global.rules_dirs, "Extra rule directory, read after the site directory")
        ->type_name("DIR");
    app.add_flag("--no-site", ctx.global.no_site_rules, "Do not read the site rule directory /etc/ndr-triage/rules.d");
    app.add_option("--shipped-rules", ctx.global.shipped_rules_dir)->group("");

    add_classify_command(app, ctx);
    add_rules_command(app, ctx);
    add_check_command(app, ctx);
    add_scan_command(app, ctx);
    add_run_command(app, ctx);
    add_status_command(app, ctx);
    add_incidents_command(app, ctx);
    add_drafts_command(app, ctx);
    add_report_command(app, ctx);
    add_config_command(app, ctx);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        // `check` documents 3 for usage errors; every other command 1.
        for (int i = 1; i < argc; ++i)
            if (std::strcmp(argv[i], "check") == 0) return 3;
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "ndr-triage: " << e.what() << "\n";
        return 3;
    }
    return ctx.exit_code;
}
