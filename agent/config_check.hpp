// config_check.hpp — `ndr-triage config check`: everything wrong with a configuration, each problem
// with its file and line: what parse_config() refuses, the rule files (rules lint), and what only
// shows on this machine (a CA file or DQS key file that cannot be read, a list id in [dns] lists that no
// rule file defines; as warnings: a password file or variable not there yet, a missing state or
// metrics directory, plaintext IMAP, no outbound IPs).
//
// Input trust: the file is the administrator's; see config.hpp. Secrets: files holding secrets are
// checked for existence and mode only; their content is never read here.
#pragma once

#include "agent/global_options.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ndr::agent {

struct ConfigProblem {
    std::string file;
    long line = 0; // 0: not tied to a line
    std::string message;
    bool warning = false; // warnings do not make the check fail
};

struct ConfigCheck {
    std::string file;                    // the configuration file checked
    bool readable = false;               // false: the file could not be read at all (exit 2)
    std::vector<ConfigProblem> problems; // configuration first (file order), then rule files
    std::size_t errors() const;
    std::size_t warnings() const;
};

// Checks `path` (empty: --config, else /etc/ndr-triage/agent.toml) and the rule directories named by
// `global`.
ConfigCheck check_configuration(const std::string& path, const GlobalOptions& global);

// "file:line: message" / "file:line: warning: message" / "file: message".
std::string format_problem(const ConfigProblem& p);
// {file, ok, errors, warnings, problems: [{file, line, severity, message}]}
nlohmann::json check_json(const ConfigCheck& check);

// Splits "file:line: message" (as parse_config and the rule loader write them) into its parts;
// a message without a line gives line 0.
ConfigProblem parse_problem(std::string_view text, bool warning = false);

} // namespace ndr::agent
