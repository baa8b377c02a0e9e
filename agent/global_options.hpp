// global_options.hpp — options every command shares (parsed in main.cpp). Kept apart from
// commands.hpp so that code needing them does not pay for CLI11's headers.
#pragma once

#include <string>
#include <vector>

namespace ndr::agent {

struct GlobalOptions {
    std::string config_path;             // --config; empty: /etc/ndr-triage/agent.toml if present
    std::vector<std::string> rules_dirs; // --rules-dir, added after the site directory
    bool no_site_rules = false;          // --no-site: skip /etc/ndr-triage/rules.d (tests)
    std::string shipped_rules_dir;       // --shipped-rules (hidden): override the shipped directory
};

} // namespace ndr::agent
