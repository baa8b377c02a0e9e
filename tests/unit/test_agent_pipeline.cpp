// test_agent_pipeline.cpp — building the analysis pipeline from rule directories (agent/pipeline.cpp).
#include "agent/pipeline.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace ndr::agent;
namespace fs = std::filesystem;
using ndr::classifiers::rules::PatternCheck;

namespace {

struct TempRulesDir {
    TempRulesDir() {
        std::string templ = (fs::temp_directory_path() / "ndr-pipeline-XXXXXX").string();
        path = ::mkdtemp(templ.data()) ? templ : std::string();
        REQUIRE(!path.empty());
    }
    ~TempRulesDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path path;
};

bool mentions(const std::vector<std::string>& errors, const std::string& want) {
    for (const auto& e : errors)
        if (e.find(want) != std::string::npos) return true;
    return false;
}

} // namespace

TEST_CASE("agent pipeline: the service's compile check refuses a pattern too large for RE2 that parsing accepts") {
    TempRulesDir dir;
    // Well formed, but RE2's program for it exceeds the pattern memory budget.
    std::ofstream(dir.path / "huge.toml") << "name = \"Huge\"\nkind = \"ip-dnsbl\"\nhome = \"https://huge.example/\"\n"
                                             "[removal]\nmethod = \"none\"\n"
                                             "[[match]]\nid = \"p\"\npattern = 'a\\pL{1000}'\nsource = \"test\"\n";
    GlobalOptions options;
    options.no_site_rules = true;
    options.rules_dirs = {dir.path.string()};

    auto parsed = make_pipeline(options); // scan, classify: compiled on first use
    CHECK(parsed.has_value());

    auto compiled = make_pipeline(options, PatternCheck::compile); // run: every pattern now
    REQUIRE_FALSE(compiled.has_value());
    CHECK(mentions(compiled.error(), "huge.toml"));
    CHECK(mentions(compiled.error(), "pattern too large"));
}
