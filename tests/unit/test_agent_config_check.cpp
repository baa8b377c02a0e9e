// test_agent_config_check.cpp — agent/config_check: every problem with its file and line (syntax, values,
// machine checks, rule files), warnings apart from errors, and the JSON form.
#include "agent/config_check.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace ndr::agent;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/ndr-config-check-XXXXXX";
        const char* d = ::mkdtemp(tmpl);
        REQUIRE(d != nullptr);
        path = d;
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
    std::string write(const std::string& name, const std::string& text, mode_t mode = 0644) const {
        const auto file = path + "/" + name;
        std::ofstream(file) << text;
        ::chmod(file.c_str(), mode);
        return file;
    }
};

GlobalOptions source_rules() {
    GlobalOptions g;
    g.no_site_rules = true;
    g.shipped_rules_dir = std::string(NDR_TEST_SOURCE_DIR) + "/rules.d";
    return g;
}

const ConfigProblem* find(const ConfigCheck& c, const std::string& text) {
    for (const auto& p : c.problems)
        if (p.message.find(text) != std::string::npos) return &p;
    return nullptr;
}

} // namespace

TEST_CASE("config_check: parse_problem splits file, line and message") {
    const auto p = parse_problem("/etc/a.toml:12: imap.port: must be between 1 and 65535, got 0");
    CHECK(p.file == "/etc/a.toml");
    CHECK(p.line == 12);
    CHECK(p.message == "imap.port: must be between 1 and 65535, got 0");
    const auto q = parse_problem("/x/agent.toml: cannot read: No such file or directory");
    CHECK(q.file == "/x/agent.toml");
    CHECK(q.line == 0);
    CHECK(q.message == "cannot read: No such file or directory");
    CHECK(format_problem({"f.toml", 3, "bad", true}) == "f.toml:3: warning: bad");
    CHECK(format_problem({"f.toml", 0, "bad", false}) == "f.toml: bad");
}

TEST_CASE("config_check: the shipped example passes with warnings only for what is not installed") {
    const auto check = check_configuration(std::string(NDR_TEST_SOURCE_DIR) + "/packaging/agent.toml.example",
                                           source_rules());
    CHECK(check.readable);
    for (const auto& p : check.problems)
        CHECK_MESSAGE(p.warning, format_problem(p));
    CHECK(check.errors() == 0);
    CHECK(check_json(check)["ok"] == true);
}

TEST_CASE("config_check: every value error is reported with its line, all at once") {
    TempDir t;
    const auto file = t.write("a.toml", "[imap]\nport = 0\ntls = \"ssl\"\n[dns]\ntimeout_ms = 5\n");
    const auto check = check_configuration(file, source_rules());
    REQUIRE(check.errors() == 3);
    CHECK(check.problems[0].line == 2);
    CHECK(check.problems[1].line == 3);
    CHECK(check.problems[2].line == 5);
    CHECK(check.problems[0].file == file);
    const auto json = check_json(check);
    CHECK(json["ok"] == false);
    CHECK(json["errors"] == 3);
    CHECK(json["problems"][2]["line"] == 5);
    CHECK(json["problems"][2]["severity"] == "error");
}

TEST_CASE("config_check: machine checks give the key's line: missing CA file, unknown list, loose key file") {
    TempDir t;
    const auto key = t.write("dqs.key", "abcdefghijklmnop\n", 0644);
    const auto file =
        t.write("b.toml",
                "[imap]\nhost = \"mail.example.com\"\nuser = \"u\"\npassword_env = \"NDR_CHECK_UNSET_VAR\"\n"
                "ca_file = \"/nonexistent/ca.pem\"\n[dns]\nlists = [\"spamhaus-zen\",\n"
                "  \"no-such-list\"]\nspamhaus_dqs_key_file = \"" +
                    key +
                    "\"\n"
                    "[state]\npath = \"/nonexistent/dir/state.db\"\n");
    ::unsetenv("NDR_CHECK_UNSET_VAR");
    const auto check = check_configuration(file, source_rules());
    const auto* ca = find(check, "imap.ca_file");
    REQUIRE(ca != nullptr);
    CHECK(ca->line == 5);
    CHECK_FALSE(ca->warning);
    const auto* list = find(check, "no-such-list");
    REQUIRE(list != nullptr);
    CHECK(list->line == 8);
    CHECK_FALSE(list->warning);
    CHECK(find(check, "\"spamhaus-zen\"") == nullptr);
    const auto* dqs = find(check, "group- or world-accessible");
    REQUIRE(dqs != nullptr);
    CHECK(dqs->line == 9);
    const auto* env = find(check, "NDR_CHECK_UNSET_VAR is not set");
    REQUIRE(env != nullptr);
    CHECK(env->warning);
    CHECK(env->line == 4);
    const auto* state = find(check, "state.path");
    REQUIRE(state != nullptr);
    CHECK(state->warning);
    CHECK(state->line == 11);
    CHECK(check.errors() == 3);
}

TEST_CASE("config_check: rule file errors are listed after the configuration's, with their file and line") {
    TempDir t;
    const auto file = t.write("c.toml", "[service]\npoll_seconds = 60\n");
    ::mkdir((t.path + "/rules").c_str(), 0755);
    t.write("rules/broken.toml", "name = \"Broken\"\nkind = \"nonsense\"\n");
    auto global = source_rules();
    global.rules_dirs = {t.path + "/rules"};
    const auto check = check_configuration(file, global);
    REQUIRE(check.errors() >= 1);
    bool found = false;
    for (const auto& p : check.problems)
        if (p.file.ends_with("broken.toml") && p.line > 0 && !p.warning) found = true;
    CHECK(found);
}

TEST_CASE("config_check: an unreadable file is reported as such") {
    const auto check = check_configuration("/nonexistent/agent.toml", source_rules());
    CHECK_FALSE(check.readable);
    REQUIRE(check.problems.size() == 1);
    CHECK(check.problems[0].message.find("cannot read") != std::string::npos);
}
