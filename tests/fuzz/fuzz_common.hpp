// fuzz_common.hpp — the shipped rule set (patterns compiled at load), loaded once per fuzzer process from
// the source tree, and a matcher over it.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "classifiers/rules/loader.hpp"
#include "classifiers/rules/matcher.hpp"

namespace ndr::fuzz {

inline const classifiers::rules::RuleSet& shipped_rules() {
    static const classifiers::rules::RuleSet set = [] {
        std::vector<classifiers::rules::RuleFile> files;
        for (const auto& e : std::filesystem::directory_iterator(NDR_TEST_SOURCE_DIR "/rules.d")) {
            if (e.path().extension() != ".toml") continue;
            std::ifstream in(e.path(), std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            files.push_back({e.path().string(), ss.str()});
        }
        std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
        return classifiers::rules::load_rules(files, {}).set;
    }();
    return set;
}

inline const classifiers::rules::Matcher& shipped_matcher() {
    static const classifiers::rules::Matcher matcher(shipped_rules());
    return matcher;
}

} // namespace ndr::fuzz
