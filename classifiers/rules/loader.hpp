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

// `shipped` are loaded first; `site` files then override (<id>.local.toml) or add systems.
LoadResult load_rules(const std::vector<RuleFile>& shipped, const std::vector<RuleFile>& site);

} // namespace ndr::classifiers::rules
