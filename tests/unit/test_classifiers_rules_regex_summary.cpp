// test_classifiers_rules_regex_summary.cpp — classifiers/rules/regex_summary: the condition never
// rejects a text the pattern matches (checked against RE2 itself over generated patterns and texts and
// over the shipped patterns), exact sets are exact, emptiness is right when claimed.
#include "classifiers/reasons/patterns.hpp"
#include "classifiers/rules/regex_summary.hpp"
#include "classifiers/text.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <random>
#include <re2/re2.h>
#include <string>
#include <vector>

using namespace ndr::classifiers;
using namespace ndr::classifiers::rules;

namespace {

bool found_in(std::string_view text, std::string_view atom, bool fold) {
    return fold ? ifind(text, atom) != std::string_view::npos : text.find(atom) != std::string_view::npos;
}

bool candidate(const RegexSummary& s, std::string_view text, bool fold) {
    return s.holds([&](std::uint32_t a) { return found_in(text, s.atoms[a], fold); });
}

bool exact_match(const RegexSummary& s, std::string_view text) {
    for (const std::string& e : s.exact)
        if (text.find(e) != std::string_view::npos) return true;
    return false;
}

RE2::Options options_for(const SummaryOptions& o) {
    RE2::Options r;
    r.set_case_sensitive(!o.fold_case);
    r.set_log_errors(false);
    if (o.latin1) r.set_encoding(RE2::Options::EncodingLatin1);
    return r;
}

// A random pattern over a small alphabet, with every construct the reader models.
std::string random_pattern(std::mt19937& rng, int depth) {
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    static const char* const k_atoms[] = {
        "a",     "b",           "c",    "A",     "B",    " ",    "ab",        "abc",          "ba", "\\.",
        ".",     "[ab]",        "[^a]", "[a-c]", "[ ]",  "\\d",  "\\s",       "\\b",          "^",  "$",
        "\\x61", "[[:alpha:]]", "{",    "x{2,}", "[]a]", "\\pL", "(?P<ip>a)", "(?P<domain>b)"};
    std::string out;
    const int items = 1 + pick(4);
    for (int i = 0; i < items; ++i) {
        if (depth < 3 && pick(4) == 0) {
            out += pick(2) ? "(?:" : "(";
            out += random_pattern(rng, depth + 1);
            if (pick(2)) out += "|" + random_pattern(rng, depth + 1);
            out += ")";
        } else {
            out += k_atoms[pick(static_cast<int>(std::size(k_atoms)))];
        }
        static const char* const k_quant[] = {"",    "",      "",      "?",   "*", "+",
                                              "{2}", "{0,2}", "{1,3}", "{0}", "+?"};
        out += k_quant[pick(static_cast<int>(std::size(k_quant)))];
    }
    if (depth == 0 && pick(3) == 0) out += "|" + random_pattern(rng, 1);
    return out;
}

std::string random_text(std::mt19937& rng) {
    static const char k_chars[] = "abcABC .x1";
    std::string t;
    const auto len = rng() % 9;
    for (unsigned i = 0; i < len; ++i)
        t += k_chars[rng() % (sizeof k_chars - 1)];
    return t;
}

} // namespace

TEST_CASE("regex summary: literals, classes, groups and alternations give atoms; exact sets are kept") {
    SummaryOptions exact_opts;
    exact_opts.fold_case = false;
    exact_opts.latin1 = true;
    RegexSummary s = summarise_regex("banned[ ]sending[ ]ip", exact_opts);
    REQUIRE(s.understood);
    CHECK(s.never_empty);
    CHECK(s.exact == std::vector<std::string>{"banned sending ip"});
    s = summarise_regex("connection[ ](?:dropped|refused[ ]by)", exact_opts);
    CHECK(s.exact == std::vector<std::string>{"connection dropped", "connection refused by"});
    s = summarise_regex("black ?list", exact_opts);
    CHECK(s.exact == std::vector<std::string>{"black list", "blacklist"});
    CHECK(s.within == s.exact);
    // Strings known to match, beside the condition: the exact branches of an alternation.
    s = summarise_regex("user[ ](?:[^ ]+[ ]was[ ]not[ ]found|unknown)", exact_opts);
    CHECK(s.exact.empty());
    CHECK(s.within == std::vector<std::string>{"user unknown"});
    // A gap or an assertion: a condition, not an exact set.
    s = summarise_regex("access[ ]from[ ]ip[ ]address[ ][^ ]+[ ]blocked", exact_opts);
    CHECK(s.exact.empty());
    CHECK(s.holds([&](std::uint32_t a) {
        return s.atoms[a] == "access from ip address " || s.atoms[a] == " blocked";
    }));
    CHECK_FALSE(s.holds([&](std::uint32_t a) { return s.atoms[a] == " blocked"; }));
    s = summarise_regex("\\bfoo\\b", exact_opts);
    CHECK(s.exact.empty());
    CHECK(s.atoms == std::vector<std::string>{"foo"});
    // Case folding lower-cases atoms and never makes an exact set.
    s = summarise_regex("Blocked Using (?P<ip>[0-9.]+)", SummaryOptions{});
    CHECK(s.exact.empty());
    CHECK(s.atoms == std::vector<std::string>{"blocked using "});
    // Nothing to require: an optional part, a short literal.
    s = summarise_regex("(?:abc)?d", SummaryOptions{});
    CHECK(s.understood);
    CHECK(s.root < 0);
}

