// test_classifiers_rules_matcher.cpp — the one-pass matcher (classifiers/rules/matcher.cpp): overlap,
// priority, ties, one hit per list, `also`, resolver errors, listed-item extraction and evidence.
// Rule sets are built inline, never from the shipped files.
#include "classifiers/limits.hpp"
#include "classifiers/rules/attribution.hpp"
#include "classifiers/rules/compiled.hpp"
#include "classifiers/rules/loader.hpp"
#include "classifiers/rules/matcher.hpp"

#include <atomic>
#include <doctest/doctest.h>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace ndr::classifiers;
using namespace ndr::classifiers::rules;

namespace {

Pattern pat(std::string id, int priority, std::string regex, std::string listed = "", std::vector<std::string> also = {},
            bool resolver_error = false) {
    Pattern p;
    p.id = std::move(id);
    p.priority = priority;
    p.regex = std::move(regex);
    p.listed = std::move(listed);
    p.also = std::move(also);
    p.resolver_error = resolver_error;
    p.source = "test";
    return p;
}

Blocklist list(std::string id, std::vector<Pattern> patterns, ListKind kind = ListKind::ip_dnsbl) {
    Blocklist b;
    b.id = std::move(id);
    b.kind = kind;
    b.patterns = std::move(patterns);
    return b;
}

std::string show(const MatchResult& r) {
    std::string out;
    for (const auto& h : r.hits) out += h.id + "/" + h.rule + "(" + h.listed + ") ";
    if (r.receiver_resolver_error) out += "resolver-error ";
    for (const auto& t : r.ties) out += "tie[" + t + "] ";
    return out.empty() ? "nothing" : out;
}

struct Want {
    std::string id, rule, listed;
};

void check_hits(const MatchResult& got, const std::vector<Want>& want) {
    INFO("got: " << show(got));
    REQUIRE(got.hits.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
        CHECK(got.hits[i].id == want[i].id);
        CHECK(got.hits[i].rule == want[i].rule);
        CHECK(got.hits[i].listed == want[i].listed);
    }
}

} // namespace

TEST_CASE("rules matcher: overlapping hits keep only the higher priority") {
    RuleSet set;
    set.lists.push_back(list("generic", {pat("blocked-using", 10, R"(blocked using [a-z0-9.]+)")}));
    set.lists.push_back(list("zen", {pat("postfix", 70, R"(blocked using zen\.spamhaus\.org)")}));
    Matcher m(set);
    check_hits(m.match("554 5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org"), {{"zen", "postfix", ""}});
    // Disjoint spans: both stay, in text order.
    check_hits(m.match("blocked using bl.example.org; also blocked using zen.spamhaus.org"),
               {{"generic", "blocked-using", ""}, {"zen", "postfix", ""}});
}

TEST_CASE("rules matcher: equal priority overlap from two lists is a tie, both kept") {
    RuleSet set;
    set.lists.push_back(list("a", {pat("x", 50, R"(listed at bl\.example)")}));
    set.lists.push_back(list("b", {pat("y", 50, R"(bl\.example\.org)")}));
    Matcher m(set);
    MatchResult r = m.match("550 listed at bl.example.org");
    INFO(show(r));
    REQUIRE(r.ties.size() == 1);
    CHECK(r.ties[0] == "a/x ~ b/y");
    CHECK(r.hits.size() == 2);
    MatchResult apart = m.match("550 listed at bl.example, see bl.example.org");
    CHECK(apart.ties.empty());
}

TEST_CASE("rules matcher: at most one hit per list, the highest priority one") {
    RuleSet set;
    set.lists.push_back(list("zen", {pat("low", 20, R"(zen\.spamhaus\.org)"),
                                     pat("url", 60, R"(spamhaus\.org/query/ip/(?P<ip>[0-9.]+))", "ip")}));
    Matcher m(set);
    MatchResult r = m.match("blocked using zen.spamhaus.org; see https://www.spamhaus.org/query/ip/192.0.2.7");
    check_hits(r, {{"zen", "url", "192.0.2.7"}});
    CHECK(r.fired.size() == 2);
    CHECK(r.ties.empty());
}

