// loader.hpp — builds a RuleSet from rule-file texts (toml++), shipped files first, then site files.
//
// Input trust: rule files are configuration (trusted to be what the admin meant, not to be well
// formed). Every problem is reported as "file:line: message", all of them, and the set is unusable
// while errors is non-empty. `<id>.local.toml` changes only the keys it names in <id>; other new
// files add systems. No I/O here: the agent reads the directories (agent/rules_dirs.hpp).
#pragma once

#include <string>
#include <vector>

#include "classifiers/rules/model.hpp"

namespace ndr::classifiers::rules {

struct RuleFile {
    std::string path; // for messages and Blocklist::file
    std::string text;
};

struct LoadResult {
    RuleSet set;
    std::vector<std::string> errors; // "file:line: message"
};

// How much the loader does with each pattern.
enum class PatternCheck {
    // Compile every pattern with RE2: every error a pattern can have is a load error, a program too
    // large for RE2 included (`rules lint`, `rules test`, `config check`, `check`).
    compile,
    // Parse every pattern (syntax, named groups, the empty string: the same errors but the size);
    // the matcher compiles each on first use (compiled.hpp). For the commands that analyse messages.
    parse,
};

// `shipped` are loaded first; `site` files then override (<id>.local.toml) or add systems.
LoadResult load_rules(const std::vector<RuleFile>& shipped, const std::vector<RuleFile>& site,
                      PatternCheck check = PatternCheck::compile);

} // namespace ndr::classifiers::rules
