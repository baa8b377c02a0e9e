// test_classifiers_rules_loader.cpp — rules.d loading (classifiers/rules/loader.cpp): decoding, every
// kind of error with its file:line, site overrides, and survival on garbage. Rule texts are inline.
#include <doctest/doctest.h>

#include <random>
#include <re2/re2.h>
#include <re2/set.h>
#include <string>
#include <vector>

#include "classifiers/limits.hpp"
#include "classifiers/rules/loader.hpp"

using namespace ndr::classifiers::rules;

namespace {

// A complete, valid rule file; tests append to it or replace parts of it.
const std::string k_valid = R"(name = "Example List"
kind = "ip-dnsbl"
home = "https://bl.example/"

[dns]
needs_key = true
key_name = "example_key"
refuses_public_resolvers = true
policy = "free for small sites"

[[dns.zone]]
name = "bl.example.org"
query = ["ipv4", "ipv6"]
keyed_name = "bl.dq.example.net"

[[dns.code]]
code = "127.0.0.2"
meaning = "listed"
fix_first = true

[[dns.code]]
code = "127.255.255.0/24"
meaning = "query error"
outcome = "error"

[removal]
method = "form"
url = "https://bl.example/remove"
expiry_hours = 24
must_contain = ["the IP"]
notes = "be polite"

[[match]]
id = "postfix"
priority = 70
pattern = 'client host \[(?P<ip>[0-9.]+)\] blocked using bl\.example\.org'
listed = "ip"
source = "Postfix default_rbl_reply"

[[sample]]
text = "554 5.7.1 Client host [192.0.2.1] blocked using bl.example.org"
expect = [{ list = "example", rule = "postfix", listed = "192.0.2.1" }]

[[sample]]
text = "550 5.1.1 user unknown"
expect = []
)";

LoadResult load_one(const std::string& text, const std::string& path = "rules.d/example.toml") {
    return load_rules({{path, text}}, {});
}

std::string joined(const std::vector<std::string>& errors) {
    std::string out;
    for (const auto& e : errors) out += e + "\n";
    return out;
}

bool has_error(const LoadResult& r, const std::string& want) {
    for (const auto& e : r.errors)
        if (e.find(want) != std::string::npos) return true;
    return false;
}

struct ErrorCase {
    const char* name;
    std::string text;
    std::string want; // substring of one error, including "file:line:"
};

} // namespace

TEST_CASE("rules loader: a valid file decodes every section") {
    LoadResult r = load_one(k_valid);
    INFO("errors: " << joined(r.errors));
    REQUIRE(r.errors.empty());
    REQUIRE(r.set.lists.size() == 1);
    const Blocklist& b = r.set.lists[0];
    CHECK(b.id == "example");
    CHECK(b.file == "rules.d/example.toml");
    CHECK(b.name == "Example List");
    CHECK(b.kind == ListKind::ip_dnsbl);
    CHECK(b.policy.needs_key);
    CHECK(b.policy.key_name == "example_key");
    CHECK(b.policy.refuses_public_resolvers);
    REQUIRE(b.zones.size() == 1);
    CHECK(b.zones[0].name == "bl.example.org");
    CHECK(b.zones[0].forms == std::vector<QueryForm>{QueryForm::ipv4, QueryForm::ipv6});
    CHECK(b.zones[0].keyed_name == "bl.dq.example.net");
    REQUIRE(b.codes.size() == 2);
    CHECK(b.codes[0].fix_first);
    CHECK(b.codes[1].outcome == CodeOutcome::error);
    CHECK(b.removal.method == RemovalMethod::form);
    CHECK(b.removal.expiry_hours == 24);
    CHECK(b.removal.must_contain == std::vector<std::string>{"the IP"});
    REQUIRE(b.patterns.size() == 1);
    CHECK(b.patterns[0].priority == 70);
    CHECK(b.patterns[0].listed == "ip");
    CHECK(b.patterns[0].line == 33);
    CHECK(b.patterns[0].file == "rules.d/example.toml");
    REQUIRE(b.samples.size() == 2);
    CHECK(b.samples[0].expect.size() == 1);
    CHECK(b.samples[0].expect[0].listed == "192.0.2.1");
    CHECK(b.samples[1].expect.empty());
    CHECK(b.samples[1].line == 44);
}

