// regex_summary.hpp — what an RE2 pattern needs from a text before it can match, read from the
// pattern's syntax alone (no RE2 compilation): a condition over literal strings ("atoms") that every
// text it matches contains, whether it can match the empty string, and, for a pattern that is only a
// small set of literal strings, those strings.
//
// Why: RE2 compiles a pattern in time out of proportion to matching a short text (the shipped rules
// took 145M instructions to compile, most of a one-shot run's start-up), and most patterns never match
// in a process's life. With the summary a matcher finds the candidate patterns with one literal scan
// (literal_set.hpp) and compiles a pattern only when it becomes a candidate. Same idea as RE2's own
// prefilter (re2/prefilter.cc: exact sets of up to 16 strings, crossed over concatenations and joined
// over alternations, turned into AND/OR conditions over atoms), which needs a compiled RE2 first.
//
// Soundness is the contract: if the pattern matches a text, the condition holds for that text (atoms
// found as described below). Anything the reader does not model (flags, \Q...\E, octal escapes, nesting
// past a bound, ...) makes the summary "not understood": no condition, not exact, emptiness unknown.
// The pattern is assumed to be valid RE2 syntax (callers check it with RE2 first); for invalid syntax
// the summary is meaningless but still bounded (linear in the pattern, no recursion past the bound).
//
// Atoms: with fold_case, atoms are lower-case ASCII and are to be found ASCII-case-insensitively in a
// text in which U+017F (long s) has been read as 's' and U+212A (Kelvin sign) as 'k' — the only
// characters outside ASCII that RE2's case folding equates with an ASCII letter (see matcher.cpp).
// Without fold_case atoms are byte strings found as they are. Characters outside ASCII never become
// part of an atom under fold_case (their case variants are not modelled).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::classifiers::rules {

struct SummaryOptions {
    bool fold_case = true; // the pattern is matched case-insensitively (RE2::Options::case_sensitive false)
    bool latin1 = false;   // the pattern is Latin-1 (one character per byte), else UTF-8
    std::size_t min_atom = 3;   // shorter strings make no atom (they would make most texts candidates)
    std::size_t max_exact = 16; // largest set of strings kept exact through concatenations
};

struct RegexSummary {
    enum class Op : std::uint8_t { atom, all, any };
    struct Node {
        Op op = Op::atom;
        std::uint32_t first = 0; // atom: index into atoms; all/any: first child in kids
        std::uint32_t count = 0; // all/any: number of children
    };

    bool understood = false;        // false: nothing below says anything (every text is a candidate)
    bool never_empty = false;       // (understood) the pattern cannot match the empty string
    std::vector<std::string> atoms; // distinct
    std::vector<Node> nodes;
    std::vector<std::uint32_t> kids;
    int root = -1; // -1: no condition (any text may match)
    // Not empty: the pattern matches a text exactly when the text contains one of these strings (no
    // assertions, a finite language without ""). Set only without fold_case.
    std::vector<std::string> exact;
    // Strings of the pattern's language (some of them, never ""; exact when exact is set): a text that
    // contains one is matched. Set only without fold_case, and only for patterns without assertions.
    std::vector<std::string> within;
    // The names of the (?P<name>...) groups, in order.
    std::vector<std::string> group_names;

    // Atoms (indices) one of which every text that meets the condition contains, for indexing the
    // pattern under fewer atoms than all of them: every atom of an OR, and of an AND only those of its
    // most selective part (the one whose shortest atom is longest). Empty without a condition.
    std::vector<std::uint32_t> trigger_atoms() const;

    // Whether the condition holds, given which atoms (by index) the text contains.
    template <class Found> bool holds(Found&& found) const { return root < 0 || eval(root, found); }

  private:
    template <class Found> bool eval(int n, Found& found) const {
        const Node& node = nodes[static_cast<std::size_t>(n)];
        if (node.op == Op::atom) return found(node.first);
        const bool all = node.op == Op::all;
        for (std::uint32_t k = node.first; k < node.first + node.count; ++k)
            if (eval(static_cast<int>(kids[k]), found) != all) return !all;
        return all;
    }
};

RegexSummary summarise_regex(std::string_view pattern, const SummaryOptions& options);

} // namespace ndr::classifiers::rules
