// matcher.cpp — runs every pattern of every loaded list over a record's text and keeps the winners.
// Overlap, priority, tie and per-list rules as in rules.d/README.md "Matching semantics".
//
// How: each pattern's syntax is read (regex_summary.hpp, no compilation) into a condition over the
// literal strings ("atoms") any text it matches contains; all atoms go into ONE case-insensitive
// Aho-Corasick automaton (literal_set.hpp) that runs once over the text; the patterns whose condition
// holds (plus those the reader could not read) are the candidates, and each candidate runs once with
// RE2 to confirm it and take its first span and named group (CompiledPattern::first_match(), which
// says how it spares RE2 its DFAs on short texts). Why not one RE2::Set of the full
// patterns: measured on 433 corpus diagnostics with the shipped rules, building that set's DFA states
// cost 1.39 s cold (the set's state space is the product of every pattern's progress), atoms plus
// confirmation 0.04 s; both give the same matches. Why not RE2's FilteredRE2 for the atoms (as
// before): it needs every pattern compiled first (145M instructions for the shipped rules) and its
// prefilter tree another 58M on the first match. The patterns come from the loader (compiled.hpp)
// when the set is still what it loaded, each compiled with RE2 on first use; the automaton is built on
// the first match() (std::call_once: match() stays thread-safe).
//
// The reader's conditions are exact in one direction only, which is all that is needed: a pattern
// that matches a text is always a candidate (the unit tests and fuzz_matcher check match() against
// match_every_pattern()). RE2 folds U+017F and U+212A to 's' and 'k': texts with them are read so for
// the atoms.
//
// Input: hostile NDR text (the caller masks sender-controlled spans first), capped at
// k_max_match_text_bytes. Linear in the text: RE2 never backtracks, the automaton is one pass and
// each pattern runs at most once. Memory: k_max_rule_pattern_mem per pattern.
#include "classifiers/rules/matcher.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/literal_set.hpp"
#include "classifiers/rules/attribution.hpp"
#include "classifiers/rules/compiled.hpp"
#include "classifiers/rules/listed.hpp"
#include "classifiers/rules/regex_summary.hpp"
#include "classifiers/text.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <mutex>
#include <re2/re2.h>
#include <unordered_map>

namespace ndr::classifiers::rules {

namespace {

struct Compiled {
    const Blocklist* list = nullptr; // null: a compiled id that no live pattern uses
    const Pattern* pattern = nullptr;
    const CompiledPattern* entry = nullptr; // owned by Impl::compiled
};

struct Candidate {
    std::size_t compiled = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
    int priority = 0;
    std::string listed;
};

// Whether the text has a character that RE2's case-insensitive matching equates with an ASCII letter
// although it is not one: U+017F LATIN SMALL LETTER LONG S (s) and U+212A KELVIN SIGN (k).
bool folds_to_ascii(std::string_view s) {
    return s.find("\xC5\xBF") != std::string_view::npos || s.find("\xE2\x84\xAA") != std::string_view::npos;
}

bool overlaps(const Candidate& a, const Candidate& b) { return a.begin < b.end && b.begin < a.end; }

std::string name_of(const Compiled& c) { return c.list->id + "/" + c.pattern->id; }

} // namespace

struct Matcher::Impl {
    std::shared_ptr<CompiledPatterns> compiled; // the loader's, or our own
    std::vector<Compiled> patterns;             // index = compiled id
    std::size_t live = 0;                       // entries of patterns with a list
    // Built on the first match() (a pass with nothing new never needs them).
    std::once_flag prepared;
    LiteralSet atoms;                                 // every atom of every live pattern, folding ASCII case
    std::vector<std::vector<std::uint32_t>> by_atom;  // atom -> live patterns whose condition names it
    std::vector<std::vector<std::uint32_t>> atom_ids; // pattern -> its summary's atoms as atom ids
    std::vector<const RegexSummary*> summaries;       // pattern -> its summary (null: not live)
    std::deque<RegexSummary> own_summaries;           // those not computed by the loader
    std::vector<std::uint32_t> unconditional;         // live patterns without a condition
    bool star_free = true;                            // no atom has a '*' (may_match())

