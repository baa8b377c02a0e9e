// compiled.hpp — the rule patterns as the loader checked them, each compiled with RE2 at most once per
// process: by the loader (PatternCheck::compile, or to test a pattern for the empty string), else on
// first use by a matcher. Every Matcher over the same loaded set shares them; RE2 objects are
// immutable once built and safe to match from any thread.
//
// Why compile on first use: compiling the shipped patterns took 145M instructions, most of a one-shot
// run's start-up, and in a run most patterns never become candidates (their literal atoms never occur).
// A pattern the loader only parsed can still fail to compile later: RE2 rejects a program larger than
// k_max_rule_pattern_mem, which parsing cannot see. Such a pattern matches nothing, and every match()
// that needed it says so (MatchResult::failed), which attribute() turns into the anomaly
// "attribution-pattern-failed"; `rules lint`, `rules test` and `config check` compile every pattern
// and report it as a load error, as before.
#pragma once

#include "classifiers/limits.hpp"
#include "classifiers/rules/regex_summary.hpp"

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <re2/re2.h>
#include <string>

namespace ndr::classifiers::rules {

// The options every rule pattern is compiled with (matched case-insensitively, bounded memory).
inline RE2::Options pattern_options() {
    RE2::Options o;
    o.set_case_sensitive(false);
    o.set_log_errors(false);
    o.set_max_mem(k_max_rule_pattern_mem);
    return o;
}

// How rule patterns are read (regex_summary.hpp): as pattern_options() parses them.
inline SummaryOptions pattern_summary_options() {
    SummaryOptions o;
    o.fold_case = true;
    o.latin1 = false;
    return o;
}

class CompiledPattern {
  public:
    explicit CompiledPattern(std::string regex) : m_regex(std::move(regex)) {}
    CompiledPattern(const CompiledPattern&) = delete;
    CompiledPattern& operator=(const CompiledPattern&) = delete;

    const std::string& regex() const { return m_regex; }
    // The RE2, compiled now when nobody compiled it yet (thread-safe). Check ok() before matching.
    const RE2& re() const {
        std::call_once(m_once, [this] {
            if (!m_re) m_re = std::make_unique<RE2>(m_regex, pattern_options());
        });
        return *m_re;
    }
    bool is_compiled() const { return m_re != nullptr; }
    // Only before the pattern is shared (the loader, single-threaded).
    void set_re(std::unique_ptr<RE2> re) { m_re = std::move(re); }
    void set_summary(RegexSummary s) { m_summary = std::move(s); }
    const std::optional<RegexSummary>& summary() const { return m_summary; }

  private:
    std::string m_regex;
    std::optional<RegexSummary> m_summary;
    mutable std::once_flag m_once;
    mutable std::unique_ptr<RE2> m_re;
};

struct CompiledPatterns {
    // Pattern::compiled_id indexes this. Ids of patterns an override replaced stay in it unused.
    std::deque<CompiledPattern> patterns;
    // Set by the first Matcher that took these over (every later one over the same set shares them).
    std::atomic<bool> taken{false};
};

} // namespace ndr::classifiers::rules