TEST_CASE("rules loader: each kind of error is reported with file:line") {
    const std::string f = "rules.d/example.toml:";
    const std::vector<ErrorCase> cases = {
        {"toml syntax", "name = \"unterminated\n", f + "1: "},
        {"missing name", k_valid.substr(k_valid.find('\n') + 1), f + "1: missing required key 'name'"},
        {"unknown top-level key", "home2 = 1\n" + k_valid, f + "1: unknown key 'home2'"},
        {"redefined key", "kind = \"ip-dnsbl\"\n" + k_valid, f + "3: "},
        {"bad enum", [] {
             std::string t = k_valid;
             t.replace(t.find("kind = \"ip-dnsbl\""), 17, "kind = \"ip-blocklist\"");
             return t;
         }(),
         f + "2: key 'kind': 'ip-blocklist' is not one of ip-dnsbl | domain-dnsbl"},
        {"name not a string", "name = 5\n" + k_valid.substr(k_valid.find('\n') + 1), f + "1: key 'name' must be a string"},
        {"unknown key in match", k_valid + "\n[[match]]\nid = \"x\"\npattern = 'x'\nsource = \"s\"\nweight = 3\n",
         f + "52: unknown key 'weight' in [[match]]"},
        {"duplicate match id",
         k_valid + "\n[[match]]\nid = \"postfix\"\npattern = 'other text'\nsource = \"s\"\n",
         f + "48: duplicate match id 'postfix' (first at line 33)"},
        {"pattern does not compile", k_valid + "\n[[match]]\nid = \"x\"\npattern = 'a(b'\nsource = \"s\"\n",
         f + "50: key 'pattern': does not compile in RE2: missing )"},
        {"listed group missing",
         k_valid + "\n[[match]]\nid = \"x\"\npattern = 'listed (?P<ip>[0-9.]+)'\nlisted = \"domain\"\nsource = \"s\"\n",
         f + "50: key 'pattern': listed = \"domain\" but the pattern has no group (?P<domain>...)"},
        {"listed value", k_valid + "\n[[match]]\nid = \"x\"\npattern = 'x'\nlisted = \"host\"\nsource = \"s\"\n",
         f + "51: key 'listed': 'host' is not one of"},
        {"priority range", k_valid + "\n[[match]]\nid = \"x\"\npattern = 'x'\npriority = 101\nsource = \"s\"\n",
         f + "51: key 'priority' must be an integer from 0 to 100"},
        {"pattern matches empty", k_valid + "\n[[match]]\nid = \"x\"\npattern = 'a*'\nsource = \"s\"\n",
         f + "50: key 'pattern': matches the empty string"},
        {"source missing", k_valid + "\n[[match]]\nid = \"x\"\npattern = 'x'\n", f + "48: missing required key 'source' in [[match]]"},
        {"also unknown list", k_valid + "\n[[match]]\nid = \"x\"\npattern = 'x'\nalso = [\"nowhere\"]\nsource = \"s\"\n",
         f + "48: match 'x': also names 'nowhere', which is not a loaded list"},
        {"expect unknown list", k_valid + "\n[[sample]]\ntext = \"t\"\nexpect = [{ list = \"nowhere\" }]\n",
         f + "48: sample expects list 'nowhere', which is not loaded"},
        {"expect unknown rule", k_valid + "\n[[sample]]\ntext = \"t\"\nexpect = [{ list = \"example\", rule = \"nope\" }]\n",
         f + "48: sample expects rule 'nope', which list 'example' does not have"},
        {"expect missing", k_valid + "\n[[sample]]\ntext = \"t\"\n", f + "48: missing required key 'expect' in [[sample]]"},
        {"defunct without note", "defunct = true\n" + k_valid, f + "1: defunct = true needs a defunct_note"},
        {"bad code", k_valid + "\n[[dns.code]]\ncode = \"127.0.0.256\"\nmeaning = \"m\"\n",
         f + "49: key 'code': '127.0.0.256' is not an IPv4 address or CIDR network"},
        {"cidr listed", k_valid + "\n[[dns.code]]\ncode = \"127.0.1.0/24\"\nmeaning = \"m\"\n",
         f + "49: key 'code': a CIDR network is allowed only with outcome = \"error\""},
        {"bit without bitmask", k_valid + "\n[[dns.code]]\ncode = \"127.0.0.8\"\nmeaning = \"m\"\nbit = true\n",
         f + "51: key 'bit': needs dns.bitmask = true"},
        {"outcome enum", k_valid + "\n[[dns.code]]\ncode = \"127.0.0.8\"\nmeaning = \"m\"\noutcome = \"maybe\"\n",
         f + "51: key 'outcome': 'maybe' is not one of listed | error | allow"},
        {"sublist unknown", k_valid + "\n[[dns.code]]\ncode = \"127.0.0.8\"\nmeaning = \"m\"\nsublist = \"other\"\n",
         f + "48: sublist 'other' is not a loaded list"},
        {"zone query enum", k_valid + "\n[[dns.zone]]\nname = \"x.example.org\"\nquery = [\"ipv5\"]\n",
         f + "50: key 'query': 'ipv5' is not one of ipv4 | ipv6 | domain"},
        {"email without address", [] {
             std::string t = k_valid;
             t.replace(t.find("method = \"form\""), 15, "method = \"email\"");
             return t;
         }(),
         f + "27: removal method \"email\" needs an address"},
        {"removal missing", k_valid.substr(0, k_valid.find("[removal]")), f + "1: missing required key 'removal'"},
    };
    for (const auto& c : cases) {
        std::string name = c.name;
        CAPTURE(name);
        LoadResult r = load_one(c.text);
        INFO("got errors:\n" << joined(r.errors) << "want one containing: " << c.want);
        CHECK(has_error(r, c.want));
        // Parsing the patterns instead of compiling them finds the same errors, worded the same.
        LoadResult parsed = load_rules({{"rules.d/example.toml", c.text}}, {}, PatternCheck::parse);
        CHECK(parsed.errors == r.errors);
    }
}