TEST_CASE("rules matcher: `also` adds hits for other lists; a direct hit of that list wins") {
    RuleSet set;
    set.lists.push_back(list("yahoo", {pat("bl23", 80, R"(\[BL23\] .*? from (?P<ip>[0-9.]+))", "ip", {"xbl"})},
                             ListKind::provider_internal));
    set.lists.push_back(list("xbl", {pat("direct", 40, R"(xbl\.spamhaus\.org)")}));
    Matcher m(set);
    check_hits(m.match("553 5.7.1 [BL23] Connections not accepted from 192.0.2.9"),
               {{"xbl", "", "192.0.2.9"}, {"yahoo", "bl23", "192.0.2.9"}});
    check_hits(m.match("553 5.7.1 [BL23] Connections not accepted from 192.0.2.9; see xbl.spamhaus.org"),
               {{"yahoo", "bl23", "192.0.2.9"}, {"xbl", "direct", ""}});
}

TEST_CASE("rules matcher: resolver errors set the flag, list nothing and silence their lists") {
    RuleSet set;
    set.lists.push_back(list("zen", {pat("reject", 50, R"(blocked using zen\.spamhaus\.org)"),
                                     pat("open-resolver", 90, R"(open resolver; https://check\.spamhaus\.org/returnc/pub)", "",
                                         {"sbl"}, true)}));
    set.lists.push_back(list("sbl", {pat("reject", 50, R"(blocked using sbl\.spamhaus\.org)")}));
    set.lists.push_back(list("other", {pat("reject", 50, R"(blocked using bl\.example\.org)")}));
    Matcher m(set);
    MatchResult r = m.match("554 Client host [192.0.2.1] blocked using zen.spamhaus.org; blocked using sbl.spamhaus.org; "
                            "blocked using bl.example.org; Error: open resolver; https://check.spamhaus.org/returnc/pub/");
    CHECK(r.receiver_resolver_error);
    check_hits(r, {{"other", "reject", ""}});
    MatchResult plain = m.match("554 Client host [192.0.2.1] blocked using zen.spamhaus.org");
    CHECK_FALSE(plain.receiver_resolver_error);
    check_hits(plain, {{"zen", "reject", ""}});
}

TEST_CASE("rules matcher: the listed IP or domain is taken from its group, validated and normalised") {
    struct Case {
        const char* name;
        const char* regex;
        const char* listed;
        const char* text;
        const char* want;
    };
    const Case cases[] = {
        {"bracketed ip", R"(client host \[(?P<ip>[0-9a-f.:]+)\] blocked)", "ip", "Client host [198.51.100.23] blocked", "198.51.100.23"},
        {"barracuda is_blocked", R"(<(?P<ip>[0-9.]+)>_is_blocked)", "ip", "550 permanent failure for one or more recipients (x:blocked) dnsbl:rbl <198.51.100.23>_is_blocked", "198.51.100.23"},
        {"query/ip url", R"(spamhaus\.org/query/ip/(?P<ip>[0-9a-f.:]+))", "ip", "see https://www.spamhaus.org/query/ip/198.51.100.23", "198.51.100.23"},
        {"?ip= url", R"(lookup\?ip=(?P<ip>[0-9a-f.:]+))", "ip", "https://www.spamcop.net/w3m?action=lookup?ip=198.51.100.23", "198.51.100.23"},
        {"ipv6 compressed, upper case", R"(host \[(?P<ip>[0-9a-f.:]+)\])", "ip", "host [2001:DB8:23::25] blocked", "2001:db8:23::25"},
        {"ipv6 full form", R"(host \[(?P<ip>[0-9a-f.:]+)\])", "ip", "host [2001:0db8:0023:0000:0000:0000:0000:0025]", "2001:db8:23::25"},
        {"ipv6 address literal", R"(host \[(?P<ip>[0-9a-z.:]+)\])", "ip", "host [IPv6:2001:db8::1]", "2001:db8::1"},
        {"ipv4 out of range dropped", R"(host \[(?P<ip>[0-9.]+)\])", "ip", "host [198.51.100.256]", ""},
        {"ipv4 leading zero dropped", R"(host \[(?P<ip>[0-9.]+)\])", "ip", "host [198.051.100.23]", ""},
        {"ipv4 three octets dropped", R"(host \[(?P<ip>[0-9.]+)\])", "ip", "host [198.51.100]", ""},
        {"domain lower-cased, dot dropped", R"(domain (?P<domain>[a-z0-9.-]+) is listed)", "domain", "domain Example.COM. is listed", "example.com"},
        {"domain single label dropped", R"(domain (?P<domain>[a-z0-9.-]+) is listed)", "domain", "domain localhost is listed", ""},
        {"domain numeric tld dropped", R"(domain (?P<domain>[a-z0-9.-]+) is listed)", "domain", "domain 198.51.100.23 is listed", ""},
        {"domain bad hyphen dropped", R"(domain (?P<domain>[a-z0-9.-]+) is listed)", "domain", "domain -bad.example.com is listed", ""},
        {"idn to a-label", R"(domain (?P<domain>\S+) is listed)", "domain", "domain b\xc3\xbc" "cher.example is listed", "xn--bcher-kva.example"},
    };
    for (const auto& c : cases) {
        std::string name = c.name;
        CAPTURE(name);
        RuleSet set;
        set.lists.push_back(list("l", {pat("p", 50, c.regex, c.listed)}));
        Matcher m(set);
        MatchResult r = m.match(c.text);
        INFO("got: " << show(r) << " want listed " << c.want);
        REQUIRE(r.hits.size() == 1);
        CHECK(r.hits[0].listed == c.want);
    }
}

