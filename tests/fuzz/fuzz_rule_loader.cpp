// fuzz_rule_loader.cpp — the rules.d loader on arbitrary text, as a shipped file and as a site override.
// Both pattern checks: parsing finds every error compiling finds but a program too large for RE2, and
// a matcher over a parsed set answers as the one over the compiled set (a difference aborts).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "classifiers/rules/loader.hpp"
#include "classifiers/rules/matcher.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    using namespace ndr::classifiers::rules;
    auto result = load_rules({RuleFile{"fuzz.toml", text}}, {});
    auto parsed = load_rules({RuleFile{"fuzz.toml", text}}, {}, PatternCheck::parse);
    for (const std::string& e : parsed.errors)
        if (std::find(result.errors.begin(), result.errors.end(), e) == result.errors.end()) std::abort();
    for (const std::string& e : result.errors)
        if (std::find(parsed.errors.begin(), parsed.errors.end(), e) == parsed.errors.end() &&
            e.find("pattern too large") == std::string::npos)
            std::abort();
    if (result.errors.empty()) {
        Matcher m(result.set);
        Matcher lazy(parsed.set);
        const MatchResult a = m.match(text);
        const MatchResult b = lazy.match(text);
        if (a.fired != b.fired || a.hits.size() != b.hits.size() || a.ties != b.ties) std::abort();
    }
    (void)load_rules({RuleFile{"fuzz.toml", "name = \"x\"\nkind = \"ip-dnsbl\"\nhome = \"https://example.org/\"\n"
                                            "[removal]\nmethod = \"none\"\n"}},
                     {RuleFile{"fuzz.local.toml", text}});
    return 0;
}
