// test_agent_rules_dirs.cpp — finding and reading the rule directories (agent/rules_dirs.cpp), on
// temporary directories with inline rule texts.
#include "agent/rules_dirs.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace ndr::agent;
namespace fs = std::filesystem;

namespace {

std::string rule_file(const std::string& id) {
    return "name = \"" + id + "\"\nkind = \"ip-dnsbl\"\nhome = \"https://" + id +
           ".example/\"\n"
           "[removal]\nmethod = \"none\"\n"
           "[[match]]\nid = \"p\"\npattern = 'rejected by " +
           id +
           "'\nsource = \"test\"\n"
           "[[sample]]\ntext = \"550 rejected by " +
           id + "\"\nexpect = [{ list = \"" + id + "\", rule = \"p\" }]\n";
}

class TempDir {
  public:
    TempDir() {
        std::string templ = (fs::temp_directory_path() / "ndr-rules-dirs-XXXXXX").string();
        m_path = ::mkdtemp(templ.data()) ? templ : std::string();
        REQUIRE(!m_path.empty());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    fs::path path() const { return m_path; }
    void write(const std::string& rel, const std::string& text) const {
        fs::create_directories((m_path / rel).parent_path());
        std::ofstream(m_path / rel) << text;
    }

  private:
    fs::path m_path;
};

bool has_error(const ndr::classifiers::rules::LoadResult& r, const std::string& want) {
    for (const auto& e : r.errors)
        if (e.find(want) != std::string::npos) return true;
    return false;
}

} // namespace

TEST_CASE("agent rules_dirs: shipped, then each --rules-dir; only *.toml files are read") {
    TempDir t;
    t.write("ship/alpha.toml", rule_file("alpha"));
    t.write("ship/README.md", "not a rule file");
    t.write("site1/beta.toml", rule_file("beta"));
    t.write("site2/alpha.local.toml", "[removal]\nnotes = \"site note\"\n");
    GlobalOptions o;
    o.shipped_rules_dir = (t.path() / "ship").string();
    o.no_site_rules = true;
    o.rules_dirs = {(t.path() / "site1").string(), (t.path() / "site2").string()};
    auto r = load_rule_dirs(o);
    INFO(r.errors.size() << (r.errors.empty() ? "" : " first: " + r.errors[0]));
    REQUIRE(r.errors.empty());
    REQUIRE(r.set.lists.size() == 2);
    CHECK(r.set.lists[0].id == "alpha");
    CHECK(r.set.lists[0].removal.notes == "site note");
    CHECK(r.set.lists[0].overrides ==
          std::vector<std::string>{(t.path() / "site2/alpha.local.toml").string()});
    CHECK(r.set.lists[1].id == "beta");
}

TEST_CASE("agent rules_dirs: missing directories and non-files are errors naming the path") {
    TempDir t;
    t.write("ship/alpha.toml", rule_file("alpha"));
    fs::create_directories(t.path() / "ship/dir.toml");
    GlobalOptions o;
    o.shipped_rules_dir = (t.path() / "ship").string();
    o.no_site_rules = true;
    o.rules_dirs = {(t.path() / "nowhere").string()};
    auto r = load_rule_dirs(o);
    CHECK(has_error(r, (t.path() / "nowhere").string() + ": cannot read rule directory"));
    CHECK(has_error(r, (t.path() / "ship/dir.toml").string() + ": not a regular file"));
    CHECK(r.set.find("alpha") != nullptr);

    GlobalOptions missing;
    missing.shipped_rules_dir = (t.path() / "no-shipped").string();
    missing.no_site_rules = true;
    CHECK(has_error(load_rule_dirs(missing),
                    (t.path() / "no-shipped").string() + ": cannot read rule directory"));
}

TEST_CASE("agent rules_dirs: $NDR_TRIAGE_SHIPPED_RULES is used when --shipped-rules is not given") {
    TempDir t;
    t.write("env/gamma.toml", rule_file("gamma"));
    const char* old = std::getenv("NDR_TRIAGE_SHIPPED_RULES");
    std::string saved = old ? old : "";
    ::setenv("NDR_TRIAGE_SHIPPED_RULES", (t.path() / "env").c_str(), 1);
    GlobalOptions o;
    o.no_site_rules = true;
    auto r = load_rule_dirs(o);
    if (old)
        ::setenv("NDR_TRIAGE_SHIPPED_RULES", saved.c_str(), 1);
    else
        ::unsetenv("NDR_TRIAGE_SHIPPED_RULES");
    CHECK(r.errors.empty());
    REQUIRE(r.set.lists.size() == 1);
    CHECK(r.set.lists[0].id == "gamma");
}

TEST_CASE("agent rules_dirs: the source tree's rules.d is the fallback") {
    const char* old = std::getenv("NDR_TRIAGE_SHIPPED_RULES");
    std::string saved = old ? old : "";
    ::unsetenv("NDR_TRIAGE_SHIPPED_RULES");
    GlobalOptions o;
    o.no_site_rules = true;
    auto r = load_rule_dirs(o);
    if (old) ::setenv("NDR_TRIAGE_SHIPPED_RULES", saved.c_str(), 1);
    CHECK_FALSE(has_error(r, "cannot read rule directory"));
    CHECK_FALSE(has_error(r, "cannot open rule file"));
}

TEST_CASE("agent rules_dirs: a --rules-dir that is the shipped directory is not loaded twice") {
    TempDir t;
    t.write("ship/alpha.toml", rule_file("alpha"));
    GlobalOptions o;
    o.shipped_rules_dir = (t.path() / "ship").string();
    o.no_site_rules = true;
    o.rules_dirs = {(t.path() / "ship/.").string()}; // same directory, spelt differently
    auto r = load_rule_dirs(o);
    INFO(r.errors.size() << (r.errors.empty() ? "" : " first: " + r.errors[0]));
    CHECK(r.errors.empty());
    CHECK(r.set.lists.size() == 1);
}

TEST_CASE("agent rules_dirs: PatternCheck::parse loads the shipped rules as compiling them does") {
    GlobalOptions o;
    o.shipped_rules_dir = NDR_TEST_SOURCE_DIR "/rules.d";
    o.no_site_rules = true;
    auto compiled = load_rule_dirs(o);
    auto parsed = load_rule_dirs(o, ndr::classifiers::rules::PatternCheck::parse);
    CHECK(compiled.errors.empty());
    CHECK(parsed.errors == compiled.errors);
    REQUIRE(parsed.set.lists.size() == compiled.set.lists.size());
    for (std::size_t i = 0; i < parsed.set.lists.size(); ++i) {
        const auto& a = parsed.set.lists[i];
        const auto& b = compiled.set.lists[i];
        CHECK(a.id == b.id);
        REQUIRE(a.patterns.size() == b.patterns.size());
        for (std::size_t k = 0; k < a.patterns.size(); ++k)
            CHECK(a.patterns[k].compiled_id == b.patterns[k].compiled_id);
    }
}