TEST_CASE("rules matcher: case-insensitive, evidence sanitised with DQS keys stripped") {
    RuleSet set;
    set.lists.push_back(list("zen", {pat("dqs", 50, R"(blocked using [a-z0-9]+\.zen\.dq\.spamhaus\.net\S*)")}));
    Matcher m(set);
    MatchResult r = m.match("554 BLOCKED USING abcdefghijklmnopqrstuvwxyz.zen.dq.spamhaus.net\x1b[31m");
    REQUIRE(r.hits.size() == 1);
    CHECK(r.hits[0].evidence.find("abcdefghijklmnopqrstuvwxyz") == std::string::npos);
    CHECK(r.hits[0].evidence.find("<key>.zen.dq.spamhaus.net") != std::string::npos);
    CHECK(r.hits[0].evidence.find('\x1b') == std::string::npos);
    CHECK(r.hits[0].priority == 50);
}

TEST_CASE("rules matcher: ASCII and non-ASCII texts find the same patterns") {
    // Texts are filtered by the ASCII atom scan, those with U+017F or U+212A by RE2's case-insensitive
    // set (both fold to an ASCII letter there).
    RuleSet set;
    set.lists.push_back(list("zen", {pat("zen", 50, R"(listed at zen\.spamhaus\.org)")}));
    set.lists.push_back(list("sk", {pat("sk", 50, R"(blocked by sk-list)")}));
    Matcher m(set);
    check_hits(m.match("550 IP LISTED AT ZEN.SPAMHAUS.ORG"), {{"zen", "zen", ""}});
    check_hits(m.match("550 \xC3\xA9 listed at zen.spamhaus.org \xE2\x80\x94 sorry"), {{"zen", "zen", ""}});
    check_hits(m.match("550 listed at zen.spamhaus.net"), {});
    // U+017F (long s) and U+212A (Kelvin sign) fold to s and k in RE2's case-insensitive matching.
    check_hits(m.match("550 blocked by \xC5\xBF\xE2\x84\xAA-list"), {{"sk", "sk", ""}});
    check_hits(m.match("550 blocked by s\xE2\x84\xAA-list"), {{"sk", "sk", ""}});
    check_hits(m.match("550 \xC5\xBF blocked by SK-list"), {{"sk", "sk", ""}});
    check_hits(m.match("550 blocked by \xC5\xBE\xE2\x84\xAB-list"), {});
}

TEST_CASE("rules matcher: text past k_max_match_text_bytes is not matched") {
    RuleSet set;
    set.lists.push_back(list("zen", {pat("p", 50, R"(blocked using zen\.spamhaus\.org)")}));
    Matcher m(set);
    std::string text(k_max_match_text_bytes, 'x');
    text += " blocked using zen.spamhaus.org";
    CHECK(m.match(text).hits.empty());
    text.replace(0, 31, " blocked using zen.spamhaus.org");
    CHECK(m.match(text).hits.size() == 1);
}