TEST_CASE("rules loader: PatternCheck::parse reports every pattern error but a program too large for RE2") {
    const std::string f = "rules.d/example.toml:";
    for (const char* pattern : {"a(b", "a**", "x{1001}", "x{2,1}", "[z-a]", "\\pFoo", "(?P<a-b>x)", "a|",
                                "(?:x*)*", "\\b*", "(?P<host>x)", "(?P<ip>a", "[[:foo:]]", "\\xZZ", "\\8"}) {
        const std::string shown = pattern;
        CAPTURE(shown);
        const std::string text =
            k_valid + "\n[[match]]\nid = \"x\"\npattern = '" + pattern + "'\nsource = \"s\"\n";
        LoadResult compiled = load_one(text);
        LoadResult parsed = load_rules({{"rules.d/example.toml", text}}, {}, PatternCheck::parse);
        CHECK_FALSE(compiled.errors.empty());
        CHECK(parsed.errors == compiled.errors);
    }
    // Too large for RE2's program budget, yet well formed: an error only when compiled.
    const std::string huge = k_valid + "\n[[match]]\nid = \"x\"\npattern = 'a\\pL{1000}'\nsource = \"s\"\n";
    LoadResult compiled = load_one(huge);
    CHECK(has_error(compiled, f + "50: key 'pattern': does not compile in RE2: pattern too large"));
    LoadResult parsed = load_rules({{"rules.d/example.toml", huge}}, {}, PatternCheck::parse);
    CHECK(parsed.errors.empty());
}