    void prepare() {
        std::unordered_map<std::string, std::uint32_t> ids;
        summaries.assign(patterns.size(), nullptr);
        atom_ids.resize(patterns.size());
        for (std::size_t i = 0; i < patterns.size(); ++i) {
            const Compiled& c = patterns[i];
            if (c.list == nullptr) continue;
            const RegexSummary* s = c.entry->summary() ? &*c.entry->summary() : nullptr;
            if (s == nullptr)
                s = &own_summaries.emplace_back(summarise_regex(c.entry->regex(), pattern_summary_options()));
            summaries[i] = s;
            if (s->root < 0) {
                unconditional.push_back(static_cast<std::uint32_t>(i));
                continue;
            }
            for (const std::string& a : s->atoms) {
                auto [it, fresh] = ids.emplace(a, static_cast<std::uint32_t>(ids.size()));
                if (fresh) {
                    atoms.add(a);
                    by_atom.emplace_back();
                    star_free = star_free && a.find('*') == std::string::npos;
                }
                atom_ids[i].push_back(it->second);
            }
            // Indexed under its trigger atoms only: a text that meets the condition has one of them.
            for (std::uint32_t k : s->trigger_atoms()) {
                auto& list = by_atom[atom_ids[i][k]];
                if (list.empty() || list.back() != i) list.push_back(static_cast<std::uint32_t>(i));
            }
        }
        atoms.build(true);
    }