TEST_CASE("rules matcher: an empty rule set and patterns that do not compile match nothing") {
    RuleSet empty;
    Matcher m0(empty);
    CHECK(m0.match("blocked using zen.spamhaus.org").hits.empty());
    RuleSet set;
    set.lists.push_back(list("bad", {pat("p", 50, "a(b")}));
    set.lists.push_back(list("good", {pat("p", 50, "blocked")}));
    Matcher m(set);
    check_hits(m.match("a(b blocked"), {{"good", "p", ""}});
}

TEST_CASE("rules matcher: over a loaded set it uses the loader's compilation, overrides and edits included") {
    const std::string file =
        "name = \"Example\"\nkind = \"ip-dnsbl\"\nhome = \"https://bl.example/\"\n"
        "[removal]\nmethod = \"none\"\n"
        "[[match]]\nid = \"old\"\npattern = 'blocked using bl\\.example\\.org'\nsource = \"t\"\n"
        "[[match]]\nid = \"ip\"\npattern = 'listed: (?P<ip>[0-9.]+)'\nlisted = \"ip\"\n"
        "source = \"t\"\n";
    const std::string local =
        "[[match]]\nid = \"new\"\npattern = 'refused by bl\\.example\\.org'\nsource = \"t\"\n";
    LoadResult loaded = load_rules({{"ship/example.toml", file}}, {{"site/example.local.toml", local}});
    REQUIRE(loaded.set.compiled != nullptr);
    const std::string text = "550 blocked using bl.example.org; 550 refused by bl.example.org";
    Matcher first(loaded.set); // takes the loader's filter over
    CHECK(loaded.set.compiled->taken.load());
    // The override replaced both shipped patterns: their compiled ids are dead and never fire.
    check_hits(first.match(text), {{"example", "new", ""}});
    Matcher second(loaded.set); // compiles its own: same answers
    check_hits(second.match(text), {{"example", "new", ""}});

    // A pattern edited after loading is not what was compiled: the matcher compiles the set itself.
    LoadResult again = load_rules({{"ship/example.toml", file}}, {});
    again.set.lists[0].patterns[0].regex = "refused by bl\\.example\\.org";
    Matcher edited(again.set);
    CHECK_FALSE(again.set.compiled->taken.load());
    check_hits(edited.match(text), {{"example", "old", ""}});
    check_hits(edited.match("listed: 192.0.2.7"), {{"example", "ip", "192.0.2.7"}});
}

namespace {

// A rule file of list "example" with these [[match]] tables.
std::string example_file(const std::string& matches) {
    return "name = \"Example\"\nkind = \"ip-dnsbl\"\nhome = \"https://bl.example/\"\n"
           "[removal]\nmethod = \"none\"\n" +
           matches;
}

} // namespace

TEST_CASE(
    "rules matcher: a set loaded with PatternCheck::parse compiles a pattern only when it is a candidate") {
    const std::string file = example_file(
        "[[match]]\nid = \"a\"\npattern = 'blocked using bl\\.example\\.org'\nsource = \"t\"\n"
        "[[match]]\nid = \"b\"\npattern = 'listed at (?P<ip>[0-9.]+) by other\\.example'\nlisted = \"ip\"\n"
        "source = \"t\"\n");
    LoadResult loaded = load_rules({{"ship/example.toml", file}}, {}, PatternCheck::parse);
    REQUIRE(loaded.errors.empty());
    REQUIRE(loaded.set.compiled != nullptr);
    const auto& entries = loaded.set.compiled->patterns;
    REQUIRE(entries.size() == 2);
    CHECK_FALSE(entries[0].is_compiled());
    CHECK_FALSE(entries[1].is_compiled());
    Matcher m(loaded.set);
    check_hits(m.match("550 blocked using bl.example.org"), {{"example", "a", ""}});
    CHECK(entries[0].is_compiled());
    CHECK_FALSE(entries[1].is_compiled()); // its atoms never occurred
    check_hits(m.match("listed at 192.0.2.9 by other.example"), {{"example", "b", "192.0.2.9"}});
    CHECK(entries[1].is_compiled());
}