TEST_CASE("rules loader: all errors of all files are reported at once, in file and line order") {
    std::string bad = k_valid + "\n[[match]]\nid = \"x\"\npattern = 'a(b'\nsource = \"s\"\ncolour = 1\n";
    bad.replace(bad.find("kind = \"ip-dnsbl\""), 17, "kind = \"ip-dnsbx\"");
    LoadResult r = load_rules({{"a/one.toml", bad}, {"a/two.toml", "name = 3\n"}}, {});
    INFO(joined(r.errors));
    REQUIRE(r.errors.size() >= 6);
    CHECK(r.errors[0].rfind("a/one.toml:2: key 'kind'", 0) == 0);
    CHECK(has_error(r, "a/one.toml:50: key 'pattern'"));
    CHECK(has_error(r, "a/one.toml:52: unknown key 'colour'"));
    CHECK(has_error(r, "a/two.toml:1: key 'name' must be a string"));
    CHECK(has_error(r, "a/two.toml:1: missing required key 'kind'"));
    CHECK(r.errors.back().rfind("a/two.toml:", 0) == 0);
}

TEST_CASE("rules loader: a site .local.toml changes only the keys it names") {
    const std::string local = R"([removal]
url = "https://site.example/remove"

[dns]
policy = "site policy"

[[dns.zone]]
name = "mirror.example.net"
query = ["ipv4"]
)";
    LoadResult r = load_rules({{"ship/example.toml", k_valid}}, {{"site/example.local.toml", local}});
    INFO(joined(r.errors));
    REQUIRE(r.errors.empty());
    const Blocklist* b = r.set.find("example");
    REQUIRE(b);
    CHECK(b->removal.url == "https://site.example/remove");
    CHECK(b->removal.method == RemovalMethod::form); // untouched key of a merged table
    CHECK(b->removal.expiry_hours == 24);
    CHECK(b->policy.note == "site policy");
    CHECK(b->policy.needs_key); // untouched
    REQUIRE(b->zones.size() == 1); // an array given replaces the whole array
    CHECK(b->zones[0].name == "mirror.example.net");
    CHECK(b->codes.size() == 2);
    CHECK(b->patterns.size() == 1);
    CHECK(b->file == "ship/example.toml");
    CHECK(b->overrides == std::vector<std::string>{"site/example.local.toml"});
}

TEST_CASE("rules loader: an override's replaced patterns keep their own file and line") {
    const std::string local = "[[match]]\nid = \"site\"\npattern = 'rejected by example'\nsource = \"site\"\n";
    LoadResult r = load_rules({{"ship/example.toml", k_valid}}, {{"site/example.local.toml", local}});
    // The shipped sample naming rule "postfix" now points at a rule the override removed.
    CHECK(has_error(r, "ship/example.toml:40: sample expects rule 'postfix', which list 'example' does not have"));
    const Blocklist* b = r.set.find("example");
    REQUIRE(b);
    REQUIRE(b->patterns.size() == 1);
    CHECK(b->patterns[0].file == "site/example.local.toml");
    CHECK(b->patterns[0].line == 1);
}

