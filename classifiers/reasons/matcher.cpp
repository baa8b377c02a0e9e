// matcher.cpp — every reason pattern over a text in one pass (see matcher.hpp): the plain literals
// (and vetoes) in one Aho-Corasick automaton (classifiers/literal_set.hpp), the regular expressions
// in one RE2::Set.
//
// Both are compiled on first use into a function-local constant (thread-safe initialisation, never
// modified afterwards): they are data, not state. Should RE2's DFA run out of memory on a hostile
// text, the expressions are run one by one instead (RE2 falls back to its NFA, still linear).
// Why the literals are not in the set: measured with callgrind on the corpus diagnostics, the set of
// all 535 patterns cost 44M instructions to compile and 66M more to build its DFA states over the
// first pass (a one-shot run's first use), the 178 expressions alone 22M and 43M; the automaton over
// the 357 literals is built in a fraction of that, has no lazily built states and takes one table
// step per byte. It reports exactly the literals that occur in the text, as the set did.
#include "classifiers/reasons/matcher.hpp"

#include <memory>
#include <string>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

#include "classifiers/limits.hpp"
#include "classifiers/literal_set.hpp"
#include "classifiers/reasons/patterns.hpp"

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

std::string expression(const Pattern& p)
{
    if (p.kind == Kind::regex)
        return std::string(p.text);
    return RE2::QuoteMeta(re2::StringPiece(p.text.data(), p.text.size()));
}

void note(TextMatch& m, const Pattern& p) {
    if (p.kind == Kind::veto)
        m.vetoed |= bit(p.reason);
    else
        m.matched |= bit(p.reason);
}

struct Compiled {
    LiteralSet literals;
    std::vector<TextMatch> literal_mask; // literal id -> what it notes
    RE2::Set set{pattern_options(), RE2::UNANCHORED};
    std::vector<const Pattern*> pattern_of; // set index -> pattern (the regular expressions)
    std::size_t failed = 0;
    bool set_ok = false;

    Compiled()
    {
        for (const Pattern& p : all_patterns()) {
            if (p.kind != Kind::regex) {
                literals.add(p.text);
                note(literal_mask.emplace_back(), p);
                continue;
            }
            if (set.Add(expression(p), nullptr) < 0) {
                ++failed;
                continue;
            }
            pattern_of.push_back(&p);
        }
        literals.build(false);
        set_ok = set.Compile();
    }
};

const Compiled& compiled()
{
    static const Compiled c;
    return c;
}

// The same patterns one by one, same order as the set: only built the first time the set's DFA
// gives up on a text.
struct OneByOne {
    std::vector<std::unique_ptr<RE2>> res;

    explicit OneByOne(const Compiled& c)
    {
        res.reserve(c.pattern_of.size());
        for (const Pattern* p : c.pattern_of)
            res.push_back(std::make_unique<RE2>(expression(*p), pattern_options()));
    }
};

const OneByOne& one_by_one(const Compiled& c)
{
    static const OneByOne o(c);
    return o;
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
        c.literals.scan(lowered, [&](std::size_t id) {
            m.matched |= c.literal_mask[id].matched;
            m.vetoed |= c.literal_mask[id].vetoed;
        });
        re2::StringPiece text(lowered.data(), lowered.size());
        std::vector<int> hits;
        RE2::Set::ErrorInfo info{};
        if (c.set_ok && c.set.Match(text, &hits, &info)) {
            for (int i : hits)
                note(m, *c.pattern_of[static_cast<std::size_t>(i)]);
            return m;
        }
        if (c.set_ok && info.kind == RE2::Set::kNoError)
            return m; // matched nothing
        const OneByOne& o = one_by_one(c);
        for (std::size_t i = 0; i < o.res.size(); ++i)
            if (o.res[i]->ok() && RE2::PartialMatch(text, *o.res[i]))
                note(m, *c.pattern_of[i]);
    } catch (...) {
        // std::bad_alloc from RE2 or the vector: no reason from the text.
    }
    return m;
}

std::size_t failed_pattern_count()
{
    try {
        return compiled().failed + (compiled().set_ok ? 0 : 1);
    } catch (...) {
        return all_patterns().size();
    }
}

} // namespace ndr::classifiers::reasons
