// matcher.cpp — runs every pattern of every loaded list over a record's text and keeps the winners.
// Overlap, priority, tie and per-list rules as in rules.d/README.md "Matching semantics".
//
// How: RE2's FilteredRE2 extracts from each pattern the literal strings ("atoms") that any match must
// contain; all atoms go into ONE case-insensitive RE2::Set of literals that runs once over the text;
// the patterns whose atom condition holds (plus those with no usable atom) are the candidates, and each
// candidate runs once with RE2 to confirm it and take its first span and named group. Why not one
// RE2::Set of the full patterns: measured on 433 corpus diagnostics with the shipped rules, building
// that set's DFA states cost 1.39 s cold (the set's state space is the product of every pattern's
// progress), the atom set plus confirmation 0.04 s; both give the same matches. The patterns come
// compiled from the loader (compiled.hpp) when the set is still what it loaded; the atom set and the
// filter's prefilter tree are built on the first match() (std::call_once: match() stays thread-safe).
//
// Input: hostile NDR text (the caller masks sender-controlled spans first), capped at
// k_max_match_text_bytes. Linear in the text: RE2 never backtracks, the literal set is one pass and
// each pattern runs at most once. Memory: k_max_rule_pattern_mem per pattern, k_max_rule_set_mem for
// the literal set; if that set's DFA ever runs out of memory, every pattern becomes a candidate.
#include "classifiers/rules/matcher.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/literal_set.hpp"
#include "classifiers/rules/attribution.hpp"
#include "classifiers/rules/compiled.hpp"
#include "classifiers/rules/listed.hpp"
#include "classifiers/text.hpp"

#include <algorithm>
#include <mutex>
#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <re2/set.h>

namespace ndr::classifiers::rules {

namespace {

struct Compiled {
    const Blocklist* list = nullptr; // null: an id of the filter that no live pattern uses
    const Pattern* pattern = nullptr;
    const RE2* re = nullptr; // owned by the filter
    int group = 0;           // capture index of the listed group, 0 = none
};

struct Candidate {
    std::size_t compiled = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
    int priority = 0;
    std::string listed;
};

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Whether the text has a character that RE2's case-insensitive matching equates with an ASCII letter
// although it is not one: U+017F LATIN SMALL LETTER LONG S (s) and U+212A KELVIN SIGN (k).
bool folds_to_ascii(std::string_view s) {
    return s.find("\xC5\xBF") != std::string_view::npos || s.find("\xE2\x84\xAA") != std::string_view::npos;
}

bool overlaps(const Candidate& a, const Candidate& b) { return a.begin < b.end && b.begin < a.end; }

std::string name_of(const Compiled& c) { return c.list->id + "/" + c.pattern->id; }

} // namespace

struct Matcher::Impl {
    std::shared_ptr<CompiledPatterns> compiled; // holds the filter: the loader's, or our own
    std::vector<Compiled> patterns;             // index = FilteredRE2 regexp id
    std::size_t live = 0;                       // entries of patterns with a list
    // Built on the first match() (FilteredRE2::Compile and the atom set are a good part of the start-up
    // cost, and a pass with nothing new never needs them).
    std::once_flag prepared;
    std::vector<std::string> atom_texts; // lower-case, distinct (FilteredRE2::Compile)
    std::vector<int> without_atoms;      // AllPotentials() of no atom: the patterns the filter passes always
    // When every atom is ASCII: the atoms as a LiteralSet, folding ASCII case. It finds exactly what
    // the case-insensitive RE2::Set finds, without the set's lazily built DFA states, in every text
    // without U+017F or U+212A: the only characters outside ASCII that RE2 folds to an ASCII letter
    // (s and k; checked against RE2 itself over every code point), see folds_to_ascii().
    std::unique_ptr<LiteralSet> ascii_atoms;
    // The atoms as one case-insensitive RE2::Set of literals, for the other texts (or every text, when
    // an atom is not ASCII): built on the first of them. Null when there are no atoms.
    std::once_flag atom_set_built;
    std::unique_ptr<RE2::Set> atoms;
    bool all_candidates = false; // the atom set could not be built: run every pattern

    re2::FilteredRE2& filter() const { return compiled->filter; }

    void prepare() {
        if (live == 0) return;
        filter().Compile(&atom_texts);
        filter().AllPotentials({}, &without_atoms);
        if (atom_texts.empty()) return;
        if (std::all_of(atom_texts.begin(), atom_texts.end(), is_ascii)) {
            ascii_atoms = std::make_unique<LiteralSet>();
            for (const std::string& atom : atom_texts)
                ascii_atoms->add(atom);
            ascii_atoms->build(true);
        }
    }

    void build_atom_set() {
        if (atom_texts.empty()) return;
        RE2::Options atom_options;
        atom_options.set_case_sensitive(false);
        atom_options.set_literal(true);
        atom_options.set_log_errors(false);
        atom_options.set_max_mem(k_max_rule_set_mem);
        auto atom_set = std::make_unique<RE2::Set>(atom_options, RE2::UNANCHORED);
        for (std::size_t i = 0; i < atom_texts.size(); ++i)
            if (atom_set->Add(atom_texts[i], nullptr) != static_cast<int>(i)) all_candidates = true;
        if (!all_candidates && atom_set->Compile())
            atoms = std::move(atom_set);
        else
            all_candidates = true;
    }

