// test_classifiers_reasons_patterns.cpp — the reason pattern tables (classifiers/reasons/*.cpp), the
// one-pass matcher and the precedence lists: every pattern compiles and matches its own sample, and
// no two reasons of equal precedence match one sample text.
#include <doctest/doctest.h>

#include <memory>
#include <random>
#include <set>
#include <string>

#include <re2/re2.h>

#include "classifiers/reasons/matcher.hpp"
#include "classifiers/reasons/patterns.hpp"
#include "classifiers/reasons/table.hpp"
#include "classifiers/reasons/vendor.hpp"
#include "classifiers/text.hpp"

using namespace ndr::classifiers;
using namespace ndr::classifiers::reasons;

namespace {

int rank_in(std::span<const Reason> order, Reason r)
{
    for (std::size_t i = 0; i < order.size(); ++i)
        if (order[i] == r)
            return static_cast<int>(i);
    return -1;
}

} // namespace

TEST_CASE("reasons: every pattern compiles")
{
    CHECK_MESSAGE(failed_pattern_count() == 0, "got ", failed_pattern_count(), " patterns that do not compile, want 0");
    CHECK(all_patterns().size() > 500);
}

TEST_CASE("reasons: every pattern matches its own sample")
{
    for (const Pattern& p : all_patterns()) {
        TextMatch m = match_text(to_lower_ascii(p.sample));
        ReasonMask got = p.kind == Kind::veto ? m.vetoed : m.matched;
        CHECK_MESSAGE((got & bit(p.reason)) != 0, "pattern '", std::string(p.text), "' (", std::string(to_string(p.reason)),
                      ") does not match its sample '", std::string(p.sample), "'");
    }
}

TEST_CASE("reasons: pattern texts are lower-case and name their source")
{
    for (const Pattern& p : all_patterns()) {
        // Regexes may use the escapes \A, \D, \S, \W; literals must be plain lower case.
        if (p.kind != Kind::regex)
            CHECK_MESSAGE(to_lower_ascii(p.text) == p.text, "pattern '", std::string(p.text), "' has upper-case letters");
        CHECK_MESSAGE(!p.source.empty(), "pattern '", std::string(p.text), "' names no source");
    }
    for (const VendorPhrase& p : vendor_phrases()) {
        CHECK_MESSAGE(to_lower_ascii(p.text) == p.text, "vendor phrase '", std::string(p.text), "' has upper-case letters");
        CHECK_MESSAGE(!p.source.empty(), "vendor phrase '", std::string(p.text), "' names no source");
    }
}

TEST_CASE("reasons: precedence lists name each reason once and cover every reason with patterns")
{
    for (auto order : {session_order(), text_order(), match_order()}) {
        std::set<Reason> seen;
        for (Reason r : order)
            CHECK_MESSAGE(seen.insert(r).second, "reason ", std::string(to_string(r)), " appears twice in one precedence list");
    }
    for (const Pattern& p : all_patterns())
        CHECK_MESSAGE(rank_in(match_order(), p.reason) >= 0, "reason ", std::string(to_string(p.reason)),
                      " has patterns but no place in match_order()");
}

TEST_CASE("reasons: no two reasons of equal precedence match the same sample")
{
    // Precedence of a pattern = the place of its reason in match_order(). Where a sample matches
    // patterns of several reasons, their places must differ, so the winner is never a tie.
    for (const Pattern& p : all_patterns()) {
        TextMatch m = match_text(to_lower_ascii(p.sample));
        std::set<int> ranks;
        for (Reason r : match_order()) {
            if (!m.has(r))
                continue;
            int rank = rank_in(match_order(), r);
            CHECK_MESSAGE(ranks.insert(rank).second, "sample '", std::string(p.sample), "': two reasons share precedence ", rank);
        }
    }
}

TEST_CASE("reasons: text-only verdicts of representative texts")
{
    struct Row {
        const char* name;
        const char* text;
        Reason want;
    };
    const Row rows[] = {
        {"postfix local recipient table", "550 5.1.1 <a@example.org>: recipient address rejected: user unknown in local recipient table", Reason::userunknown},
        {"quota", "552 5.2.2 mailbox full", Reason::mailboxfull},
        {"rbl", "554 5.7.1 service unavailable; client host [192.0.2.1] blocked using zen.spamhaus.org", Reason::blocked},
        {"ptr", "550 5.7.25 the ip address sending this message does not have a ptr record setup", Reason::requireptr},
        {"spf", "550 5.7.23 sender policy framework (spf) fail", Reason::authfailure},
        {"spam", "550 5.7.1 message rejected as spam", Reason::spamdetected},
        {"relay", "554 5.7.1 <a@example.org>: relay access denied", Reason::norelaying},
        {"size", "552 5.3.4 message size exceeds fixed maximum message size", Reason::mesgtoobig},
        {"nothing", "250 ok", Reason::undefined},
        {"empty", "", Reason::undefined},
    };
    for (const Row& row : rows) {
        Reason got = reason_for_text(to_lower_ascii(row.text));
        CHECK_MESSAGE(got == row.want, row.name, ": got ", std::string(to_string(got)), ", want ", std::string(to_string(row.want)));
    }
}

TEST_CASE("reasons: hostile text is matched in bounded time without a crash")
{
    std::string big(2 * 1024 * 1024, 'a');
    CHECK(match_text(big).matched == 0);
    std::string nuls("user unknown\0\0\0 mailbox full", 29);
    CHECK(match_text(nuls).has(Reason::userunknown));
    std::string repeated;
    for (int i = 0; i < 20000; ++i)
        repeated += "is in a black list at x ";
    CHECK(match_text(repeated).has(Reason::blocked));
}

TEST_CASE("reasons: the one-pass matcher finds what each pattern alone finds") {
    // Texts from the samples: each alone, glued pairwise, and random slices of all of them (literals
    // overlapping, cut, at the ends), each checked against one search per pattern.
    RE2::Options opt;
    opt.set_encoding(RE2::Options::EncodingLatin1);
    opt.set_case_sensitive(true);
    opt.set_log_errors(false);
    std::vector<std::unique_ptr<RE2>> res;
    for (const Pattern& p : all_patterns())
        res.push_back(p.kind == Kind::regex ? std::make_unique<RE2>(std::string(p.text), opt) : nullptr);
    auto one_by_one = [&](std::string_view text) {
        TextMatch m;
        for (std::size_t i = 0; i < all_patterns().size(); ++i) {
            const Pattern& p = all_patterns()[i];
            const bool hit = res[i] ? RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *res[i])
                                    : text.find(p.text) != std::string_view::npos;
            if (!hit) continue;
            (p.kind == Kind::veto ? m.vetoed : m.matched) |= bit(p.reason);
        }
        return m;
    };
    std::vector<std::string> texts;
    std::string all;
    for (const Pattern& p : all_patterns()) {
        texts.push_back(to_lower_ascii(p.sample));
        all += texts.back();
        all += ' ';
    }
    const std::size_t samples = texts.size();
    for (std::size_t i = 0; i + 1 < samples; i += 7)
        texts.push_back(texts[i] + texts[i + 1]);
    std::mt19937 rng(20261204);
    for (int i = 0; i < 300; ++i) {
        const std::size_t at = rng() % all.size();
        texts.push_back(all.substr(at, 1 + rng() % 200));
    }
    for (const std::string& t : texts) {
        const TextMatch want = one_by_one(t);
        const TextMatch got = match_text(t);
        CHECK_MESSAGE(got.matched == want.matched, "text: ", t);
        CHECK_MESSAGE(got.vetoed == want.vetoed, "text: ", t);
    }
}