TEST_CASE("regex summary: syntax the reader does not model gives up on the whole pattern") {
    for (const char* p : {"(?i)abc", "\\Qabc\\E", "a\\1", "(?s:abc)", "abc)", "(abc", "a**"}) {
        RegexSummary s = summarise_regex(p, SummaryOptions{});
        CHECK_MESSAGE(!s.understood, p);
        CHECK_MESSAGE(s.root < 0, p);
        CHECK_MESSAGE(!s.never_empty, p);
        CHECK(s.holds([](std::uint32_t) { return false; }));
    }
    std::string deep(500, '(');
    deep += "a" + std::string(500, ')');
    CHECK_FALSE(summarise_regex(deep, SummaryOptions{}).understood);
}

TEST_CASE("regex summary: generated patterns against RE2 (sound, exact when exact, empty when claimed, known "
          "strings match)") {
    std::mt19937 rng(12345);
    for (int mode = 0; mode < 4; ++mode) {
        SummaryOptions o;
        o.fold_case = mode % 2 == 0;
        o.latin1 = mode % 2 == 1;
        o.min_atom = mode < 2 ? 1 : 3;
        const RE2::Options ro = options_for(o);
        for (int n = 0; n < 1500; ++n) {
            const std::string pattern = random_pattern(rng, 0);
            RE2 re(pattern, ro);
            if (!re.ok()) continue;
            const RegexSummary s = summarise_regex(pattern, o);
            if (s.never_empty) CHECK_MESSAGE(!RE2::PartialMatch("", re), pattern);
            if (s.understood) {
                std::vector<std::string> names;
                for (const auto& [name, index] : re.NamedCapturingGroups())
                    names.push_back(name);
                std::vector<std::string> got = s.group_names;
                std::sort(got.begin(), got.end());
                got.erase(std::unique(got.begin(), got.end()), got.end());
                CHECK_MESSAGE(got == names, pattern);
            }
            for (const std::string& w : s.within) {
                CHECK_FALSE(w.empty());
                const std::string text = random_text(rng) + w + random_text(rng);
                CHECK_MESSAGE(RE2::PartialMatch(text, re), pattern, " on '", text, "'");
            }
            for (int t = 0; t < 40; ++t) {
                const std::string text = random_text(rng);
                const bool matches = RE2::PartialMatch(text, re);
                if (matches) CHECK_MESSAGE(candidate(s, text, o.fold_case), pattern, " on '", text, "'");
                if (!s.exact.empty())
                    CHECK_MESSAGE(exact_match(s, text) == matches, pattern, " on '", text, "'");
            }
        }
    }
}

TEST_CASE("regex summary: case folding counts U+017F and U+212A once the text reads them as s and k") {
    const RegexSummary s = summarise_regex("sks", SummaryOptions{});
    RE2 re("sks", options_for(SummaryOptions{}));
    const std::string text = "\xC5\xBF\xE2\x84\xAAS";
    CHECK(RE2::PartialMatch(text, re));
    CHECK(candidate(s, "sks", true));
}

TEST_CASE("regex summary: every reason regex is understood, and sound over its own sample") {
    SummaryOptions o;
    o.fold_case = false;
    o.latin1 = true;
    const RE2::Options ro = options_for(o);
    for (const reasons::Pattern& p : reasons::all_patterns()) {
        if (p.kind != reasons::Kind::regex) continue;
        const RegexSummary s = summarise_regex(p.text, o);
        CHECK_MESSAGE(s.understood, p.text);
        CHECK_MESSAGE(s.never_empty, p.text);
        RE2 re(std::string(p.text), ro);
        const std::string sample = to_lower_ascii(p.sample);
        REQUIRE(RE2::PartialMatch(sample, re));
        CHECK_MESSAGE(candidate(s, sample, false), p.text);
        if (!s.exact.empty()) CHECK_MESSAGE(exact_match(s, sample), p.text);
    }
}

TEST_CASE("regex summary: trigger atoms cover every text that meets the condition") {
    // An AND is indexed under its most selective part: here the zone names, not the common verbs.
    const RegexSummary s =
        summarise_regex("(?:blocked using|listed (?:at|in)) \\S+ (?:zen\\.spamhaus\\.org|bl\\.example\\.org)",
                        SummaryOptions{});
    std::vector<std::string> names;
    for (std::uint32_t a : s.trigger_atoms())
        names.push_back(s.atoms[a]);
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{" bl.example.org", " zen.spamhaus.org"});
    CHECK(summarise_regex("(?:abc)?d", SummaryOptions{}).trigger_atoms().empty());
    // Generated patterns: whenever the condition holds, some trigger atom is in the text.
    std::mt19937 rng(99);
    for (int n = 0; n < 2000; ++n) {
        const std::string pattern = random_pattern(rng, 0);
        const RegexSummary r = summarise_regex(pattern, SummaryOptions{});
        const std::vector<std::uint32_t> t = r.trigger_atoms();
        for (int k = 0; k < 20; ++k) {
            const std::string text = random_text(rng);
            if (r.root < 0 || !candidate(r, text, true)) continue;
            bool triggered = false;
            for (std::uint32_t a : t)
                triggered = triggered || found_in(text, r.atoms[a], true);
            CHECK_MESSAGE(triggered, pattern, " on '", text, "'");
        }
    }
}
