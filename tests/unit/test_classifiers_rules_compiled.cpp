// test_classifiers_rules_compiled.cpp — CompiledPattern (classifiers/rules/compiled.hpp): first_match()
// finds what RE2's unanchored search finds, span and every group, whether it takes the prefixed
// BitState form (short texts, small programs) or the plain pattern (long texts, large programs).
#include "classifiers/rules/compiled.hpp"
#include "classifiers/rules/loader.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace ndr::classifiers::rules;

namespace {

struct Found {
    bool matched = false;
    std::vector<std::string> groups;     // "" for a group that took no part
    std::vector<std::ptrdiff_t> offsets; // -1 for a group that took no part
};

// Every group of the pattern as RE2's own unanchored search (plain) or first_match() finds them.
Found find(const CompiledPattern& p, std::string_view text, bool plain) {
    Found f;
    const RE2& re = p.re();
    const int n = re.NumberOfCapturingGroups() + 1;
    std::vector<re2::StringPiece> spans(static_cast<std::size_t>(n));
    f.matched = plain ? re.Match(text, 0, text.size(), RE2::UNANCHORED, spans.data(), n)
                      : p.first_match(text, spans.data(), n);
    if (!f.matched) return f;
    for (const auto& s : spans) {
        f.groups.emplace_back(s.data() ? std::string(s.data(), s.size()) : std::string());
        f.offsets.push_back(s.data() ? s.data() - text.data() : -1);
    }
    return f;
}

Found plain(const CompiledPattern& p, std::string_view text) {
    return find(p, text, true);
}
Found first(const CompiledPattern& p, std::string_view text) {
    return find(p, text, false);
}

std::string show(const Found& f) {
    if (!f.matched) return "no match";
    std::string out;
    for (std::size_t i = 0; i < f.groups.size(); ++i)
        out += "[" + std::to_string(f.offsets[i]) + ":" + f.groups[i] + "]";
    return out;
}

} // namespace

TEST_CASE("compiled pattern: first_match() is the leftmost first match, its groups numbered as RE2's") {
    struct Case {
        const char* regex;
        std::string text;
        const char* want_match; // nullptr: no match
        const char* want_group; // group `name`, nullptr: not checked
        const char* name;
    };
    const std::string filler(20000, 'x'); // past the prefixed form's text bound: the plain pattern
    const std::vector<Case> cases = {
        // The first of two matches (a greedy prefix would take the last one).
        {"(?P<ip>[0-9]+) is listed", "550 192 is listed; 7 is listed", "192 is listed", "192", "ip"},
        {"(?P<ip>[0-9]+) is listed", filler + "550 192 is listed; 7 is listed", "192 is listed", "192", "ip"},
        // Leftmost-first preference between alternatives, kept inside the prefix's group.
        {"a|ab", "xxab", "a", nullptr, nullptr},
        {"ab|a", "xxab", "ab", nullptr, nullptr},
        // `^` is still the start of the text; `\b` still sees the text's first byte.
        {"^550 bad", "550 bad sender", "550 bad", nullptr, nullptr},
        {"^550 bad", "x550 bad sender", nullptr, nullptr, nullptr},
        {"\\bzen\\b", "zenith zen", "zen", nullptr, nullptr},
        {"\\bzen", "zen", "zen", nullptr, nullptr},
        // Matched case-insensitively; a group that took no part is empty.
        {"listed(?: by (?P<domain>[a-z.]+))?", "LISTED at x", "LISTED", "", "domain"},
        {"listed(?: by (?P<domain>[a-z.]+))?", "Listed by Example.ORG", "Listed by Example.ORG",
         "Example.ORG", "domain"},
        // More groups than the frame's few; the named one is the last.
        {"(a)(b)(c)(d)(e)(f)(g)(h)(i)(?P<ip>j)", "..abcdefghij..", "abcdefghij", "j", "ip"},
        // A program past BitState's 512 instructions: the plain pattern.
        {"x(?:ab|cd){0,300}(?P<ip>y)", "..xababcdy..", "xababcdy", "y", "ip"},
        {"nothing here", "some text", nullptr, nullptr, nullptr},
        // Bytes that are not UTF-8 before the match are skipped, as RE2's unanchored search skips them.
        {"blocked using (?P<domain>[a-z.]+)",
         "Postmas\xBB"
         "er: blocked using zen.example",
         "blocked using zen.example", "zen.example", "domain"},
        {"listed", "\xC3\xA9\xFF\xFE\x86 listed", "listed", nullptr, nullptr},
        // Quoted to the end: wrapped, the closing parenthesis would be quoted too (the plain pattern).
        {"\\Qa)(b", "xa)(b", "a)(b", nullptr, nullptr},
    };
    for (const Case& c : cases) {
        CAPTURE(c.regex);
        CAPTURE(c.text.size());
        CompiledPattern p(c.regex);
        REQUIRE(p.usable());
        const Found got = first(p, c.text);
        CHECK(show(got) == show(plain(p, c.text)));
        if (c.want_match == nullptr) {
            CHECK_FALSE(got.matched);
            continue;
        }
        REQUIRE(got.matched);
        CHECK(got.groups[0] == c.want_match);
        if (c.name != nullptr) {
            const int g = p.group(c.name);
            REQUIRE(g > 0);
            CHECK(g == p.re().NamedCapturingGroups().at(c.name));
            CHECK(got.groups[static_cast<std::size_t>(g)] == c.want_group);
        }
    }
    CHECK(CompiledPattern("no (?P<ip>group) of that name").group("domain") == 0);
    // Both forms were taken above.
    CompiledPattern small("(?P<ip>[0-9]+) is listed");
    CHECK(small.takes_prefixed(30));
    CHECK_FALSE(small.takes_prefixed(20030));
    CHECK_FALSE(CompiledPattern("x(?:ab|cd){0,300}(?P<ip>y)").takes_prefixed(12));
    CHECK_FALSE(CompiledPattern("\\Qa)(b").takes_prefixed(5));
}

