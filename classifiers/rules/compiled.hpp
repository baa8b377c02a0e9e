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
//
// How a match is found (first_match()). The matcher needs the first match's span and one group.
// RE2::Match(UNANCHORED) gets them in three searches: a forward DFA for where the match ends, a
// reverse DFA (a second program, compiled on the pattern's first match) for where it starts, and
// BitState over the match for the groups. Every new text reaches DFA states not built yet, and those
// cost most: on the 10,000 bounces of bench/imap's mailbox (4,947 matches of 71 patterns, texts 153
// bytes on average) RE2 took 43-60 ms that way. The same pattern as `\C*?(P)`, matched with
// ANCHOR_START, has the same first match: `\C*?` is the lazy any-byte loop RE2 itself puts before a
// pattern for an unanchored search (any byte, so that invalid UTF-8 is skipped as RE2 skips it; `.`
// would stop there), P keeps its own preferences, group 1 is P's match and group i+1 P's group i. For
// a short text RE2 then runs BitState over it at once: no DFA, no reverse program. Measured the same
// way: 27-30 ms, the same spans and groups for every one of the 4,947. BitState needs a program of at
// most 512 instructions and a text of at most 256Ki / (program size) - 1 bytes (RE2 20220601,
// prog.cc; the bound below uses the program size, never less than RE2's own list count, so it errs
// on the safe side); a longer text or a larger program is matched as before, with the plain pattern.
// The unit tests and fuzz_matcher compare first_match() with RE2's unanchored Match().
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
#include <string_view>

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
    // Whether RE2 compiled it yet, in either form (for tests: not synchronised with a first use on
    // another thread).
    bool is_compiled() const { return m_re != nullptr || m_prefixed != nullptr; }

    // Whether first_match() takes the prefixed form (BitState) for a text of this many bytes.
    bool takes_prefixed(std::size_t text_bytes) const {
        return prefixed() != nullptr && text_bytes <= m_prefixed_max_text;
    }
    // Whether the pattern compiles (in either form first_match() uses).
    bool usable() const { return prefixed() != nullptr || re().ok(); }
    // Number of the named group, as first_match() numbers groups; 0 when the pattern has no such group.
    int group(const std::string& name) const {
        if (const RE2* p = prefixed()) {
            const auto& groups = p->NamedCapturingGroups();
            const auto it = groups.find(name);
            return it == groups.end() ? 0 : it->second - 1;
        }
        const auto& groups = re().NamedCapturingGroups();
        const auto it = groups.find(name);
        return it == groups.end() ? 0 : it->second;
    }
    // The first match in `text`: what re().Match(text, 0, text.size(), RE2::UNANCHORED, spans, n)
    // gives, spans[0] the match and spans[i] group i (see the top of this file for how). False when
    // there is none or the pattern does not compile.
    bool first_match(std::string_view text, re2::StringPiece* spans, int n) const {
        if (!takes_prefixed(text.size())) {
            const RE2& plain = re();
            return plain.ok() && plain.Match(text, 0, text.size(), RE2::UNANCHORED, spans, n);
        }
        const RE2& prefixed_re = *m_prefixed;
        re2::StringPiece few[9];
        std::unique_ptr<re2::StringPiece[]> many;
        re2::StringPiece* all = few;
        if (n + 1 > static_cast<int>(std::size(few))) {
            many = std::make_unique<re2::StringPiece[]>(static_cast<std::size_t>(n) + 1);
            all = many.get();
        }
        if (!prefixed_re.Match(text, 0, text.size(), RE2::ANCHOR_START, all, n + 1)) return false;
        for (int i = 0; i < n; ++i)
            spans[i] = all[i + 1];
        return true;
    }
    // Only before the pattern is shared (the loader, single-threaded).
    void set_re(std::unique_ptr<RE2> re) { m_re = std::move(re); }
    void set_summary(RegexSummary s) { m_summary = std::move(s); }
    const std::optional<RegexSummary>& summary() const { return m_summary; }

  private:
    // RE2 runs BitState over a text only when the program has at most this many instructions and
    // (program size) * (text bytes + 1) is at most k_bitstate_bits (RE2 20220601, prog.cc).
    static constexpr int k_bitstate_max_program = 512;
    static constexpr std::size_t k_bitstate_bits = 256u * 1024;

    // `\C*?(P)` when it compiles into a program BitState can run, else null; compiled once. A pattern
    // that the wrapping would change (one ending inside \Q...) fails to compile so: the plain one.
    const RE2* prefixed() const {
        std::call_once(m_prefixed_once, [this] {
            auto p = std::make_unique<RE2>("\\C*?(" + m_regex + ")", pattern_options());
            const int size = p->ok() ? p->ProgramSize() : 0;
            if (size <= 0 || size > k_bitstate_max_program) return;
            m_prefixed_max_text = k_bitstate_bits / static_cast<std::size_t>(size) - 1;
            m_prefixed = std::move(p);
        });
        return m_prefixed.get();
    }

    std::string m_regex;
    std::optional<RegexSummary> m_summary;
    mutable std::once_flag m_once;
    mutable std::unique_ptr<RE2> m_re;
    mutable std::once_flag m_prefixed_once;
    mutable std::unique_ptr<RE2> m_prefixed;
    mutable std::size_t m_prefixed_max_text = 0;
};

struct CompiledPatterns {
    // Pattern::compiled_id indexes this. Ids of patterns an override replaced stay in it unused.
    std::deque<CompiledPattern> patterns;
    // Set by the first Matcher that took these over (every later one over the same set shares them).
    std::atomic<bool> taken{false};
};

} // namespace ndr::classifiers::rules
