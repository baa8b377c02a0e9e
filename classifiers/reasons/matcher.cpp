// matcher.cpp — every reason pattern over a text in one pass (see matcher.hpp): one Aho-Corasick
// automaton (classifiers/literal_set.hpp) finds the plain literals, the vetoes, the strings of the
// expressions that are only a few literal strings, and the atoms (literal strings) the other
// expressions need; only the expressions whose atom condition holds then run, each on its own RE2.
//
// How the expressions are read: rules/regex_summary.hpp, without compiling them. Of the 178, 118 are
// a small set of literal strings ("connection[ ](?:dropped|refused[ ]by)"): they are those strings in
// the automaton, never compiled. Of the others, the strings they are known to match (the literal
// branches of "user[ ](?:[^ ]+[ ]was[ ]not[ ]found|unknown|...)") are in the automaton too, and each
// is compiled on first use (std::call_once), when a text first meets its condition without one of
// those strings. All of it is exact: a literal set matches where the expression matches, a known
// string only where it matches, and the condition holds wherever it matches (the unit tests check
// each against RE2).
// Should RE2's DFA run out of memory on a hostile text, RE2 falls back to its NFA (still linear).
//
// Why not the RE2::Set of the expressions it replaces: measured with callgrind on the corpus, the set
// cost 22M instructions to compile and 43M more to build its DFA states over a one-shot run's first
// pass, and a pass over every text afterwards; the automaton is built in a fraction of that, and on the
// corpus the expressions that run are a few per hundred texts.
#include "classifiers/reasons/matcher.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <re2/re2.h>

#include "classifiers/limits.hpp"
#include "classifiers/literal_set.hpp"
#include "classifiers/reasons/patterns.hpp"
#include "classifiers/rules/regex_summary.hpp"

namespace ndr::classifiers::reasons {

namespace {

RE2::Options pattern_options()
{
    RE2::Options opt;
    opt.set_encoding(RE2::Options::EncodingLatin1); // patterns are ASCII; UTF-8 text matches bytewise
    opt.set_log_errors(false);
    opt.set_case_sensitive(true); // the text is lower-cased by the caller
    opt.set_max_mem(64 << 20);
    return opt;
}

rules::SummaryOptions summary_options() {
    rules::SummaryOptions o;
    o.fold_case = false; // as pattern_options(): case-sensitive Latin-1
    o.latin1 = true;
    return o;
}

void note(TextMatch& m, const Pattern& p) {
    if (p.kind == Kind::veto)
        m.vetoed |= bit(p.reason);
    else
        m.matched |= bit(p.reason);
}

// An expression that runs on RE2 when its condition holds.
struct Expression {
    const Pattern* pattern = nullptr;
    rules::RegexSummary summary;
    std::vector<std::uint32_t> atom_ids; // summary atom index -> Compiled::atom_count numbering
    mutable std::once_flag once;
    mutable std::unique_ptr<RE2> re;

    const RE2& compiled() const {
        std::call_once(once,
                       [this] { re = std::make_unique<RE2>(std::string(pattern->text), pattern_options()); });
        return *re;
    }
};

struct Compiled {
    LiteralSet literals;
    struct Entry {
        TextMatch notes;        // what finding this string notes
        std::int32_t atom = -1; // the atom it is, or -1
    };
    std::vector<Entry> entries; // literal id -> entry
    std::vector<std::unique_ptr<Expression>> expressions;
    std::vector<std::vector<std::uint32_t>> by_atom; // atom -> expressions it triggers (trigger_atoms())
    std::vector<std::uint32_t> unconditional;        // expressions with no condition (none today)
    std::size_t atom_count = 0;

    Compiled()
    {
        std::unordered_map<std::string, std::uint32_t> ids; // string -> literal id
        auto literal = [&](std::string_view text) -> Entry& {
            auto [it, fresh] = ids.emplace(std::string(text), static_cast<std::uint32_t>(entries.size()));
            if (fresh) {
                literals.add(text);
                entries.emplace_back();
            }
            return entries[it->second];
        };
        const rules::SummaryOptions so = summary_options();
        for (const Pattern& p : all_patterns()) {
            if (p.kind != Kind::regex) {
                note(literal(p.text).notes, p);
                continue;
            }
            auto e = std::make_unique<Expression>();
            e->pattern = &p;
            e->summary = rules::summarise_regex(p.text, so);
            if (!e->summary.exact.empty()) {
                for (const std::string& s : e->summary.exact)
                    note(literal(s).notes, p);
                continue;
            }
            // Strings the expression is known to match: found, they note its reason without RE2
            // (the expression is then skipped, see match_text()).
            for (const std::string& w : e->summary.within)
                note(literal(w).notes, p);
            const auto index = static_cast<std::uint32_t>(expressions.size());
            for (const std::string& a : e->summary.atoms) {
                Entry& entry = literal(a);
                if (entry.atom < 0) {
                    entry.atom = static_cast<std::int32_t>(atom_count++);
                    by_atom.emplace_back();
                }
                e->atom_ids.push_back(static_cast<std::uint32_t>(entry.atom));
            }
            for (std::uint32_t k : e->summary.trigger_atoms())
                by_atom[e->atom_ids[k]].push_back(index); // triggers are distinct: once per expression
            if (e->summary.root < 0) unconditional.push_back(index);
            expressions.push_back(std::move(e));
        }
        literals.build(false);
    }
};

const Compiled& compiled()
{
    static const Compiled c;
    return c;
}

} // namespace

TextMatch match_text(std::string_view lowered)
{
    TextMatch m;
    if (lowered.empty())
        return m;
    if (lowered.size() > k_max_diagnostic_bytes)
        lowered = lowered.substr(0, k_max_diagnostic_bytes);
    try {
        const Compiled& c = compiled();
        SmallIdSet found(c.atom_count);
        SmallIdSet tried(c.expressions.size());
        SmallIdList triggered; // expressions an atom found names, each once
        c.literals.scan(lowered, [&](std::size_t id) {
            const Compiled::Entry& e = c.entries[id];
            m.matched |= e.notes.matched;
            m.vetoed |= e.notes.vetoed;
            if (e.atom < 0 || !found.insert(static_cast<std::size_t>(e.atom))) return;
            for (std::uint32_t index : c.by_atom[static_cast<std::size_t>(e.atom)])
                if (tried.insert(index)) triggered.push_back(index);
        });
        // Every literal is known now. An expression runs when its reason is not noted yet (it could
        // add nothing else) and its condition holds.
        auto run = [&](std::uint32_t index) {
            const Expression& e = *c.expressions[index];
            if ((m.matched & bit(e.pattern->reason)) != 0) return;
            if (!e.summary.holds([&](std::uint32_t a) { return found.contains(e.atom_ids[a]); })) return;
            const RE2& re = e.compiled();
            if (re.ok() && RE2::PartialMatch(re2::StringPiece(lowered.data(), lowered.size()), re))
                note(m, *e.pattern);
        };
        for (std::uint32_t index : c.unconditional)
            run(index);
        for (std::size_t k = 0; k < triggered.size(); ++k)
            run(triggered[k]);
    } catch (...) {
        // std::bad_alloc from RE2 or the vector: no reason from the text.
    }
    return m;
}

std::size_t failed_pattern_count()
{
    // Every expression, including those read as literal strings (their reading assumes RE2 accepts
    // them): for the unit tests, which check that this is zero.
    std::size_t failed = 0;
    for (const Pattern& p : all_patterns())
        if (p.kind == Kind::regex && !RE2(std::string(p.text), pattern_options()).ok()) ++failed;
    return failed;
}

} // namespace ndr::classifiers::reasons
