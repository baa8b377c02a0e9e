// fuzz_rule_loader.cpp — the rules.d loader on arbitrary text, as a shipped file and as a site override.
#include <cstddef>
#include <cstdint>
#include <string>

#include "classifiers/rules/loader.hpp"
#include "classifiers/rules/matcher.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    using namespace ndr::classifiers::rules;
    auto result = load_rules({RuleFile{"fuzz.toml", text}}, {});
    if (result.errors.empty()) {
        Matcher m(result.set);
        (void)m.match(text);
    }
    (void)load_rules({RuleFile{"fuzz.toml", "name = \"x\"\nkind = \"ip-dnsbl\"\nhome = \"https://example.org/\"\n"
                                            "[removal]\nmethod = \"none\"\n"}},
                     {RuleFile{"fuzz.local.toml", text}});
    return 0;
}
