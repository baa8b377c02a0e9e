// matcher.hpp — runs every pattern of a RuleSet over a text (one literal pass finds the candidates, RE2
// confirms each: matcher.cpp), then extracts the listed IP or domain from the winning matches. Linear in
// the text; no backtracking regex.
#pragma once

#include "classifiers/limits.hpp"
#include "classifiers/report.hpp"
#include "classifiers/rules/model.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::classifiers::rules {

struct MatchResult {
    std::vector<ListHit> hits;
    bool receiver_resolver_error = false;
    // Every pattern that matched, before overlap resolution, as "list/rule" (for `rules test` coverage).
    std::vector<std::string> fired;
    // Overlapping hits of equal priority from different lists, as "list/rule ~ list/rule". Both hits are
    // kept; `rules test` reports each tie as a failure.
    std::vector<std::string> ties;
    // Candidate patterns RE2 could not compile (too large; the loader only parsed them, compiled.hpp),
    // as "list/rule": they matched nothing.
    std::vector<std::string> failed;
};

class Matcher {
  public:
    explicit Matcher(const RuleSet& set);
    ~Matcher();
    Matcher(const Matcher&) = delete;
    Matcher& operator=(const Matcher&) = delete;

    // Text must be remote- or reporting-server-generated (never the returned original's body).
    MatchResult match(std::string_view text) const;
    // The same, running every pattern instead of the candidates the literal atoms leave (for the tests
    // and the fuzzer: its answer must equal match()'s).
    MatchResult match_every_pattern(std::string_view text) const;
    // False when match() finds nothing in this text, nor in any text made from it by overwriting bytes
    // with '*' (as mask_sender_controlled() does): no pattern is a candidate, and overwriting can only
    // take atoms away (none has a '*'). attribute() then skips the masking. True otherwise.
    bool may_match(std::string_view text) const;
    // match(mask(text)), where mask(text) is `text` with bytes overwritten by '*' (as
    // mask_sender_controlled() does; same length), without the second literal pass of may_match()
    // then match() where it is not needed: when may_match(text) is false the result is empty and mask
    // is not called, and when mask changes nothing the candidates found in `text` are used as they
    // are. `text` is capped first, as match() caps it.
    // A template, not a std::function: attribute()'s mask captures more than std::function keeps
    // without allocating, and it is built for every record.
    template <typename Mask> MatchResult match_masked(std::string_view text, Mask&& mask) const {
        if (text.size() > k_max_match_text_bytes) text = text.substr(0, k_max_match_text_bytes);
        std::vector<int> candidates;
        if (!candidates_of(text, candidates)) return {};
        const std::string masked = mask(text);
        // Nothing masked (93 % of the lab mailbox's records that may match): the same text, the same
        // candidates. Otherwise the masked text's own: reusing the text's (a superset when no atom has
        // a '*') would run RE2 over the patterns masking spoilt, and a failing match costs more than
        // the second literal pass.
        if (masked == text) return run_candidates(text, candidates);
        return run(masked, false);
    }
    const RuleSet& rules() const { return m_set; }
    // Does now what the first matches would do: builds the literal automaton and compiles every
    // pattern's matching form, until done or `stop` is set (checked between patterns). For a thread
    // with nothing else to do: the first scan of a new state calls it while the IMAP login is under
    // way. Safe beside match() on other threads (each pattern is compiled once, whoever comes first).
    void warm_up(const std::atomic<bool>& stop) const;

  private:
    // The candidate patterns of `text` (already capped) into `candidates`; false when neither the
    // text nor any text made from it by overwriting bytes with '*' can match (may_match()).
    bool candidates_of(std::string_view text, std::vector<int>& candidates) const;
    MatchResult run(std::string_view text, bool every_pattern) const;
    // The overlap, priority and per-list rules over the given candidate patterns (compiled ids).
    MatchResult run_candidates(std::string_view text, const std::vector<int>& matched) const;
    const RuleSet& m_set;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace ndr::classifiers::rules
