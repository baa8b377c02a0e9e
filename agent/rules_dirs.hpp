// rules_dirs.hpp — reads the rule directories (shipped, site, --rules-dir) and loads them.
//
// Shipped: --shipped-rules, else $NDR_TRIAGE_SHIPPED_RULES, else <exe>/../share/ndr-triage/rules.d when it
// exists, else the source tree's rules.d. Site: /etc/ndr-triage/rules.d unless --no-site, then each
// --rules-dir in order. Unreadable files are errors ("path: message").
#pragma once

#include "agent/global_options.hpp"
#include "classifiers/rules/loader.hpp"

#include <string>
#include <vector>

namespace ndr::agent {

// The rule files as read, in load order, and the directories' read errors ("path: message").
struct RuleDirFiles {
    std::vector<classifiers::rules::RuleFile> shipped;
    std::vector<classifiers::rules::RuleFile> site;
    std::vector<std::string> errors;
};

RuleDirFiles read_rule_dirs(const GlobalOptions& options);
// The loader over read files; the read errors come first in the result's errors. `check`: compile
// every pattern (the default: every error, a pattern too large for RE2 included) or parse them only
// and leave the compiling to the matcher (the commands that analyse messages; loader.hpp).
classifiers::rules::LoadResult
load_rule_files(const RuleDirFiles& files,
                classifiers::rules::PatternCheck check = classifiers::rules::PatternCheck::compile);
// read_rule_dirs() then load_rule_files().
classifiers::rules::LoadResult
load_rule_dirs(const GlobalOptions& options,
               classifiers::rules::PatternCheck check = classifiers::rules::PatternCheck::compile);

// SHA-256 (hex) over the files' paths and texts, the read errors and this executable (path, size,
// modification time): equal keys load to equal rule sets. Reads no rule file again; no parsing.
std::string rule_files_key(const RuleDirFiles& files);

} // namespace ndr::agent
