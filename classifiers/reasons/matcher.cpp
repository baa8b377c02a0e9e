// matcher.cpp — every reason pattern over a text in one pass (see matcher.hpp): the plain literals
// (and vetoes) in one Aho-Corasick automaton, the regular expressions in one RE2::Set.
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

#include <array>
#include <memory>
#include <string>
#include <vector>

#include <re2/re2.h>
#include <re2/set.h>

#include "classifiers/limits.hpp"
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

// Aho-Corasick over bytes: every literal that occurs in a text, reported as the OR of the reason
// masks its patterns note (TextMatch). Built once; a match is one transition per byte, no allocation.
// The alphabet is the bytes the literals use plus one class for every other byte.
class LiteralAutomaton {
  public:
    void add(std::string_view literal, const TextMatch& mask) { m_literals.push_back({literal, mask}); }

    // After the last add(): the trie, then its failure links folded into a full transition table.
    void build() {
        for (const auto& [text, mask] : m_literals)
            for (char ch : text)
                if (std::uint16_t& c = m_class[static_cast<unsigned char>(ch)]; c == 0)
                    c = static_cast<std::uint16_t>(m_classes++);
        const std::size_t k = m_classes;
        std::size_t most_nodes = 1; // the root, and at most one node per literal byte
        for (const auto& [text, mask] : m_literals)
            most_nodes += text.size();
        m_next.assign(most_nodes * k, 0);
        m_out.assign(1, TextMatch{});
        m_out.reserve(most_nodes);
        for (const auto& [text, mask] : m_literals) {
            std::size_t node = 0;
            for (char ch : text) {
                const std::size_t slot = node * k + m_class[static_cast<unsigned char>(ch)];
                if (m_next[slot] == 0) {
                    m_next[slot] = static_cast<int>(m_out.size());
                    m_out.emplace_back();
                }
                node = static_cast<std::size_t>(m_next[slot]);
            }
            m_out[node].matched |= mask.matched;
            m_out[node].vetoed |= mask.vetoed;
        }
        m_next.resize(m_out.size() * k);
        m_literals.clear();
        m_literals.shrink_to_fit();
        // Breadth first: a node's failure target is shallower, so its row and output are complete
        // when the node is reached. Until then a row holds only the trie's own edges (0 = none).
        std::vector<std::size_t> fail(m_out.size(), 0), queue{0};
        for (std::size_t head = 0; head < queue.size(); ++head) {
            const std::size_t u = queue[head];
            const std::size_t f = fail[u];
            if (u != 0) {
                m_out[u].matched |= m_out[f].matched;
                m_out[u].vetoed |= m_out[f].vetoed;
            }
            for (std::size_t c = 1; c < k; ++c) {
                int& next = m_next[u * k + c];
                const int via_fail = u == 0 ? 0 : m_next[f * k + c];
                if (next == 0) {
                    next = via_fail;
                } else {
                    fail[static_cast<std::size_t>(next)] = static_cast<std::size_t>(via_fail);
                    queue.push_back(static_cast<std::size_t>(next));
                }
            }
        }
    }

    void match(std::string_view text, TextMatch& m) const {
        std::size_t state = 0;
        TextMatch acc = m_out[0];
        for (char ch : text) {
            state =
                static_cast<std::size_t>(m_next[state * m_classes + m_class[static_cast<unsigned char>(ch)]]);
            acc.matched |= m_out[state].matched;
            acc.vetoed |= m_out[state].vetoed;
        }
        m.matched |= acc.matched;
        m.vetoed |= acc.vetoed;
    }

  private:
    std::vector<std::pair<std::string_view, TextMatch>> m_literals; // until build()
    std::array<std::uint16_t, 256> m_class{};                       // 0: a byte no literal has
    std::size_t m_classes = 1;
    std::vector<int> m_next; // node * m_classes + class -> node
    std::vector<TextMatch> m_out;
};

void note(TextMatch& m, const Pattern& p) {
    if (p.kind == Kind::veto)
        m.vetoed |= bit(p.reason);
    else
        m.matched |= bit(p.reason);
}

struct Compiled {
    LiteralAutomaton literals;
    RE2::Set set{pattern_options(), RE2::UNANCHORED};
    std::vector<const Pattern*> pattern_of; // set index -> pattern (the regular expressions)
    std::size_t failed = 0;
    bool set_ok = false;

    Compiled()
    {
        for (const Pattern& p : all_patterns()) {
            if (p.kind != Kind::regex) {
                TextMatch mask;
                note(mask, p);
                literals.add(p.text, mask);
                continue;
            }
            if (set.Add(expression(p), nullptr) < 0) {
                ++failed;
                continue;
            }
            pattern_of.push_back(&p);
        }
        literals.build();
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
        c.literals.match(lowered, m);
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