    std::vector<int> candidates(std::string_view text) {
        std::vector<int> out;
        if (live == 0) return out;
        std::vector<int> matched_atoms;
        if (ascii_atoms && !folds_to_ascii(text)) {
            std::vector<char> seen(ascii_atoms->size(), 0);
            ascii_atoms->scan(text, [&](std::size_t id) {
                if (seen[id]) return;
                seen[id] = 1;
                matched_atoms.push_back(static_cast<int>(id));
            });
            // Most texts name no atom: their answer is the same every time.
            if (matched_atoms.empty()) return without_atoms;
            filter().AllPotentials(matched_atoms, &out);
            return out;
        }
        std::call_once(atom_set_built, [this] { build_atom_set(); });
        bool ok = true;
        if (atoms && !all_candidates) {
            RE2::Set::ErrorInfo info{};
            if (!atoms->Match(text, &matched_atoms, &info) && info.kind != RE2::Set::kNoError) ok = false;
        }
        if (!ok || all_candidates) {
            for (std::size_t i = 0; i < patterns.size(); ++i) out.push_back(static_cast<int>(i));
            return out;
        }
        filter().AllPotentials(matched_atoms, &out);
        return out;
    }

    // Takes over the loader's compilation when every pattern is still what it compiled.
    bool adopt(const RuleSet& set) {
        if (!set.compiled) return false;
        re2::FilteredRE2& f = set.compiled->filter;
        const int n = f.NumRegexps();
        std::vector<Compiled> mapped(static_cast<std::size_t>(n));
        std::size_t count = 0;
        for (const Blocklist& list : set.lists) {
            for (const Pattern& pattern : list.patterns) {
                if (pattern.regex.empty()) continue;
                const int id = pattern.compiled_id;
                if (id < 0 || id >= n || mapped[static_cast<std::size_t>(id)].list != nullptr ||
                    f.GetRE2(id).pattern() != pattern.regex)
                    return false;
                mapped[static_cast<std::size_t>(id)] = Compiled{&list, &pattern, &f.GetRE2(id), 0};
                ++count;
            }
        }
        if (set.compiled->taken.exchange(true)) return false;
        compiled = set.compiled;
        patterns = std::move(mapped);
        live = count;
        return true;
    }

    // Compiles the set's patterns into a filter of our own.
    void compile_own(const RuleSet& set) {
        compiled = std::make_shared<CompiledPatterns>();
        compiled->taken = true;
        for (const Blocklist& list : set.lists) {
            for (const Pattern& pattern : list.patterns) {
                if (pattern.regex.empty()) continue;
                int id = -1;
                if (filter().Add(pattern.regex, pattern_options(), &id) != RE2::NoError) continue;
                if (id != static_cast<int>(patterns.size())) continue; // ids are dense: never happens
                patterns.push_back(Compiled{&list, &pattern, &filter().GetRE2(id), 0});
                ++live;
            }
        }
    }
};

Matcher::Matcher(const RuleSet& set) : m_set(set), m_impl(std::make_unique<Impl>()) {
    if (!m_impl->adopt(set)) m_impl->compile_own(set);
    for (Compiled& c : m_impl->patterns) {
        if (c.list == nullptr || c.pattern->listed.empty()) continue;
        const auto& groups = c.re->NamedCapturingGroups();
        if (auto it = groups.find(c.pattern->listed); it != groups.end()) c.group = it->second;
    }
}

Matcher::~Matcher() = default;

MatchResult Matcher::match(std::string_view text) const {
    MatchResult result;
    if (text.size() > k_max_match_text_bytes) text = text.substr(0, k_max_match_text_bytes);
    std::call_once(m_impl->prepared, [this] { m_impl->prepare(); });
    const auto& patterns = m_impl->patterns;

    std::vector<int> matched = m_impl->candidates(text);
    std::sort(matched.begin(), matched.end());

    // Each matched pattern's first span and listed item.
    std::vector<Candidate> candidates;
    for (int index : matched) {
        if (index < 0 || static_cast<std::size_t>(index) >= patterns.size()) continue;
        const Compiled& c = patterns[static_cast<std::size_t>(index)];
        if (c.list == nullptr) continue; // replaced by an override
        int n = c.group > 0 ? c.group + 1 : 1;
        std::vector<re2::StringPiece> spans(static_cast<std::size_t>(n));
        if (!c.re->Match(text, 0, text.size(), RE2::UNANCHORED, spans.data(), n)) continue;
        Candidate cand;
        cand.compiled = static_cast<std::size_t>(index);
        cand.begin = static_cast<std::size_t>(spans[0].data() - text.data());
        cand.end = cand.begin + spans[0].size();
        cand.priority = c.pattern->priority;
        if (c.group > 0 && spans[static_cast<std::size_t>(c.group)].data() != nullptr) {
            std::string_view item(spans[static_cast<std::size_t>(c.group)].data(), spans[static_cast<std::size_t>(c.group)].size());
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