    // The live patterns whose condition holds for the text, in compiled id order.
    std::vector<int> candidates(std::string_view text) const {
        std::vector<int> out;
        if (live == 0) return out;
        for (std::uint32_t i : unconditional)
            out.push_back(static_cast<int>(i));
        // RE2 folds U+017F to 's' and U+212A to 'k': read so, the text's atoms are found as RE2 sees them.
        std::string folded;
        if (folds_to_ascii(text)) {
            folded.reserve(text.size());
            for (std::size_t i = 0; i < text.size(); ++i) {
                if (text.compare(i, 2, "\xC5\xBF") == 0) {
                    folded += 's';
                    ++i;
                } else if (text.compare(i, 3, "\xE2\x84\xAA") == 0) {
                    folded += 'k';
                    i += 2;
                } else {
                    folded += text[i];
                }
            }
            text = folded;
        }
        SmallIdSet seen(by_atom.size());
        SmallIdSet tried(patterns.size());
        SmallIdList triggered;
        atoms.scan(text, [&](std::size_t id) {
            if (!seen.insert(id)) return;
            for (std::uint32_t i : by_atom[id])
                if (tried.insert(i)) triggered.push_back(i);
        });
        // Every atom is known now: the conditions of the patterns an atom named.
        for (std::size_t t = 0; t < triggered.size(); ++t) {
            const std::uint32_t i = triggered[t];
            if (summaries[i]->holds([&](std::uint32_t k) { return seen.contains(atom_ids[i][k]); }))
                out.push_back(static_cast<int>(i));
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    // Takes over the loader's patterns when every pattern is still what it checked.
    bool adopt(const RuleSet& set) {
        if (!set.compiled) return false;
        const auto& entries = set.compiled->patterns;
        const auto n = static_cast<int>(entries.size());
        std::vector<Compiled> mapped(entries.size());
        std::size_t count = 0;
        for (const Blocklist& list : set.lists) {
            for (const Pattern& pattern : list.patterns) {
                if (pattern.regex.empty()) continue;
                const int id = pattern.compiled_id;
                if (id < 0 || id >= n || mapped[static_cast<std::size_t>(id)].list != nullptr ||
                    entries[static_cast<std::size_t>(id)].regex() != pattern.regex)
                    return false;
                mapped[static_cast<std::size_t>(id)] =
                    Compiled{&list, &pattern, &entries[static_cast<std::size_t>(id)]};
                ++count;
            }
        }
        set.compiled->taken = true;
        compiled = set.compiled;
        patterns = std::move(mapped);
        live = count;
        return true;
    }

    // The set's patterns as entries of our own (each compiled on first use; one RE2 cannot parse
    // matches nothing).
    void compile_own(const RuleSet& set) {
        compiled = std::make_shared<CompiledPatterns>();
        compiled->taken = true;
        for (const Blocklist& list : set.lists) {
            for (const Pattern& pattern : list.patterns) {
                if (pattern.regex.empty()) continue;
                patterns.push_back(
                    Compiled{&list, &pattern, &compiled->patterns.emplace_back(pattern.regex)});
                ++live;
            }
        }
    }
};

Matcher::Matcher(const RuleSet& set) : m_set(set), m_impl(std::make_unique<Impl>()) {
    if (!m_impl->adopt(set)) m_impl->compile_own(set);
}

Matcher::~Matcher() = default;

MatchResult Matcher::match(std::string_view text) const {
    return run(text, false);
}

MatchResult Matcher::match_every_pattern(std::string_view text) const {
    return run(text, true);
}

bool Matcher::may_match(std::string_view text) const {
    if (text.size() > k_max_match_text_bytes) text = text.substr(0, k_max_match_text_bytes);
    std::vector<int> candidates;
    return candidates_of(text, candidates);
}

bool Matcher::candidates_of(std::string_view text, std::vector<int>& candidates) const {
    std::call_once(m_impl->prepared, [this] { m_impl->prepare(); });
    candidates = m_impl->candidates(text);
    // Overwriting bytes with '*' removes atom occurrences and creates none (unless an atom has a '*'),
    // and a condition (ANDs and ORs of atoms) that fails keeps failing with fewer atoms. Patterns
    // without a condition are always candidates.
    return !candidates.empty() || !m_impl->star_free;
}

void Matcher::warm_up(const std::atomic<bool>& stop) const {
    std::call_once(m_impl->prepared, [this] { m_impl->prepare(); });
    for (const Compiled& c : m_impl->patterns) {
        if (stop.load(std::memory_order_relaxed)) return;
        if (c.list != nullptr) (void)c.entry->usable();
    }
}

MatchResult Matcher::run(std::string_view text, bool every_pattern) const {
    if (text.size() > k_max_match_text_bytes) text = text.substr(0, k_max_match_text_bytes);
    std::vector<int> matched;
    if (every_pattern) {
        for (std::size_t i = 0; i < m_impl->patterns.size(); ++i)
            matched.push_back(static_cast<int>(i));
    } else {
        std::call_once(m_impl->prepared, [this] { m_impl->prepare(); });
        matched = m_impl->candidates(text);
    }
    return run_candidates(text, matched);
}

MatchResult Matcher::run_candidates(std::string_view text, const std::vector<int>& matched) const {
    MatchResult result;
    const auto& patterns = m_impl->patterns;

    // Each matched pattern's first span and listed item.
    std::vector<Candidate> candidates;
    for (int index : matched) {
        if (index < 0 || static_cast<std::size_t>(index) >= patterns.size()) continue;
        const Compiled& c = patterns[static_cast<std::size_t>(index)];
        if (c.list == nullptr) continue; // replaced by an override
        const CompiledPattern& entry = *c.entry;
        if (!entry.usable()) {
            result.failed.push_back(name_of(c));
            continue;
        }
        // Number of the listed group, 0 = none.
        const int group = c.pattern->listed.empty() ? 0 : entry.group(c.pattern->listed);
        int n = group > 0 ? group + 1 : 1;
        // The spans in the frame for the usual few groups (a vector only for more).
        re2::StringPiece few[8];
        std::vector<re2::StringPiece> many;
        re2::StringPiece* spans = few;
        if (static_cast<std::size_t>(n) > std::size(few)) {
            many.resize(static_cast<std::size_t>(n));
            spans = many.data();
        }
        if (!entry.first_match(text, spans, n)) continue;
        Candidate cand;
        cand.compiled = static_cast<std::size_t>(index);
        cand.begin = static_cast<std::size_t>(spans[0].data() - text.data());
        cand.end = cand.begin + spans[0].size();
        cand.priority = c.pattern->priority;
        if (group > 0 && spans[static_cast<std::size_t>(group)].data() != nullptr) {
            std::string_view item(spans[static_cast<std::size_t>(group)].data(),
                                  spans[static_cast<std::size_t>(group)].size());
            cand.listed = c.pattern->listed == "ip" ? normalise_ip(item) : normalise_domain(item);
        }
        result.fired.push_back(name_of(c));
        candidates.push_back(std::move(cand));
    }

    // Overlap: higher priority first; among equals, earlier and then longer spans first.
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        if (a.priority != b.priority) return a.priority > b.priority;
        if (a.begin != b.begin) return a.begin < b.begin;
        if (a.end != b.end) return a.end > b.end;
        return a.compiled < b.compiled;
    });
    std::vector<const Candidate*> kept;
    for (const Candidate& cand : candidates) {
        bool drop = false;
        for (const Candidate* k : kept) {
            if (!overlaps(*k, cand)) continue;
            if (k->priority > cand.priority) {
                drop = true;
                break;
            }
            const Compiled& a = patterns[k->compiled];
            const Compiled& b = patterns[cand.compiled];
            if (a.list == b.list) {
                drop = true;
                break;
            }
            result.ties.push_back(name_of(a) + " ~ " + name_of(b));
        }
        if (!drop) kept.push_back(&cand);
    }