TEST_CASE("rules matcher: warm_up() compiles every pattern now, unless told to stop") {
    const std::string file = example_file(
        "[[match]]\nid = \"a\"\npattern = 'blocked using bl\\.example\\.org'\nsource = \"t\"\n"
        "[[match]]\nid = \"b\"\npattern = 'listed at (?P<ip>[0-9.]+) by other\\.example'\nlisted = \"ip\"\n"
        "source = \"t\"\n");
    // A set whose patterns are parsed, not compiled; warmed up with `stop` set or not.
    const auto warmed = [&](bool stop) {
        auto loaded =
            std::make_unique<LoadResult>(load_rules({{"ship/example.toml", file}}, {}, PatternCheck::parse));
        REQUIRE(loaded->errors.empty());
        const std::atomic<bool> flag{stop};
        auto m = std::make_unique<Matcher>(loaded->set);
        m->warm_up(flag);
        return std::make_pair(std::move(loaded), std::move(m));
    };
    const auto [cold, cold_matcher] = warmed(true);
    CHECK_FALSE(cold->set.compiled->patterns[0].is_compiled());
    CHECK_FALSE(cold->set.compiled->patterns[1].is_compiled());
    const auto [warm, m] = warmed(false);
    CHECK(warm->set.compiled->patterns[0].is_compiled());
    CHECK(warm->set.compiled->patterns[1].is_compiled());
    // The same answers as without it.
    check_hits(m->match("listed at 192.0.2.9 by other.example"), {{"example", "b", "192.0.2.9"}});
    check_hits(m->match("550 blocked using bl.example.org"), {{"example", "a", ""}});
}

TEST_CASE("rules matcher: a pattern RE2 cannot compile on first use matches nothing and says so") {
    const std::string file = example_file(
        "[[match]]\nid = \"huge\"\npattern = 'huge \\pL{1000}'\nsource = \"t\"\n"
        "[[match]]\nid = \"fine\"\npattern = 'blocked using bl\\.example\\.org'\nsource = \"t\"\n");
    LoadResult loaded = load_rules({{"ship/example.toml", file}}, {}, PatternCheck::parse);
    REQUIRE(loaded.errors.empty());
    Matcher m(loaded.set);
    MatchResult r = m.match("huge words; blocked using bl.example.org");
    check_hits(r, {{"example", "fine", ""}});
    CHECK(r.failed == std::vector<std::string>{"example/huge"});
    CHECK(m.match("blocked using bl.example.org").failed.empty()); // not a candidate: not needed
    DeliveryReport report;
    report.recipients.emplace_back().diagnostic = "550 huge words; blocked using bl.example.org";
    attribute(report, m);
    CHECK(report.has_anomaly("attribution-pattern-failed"));
    REQUIRE(report.recipients[0].verdict.lists.size() == 1);
    CHECK(report.recipients[0].verdict.lists[0].rule == "fine");
}

TEST_CASE("rules matcher: the literal prefilter changes nothing (match == match_every_pattern)") {
    RuleSet set;
    set.lists.push_back(
        list("zen", {pat("blocked", 50, "(?:blocked using|listed (?:at|in)) zen\\.spamhaus\\.org", ""),
                     pat("ip", 60, "(?P<ip>[0-9]{1,3}(?:\\.[0-9]{1,3}){3}) is listed at zen", "ip"),
                     pat("kelvin", 40, "kask"), pat("anchored", 40, "^550 bad")}));
    set.lists.push_back(
        list("other", {pat("plain", 50, "refused by RBL"), pat("opt", 50, "(?:very )?bad sender")}));
    Matcher m(set);
    const char* texts[] = {
        "550 blocked using zen.spamhaus.org",
        "192.0.2.1 is listed at zen",
        "LISTED IN ZEN.SPAMHAUS.ORG",
        "ka\xC5\xBFk",
        "\xE2\x84\xAA"
        "ask",
        "550 bad",
        "x550 bad",
        "refused by rbl",
        "bad sender",
        "nothing",
        "",
        "listed at zen.spamhaus.org; 198.51.100.7 is listed at zen; very bad sender",
    };
    for (const char* t : texts) {
        CAPTURE(t);
        const MatchResult a = m.match(t);
        const MatchResult b = m.match_every_pattern(t);
        CHECK(show(a) == show(b));
        CHECK(a.fired == b.fired);
    }
    CHECK(m.match("ka\xC5\xBFk").fired == std::vector<std::string>{"zen/kelvin"});
}