TEST_CASE("rules loader: site files add systems; duplicates and stray overrides are errors") {
    std::string other = k_valid;
    other.replace(other.find("list = \"example\""), 16, "list = \"other\"");
    SUBCASE("new system") {
        LoadResult r = load_rules({{"ship/example.toml", k_valid}}, {{"site/other.toml", other}});
        INFO(joined(r.errors));
        CHECK(r.errors.empty());
        REQUIRE(r.set.lists.size() == 2);
        CHECK(r.set.lists[0].id == "example");
        CHECK(r.set.lists[1].id == "other");
    }
    SUBCASE("site duplicates a shipped id") {
        LoadResult r = load_rules({{"ship/example.toml", k_valid}}, {{"site/example.toml", k_valid}});
        CHECK(has_error(r, "site/example.toml:1: list 'example' is already defined in ship/example.toml; change it with example.local.toml"));
    }
    SUBCASE("local file for an unknown id") {
        LoadResult r = load_rules({{"ship/example.toml", k_valid}}, {{"site/ghost.local.toml", "name = \"x\"\n"}});
        CHECK(has_error(r, "site/ghost.local.toml:1: override for 'ghost', which is not a loaded list"));
    }
    SUBCASE("local file in the shipped directory") {
        LoadResult r = load_rules({{"ship/example.toml", k_valid}, {"ship/example.local.toml", "name = \"x\"\n"}}, {});
        CHECK(has_error(r, "ship/example.local.toml:1: a .local.toml override belongs in a site directory"));
    }
    SUBCASE("override errors carry the override's file and line") {
        LoadResult r = load_rules({{"ship/example.toml", k_valid}}, {{"site/example.local.toml", "\n[removal]\nmethod = \"fax\"\n"}});
        CHECK(has_error(r, "site/example.local.toml:3: key 'method': 'fax' is not one of"));
    }
    SUBCASE("bad file name") {
        LoadResult r = load_rules({{"ship/Bad Name.toml", k_valid}}, {});
        CHECK(has_error(r, "ship/Bad Name.toml:1: file name 'Bad Name' is not a list id"));
    }
}

TEST_CASE("rules loader: garbage and oversized input give errors, never a crash") {
    std::vector<std::string> inputs = {
        std::string("\x00\xff\xfe garbage \x01", 14),
        std::string(5000, '['),
        "a = [" + std::string(3000, '[') + std::string(3000, ']') + "]",
        "[[match]]\n[[match]]\nmatch = 3\n",
        "name = \"\\uD800\"\n",
        "sample = [1, 2, {text = 3}]\nmatch = \"x\"\ndns = []\n",
        std::string(ndr::classifiers::k_max_rule_file_bytes + 1, '#'),
    };
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        CAPTURE(i);
        LoadResult r = load_one(inputs[i]);
        CHECK_FALSE(r.errors.empty());
    }
    CHECK(has_error(load_one(inputs.back()), "file is larger than"));
}

TEST_CASE("rules loader: RE2 parses a pattern case-sensitively exactly when it parses it folding case") {
    // PatternCheck::parse asks RE2::Set::Add() case-sensitively (much cheaper); the full compilation
    // folds case. Over generated patterns of regex syntax, both accept and reject the same ones.
    std::mt19937 rng(31);
    static const char* const k_parts[] = {
        "a",        "K",    "s",    "(",   ")",       "(?:",         "(?P<ip>",     "(?P<a-b>",
        "[",        "]",    "[^",   "-",   "\\",      "\\d",         "\\pL",        "\\p{Greek}",
        "\\pZ",     "*",    "+",    "?",   "{2}",     "{1,3}",       "{1001}",      "|",
        ".",        "^",    "$",    "\\b", "\\x{41}", "\\x{110000}", "[[:alpha:]]", "[[:foo:]]",
        "\xC3\xA9", "\xFF", "(?i)", "\\Q", "\\E",     "\\8",         "z-a"};
    RE2::Options fold;
    fold.set_case_sensitive(false);
    fold.set_log_errors(false);
    RE2::Options exact = fold;
    exact.set_case_sensitive(true);
    for (int n = 0; n < 20000; ++n) {
        std::string pattern;
        for (unsigned k = 1 + rng() % 6; k > 0; --k)
            pattern += k_parts[rng() % std::size(k_parts)];
        RE2 folded(pattern, fold);
        RE2::Set set(exact, RE2::UNANCHORED);
        const bool parsed = set.Add(pattern, nullptr) >= 0;
        CHECK_MESSAGE(parsed == (folded.ok() || folded.error_code() == RE2::ErrorPatternTooLarge), pattern);
    }
}