    // Resolver errors: set the flag, produce no listing, and silence listings of their lists.
    std::vector<std::string> silenced;
    for (const Candidate* k : kept) {
        const Compiled& c = patterns[k->compiled];
        if (!c.pattern->resolver_error) continue;
        result.receiver_resolver_error = true;
        silenced.push_back(c.list->id);
        for (const std::string& id : c.pattern->also) silenced.push_back(id);
    }
    auto is_silenced = [&](const std::string& id) {
        return std::find(silenced.begin(), silenced.end(), id) != silenced.end();
    };

    // Hits in text order; at most one per list (the highest priority; `also` hits yield to direct ones).
    std::sort(kept.begin(), kept.end(), [](const Candidate* a, const Candidate* b) {
        if (a->begin != b->begin) return a->begin < b->begin;
        return a->priority > b->priority;
    });
    struct Pending {
        ListHit hit;
        std::size_t begin;
        bool direct;
    };
    std::vector<Pending> pending;
    auto offer = [&](ListHit hit, std::size_t begin, bool direct) {
        if (is_silenced(hit.id)) return;
        for (Pending& p : pending) {
            if (p.hit.id != hit.id) continue;
            bool better = (direct && !p.direct) || (direct == p.direct && hit.priority > p.hit.priority);
            if (better) p = Pending{std::move(hit), begin, direct};
            return;
        }
        pending.push_back(Pending{std::move(hit), begin, direct});
    };
    for (const Candidate* k : kept) {
        const Compiled& c = patterns[k->compiled];
        if (c.pattern->resolver_error) continue;
        ListHit hit;
        hit.id = c.list->id;
        hit.listed = k->listed;
        hit.rule = c.pattern->id;
        hit.evidence = sanitise(scrub_secrets(std::string(text.substr(k->begin, k->end - k->begin))),
                                k_max_sanitised_bytes);
        hit.priority = k->priority;
        for (const std::string& id : c.pattern->also) {
            if (id == hit.id) continue;
            ListHit extra = hit;
            extra.id = id;
            extra.rule.clear();
            offer(std::move(extra), k->begin, false);
        }
        offer(std::move(hit), k->begin, true);
    }
    std::stable_sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) { return a.begin < b.begin; });
    for (Pending& p : pending) result.hits.push_back(std::move(p.hit));
    return result;
}

} // namespace ndr::classifiers::rules