TEST_CASE("compiled pattern: one RE2 cannot compile is unusable and matches nothing") {
    CompiledPattern p("huge \\pL{1000}");
    CHECK_FALSE(p.usable());
    re2::StringPiece span;
    CHECK_FALSE(p.first_match("huge words", &span, 1));
}

TEST_CASE("compiled pattern: every shipped pattern finds what RE2 finds in every shipped sample") {
    std::vector<RuleFile> files;
    for (const auto& e : std::filesystem::directory_iterator(std::string(NDR_TEST_SOURCE_DIR) + "/rules.d")) {
        if (e.path().extension() != ".toml") continue;
        std::ifstream in(e.path());
        std::ostringstream text;
        text << in.rdbuf();
        files.push_back({e.path().string(), text.str()});
    }
    LoadResult loaded = load_rules(files, {}, PatternCheck::parse);
    REQUIRE(loaded.errors.empty());
    std::vector<std::string> samples;
    for (const Blocklist& list : loaded.set.lists)
        for (const Sample& s : list.samples)
            samples.push_back(s.text);
    REQUIRE(samples.size() > 100);
    // Each sample as written, after another sample (a first match that is not at the start), after
    // 3,000 bytes of text (too long for the prefixed form), and after bytes that are not UTF-8.
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        texts.push_back(samples[i]);
        texts.push_back(samples[(i + 1) % samples.size()] + "; " + samples[i]);
        texts.push_back(std::string(3000, '-') + " " + samples[i]);
        texts.push_back("\xBB\x86\xC3 " + samples[i]);
    }
    int patterns = 0, matches = 0, mismatches = 0, prefixed = 0, unprefixed = 0;
    for (const Blocklist& list : loaded.set.lists) {
        for (const Pattern& pattern : list.patterns) {
            ++patterns;
            CompiledPattern p(pattern.regex);
            REQUIRE(p.usable());
            for (const std::string& t : texts) {
                const Found a = first(p, t), b = plain(p, t);
                ++(p.takes_prefixed(t.size()) ? prefixed : unprefixed);
                if (a.matched) ++matches;
                if (show(a) == show(b)) continue;
                ++mismatches;
                CHECK_MESSAGE(false, list.id, "/", pattern.id, " on \"", t, "\": ", show(a), " != ", show(b));
            }
        }
    }
    CHECK(patterns > 100);
    CHECK(matches > 500);
    CHECK(mismatches == 0);
    CHECK(prefixed > 1000); // both ways were taken
    CHECK(unprefixed > 1000);
}