TEST_CASE(
    "rules matcher: may_match() is false only when no text made by overwriting bytes with '*' matches") {
    RuleSet set;
    set.lists.push_back(
        list("zen", {pat("blocked", 50, "(?:blocked using|listed (?:at|in)) zen\\.spamhaus\\.org"),
                     pat("ip", 60, "(?P<ip>[0-9]{1,3}(?:\\.[0-9]{1,3}){3}) is listed at zen", "ip")}));
    set.lists.push_back(list("other", {pat("plain", 50, "refused by RBL"), pat("kelvin", 40, "kask")}));
    Matcher m(set);
    std::mt19937 rng(5);
    const std::vector<std::string> texts = {"550 blocked using zen.spamhaus.org",
                                            "192.0.2.1 is listed at zen",
                                            "refused by rbl; ka\xC5\xBFk",
                                            "nothing to see",
                                            "listed at zen.spamhaus",
                                            ""};
    for (const std::string& t : texts) {
        CAPTURE(t);
        if (m.may_match(t)) continue;
        CHECK(m.match(t).fired.empty());
        for (int k = 0; k < 50; ++k) {
            std::string masked = t;
            for (char& c : masked)
                if (rng() % 3 == 0) c = '*';
            CHECK(m.match(masked).fired.empty());
        }
    }
    CHECK(m.may_match("550 blocked using zen.spamhaus.org"));
    CHECK_FALSE(m.may_match("nothing to see"));
    // A pattern with a '*' among its atoms: masking could make one, so every text may match.
    RuleSet star;
    star.lists.push_back(list("s", {pat("p", 50, "\\*\\*\\* spam")}));
    Matcher ms(star);
    CHECK(ms.may_match("nothing to see"));
}

TEST_CASE(
    "rules matcher: match_masked() is match() of the masked text, and masks only a text that may match") {
    RuleSet set;
    set.lists.push_back(
        list("zen", {pat("blocked", 50, "blocked using zen\\.spamhaus\\.org"),
                     pat("ip", 60, "(?P<ip>[0-9]{1,3}(?:\\.[0-9]{1,3}){3}) is listed at zen", "ip")}));
    Matcher m(set);
    int masked = 0;
    const auto same = [&](std::string_view t) {
        ++masked;
        return std::string(t);
    };
    // Overwrites the listed IP with '*'.
    const auto hide_ip = [&](std::string_view t) {
        ++masked;
        std::string out(t);
        if (const auto at = out.find("192.0.2.7"); at != std::string::npos) out.replace(at, 9, "*********");
        return out;
    };
    // Nothing can match: no masking at all.
    CHECK(show(m.match_masked("nothing to see", same)) == "nothing");
    CHECK(masked == 0);
    // Masking changes nothing: the unmasked text's answer, the hit and its listed IP included.
    const std::string t = "550 192.0.2.7 is listed at zen; blocked using zen.spamhaus.org";
    CHECK(show(m.match_masked(t, same)) == show(m.match(t)));
    CHECK(masked == 1);
    check_hits(m.match_masked(t, same), {{"zen", "ip", "192.0.2.7"}});
    // Masking changes the text: the masked text's answer (the IP pattern no longer matches).
    masked = 0;
    const MatchResult hidden = m.match_masked(t, hide_ip);
    CHECK(masked == 1);
    CHECK(show(hidden) == show(m.match(hide_ip(t))));
    check_hits(hidden, {{"zen", "blocked", ""}});
    // A pattern with a '*' among its atoms: masking can make a match the unmasked text has no
    // candidate for, so the text is masked and matched.
    RuleSet star;
    star.lists.push_back(list("s", {pat("p", 50, "\\*\\*\\* spam")}));
    Matcher ms(star);
    masked = 0;
    const auto stars = [&](std::string_view u) {
        ++masked;
        std::string out(u);
        out.replace(0, 3, "***");
        return out;
    };
    check_hits(ms.match_masked("abc spam", stars), {{"s", "p", ""}});
    CHECK(masked == 1);
}
