// search.hpp — where the listed phrases (needles.hpp) occur in a message's text, found in one pass.
//
// index_text() runs one Aho-Corasick automaton (the phrases' first bytes in a full transition table
// over byte classes, ASCII letters folded, built once on first use; the rest of a longer phrase
// compared where its start is found) over the text and a few short texts (the From and Subject
// values), and records where each line starts, on which lines each phrase occurs, where its first
// occurrence ends, which lines start (after blanks) with a returned-original marker, and which
// phrases the short texts hold.
// Input trust: the text is hostile. The pass is linear in the text: one table step per byte, per
// candidate phrase one comparison of at most its length (at most one candidate per phrase and
// byte: a phrase is at most 128 bytes), and per line at most one look at its leading blanks; what
// it records is at most one entry per phrase and line (phrases do not span lines) plus one per line.
#pragma once

#include "classifiers/formats/needles.hpp"

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace ndr::classifiers::formats {

struct NeedleIndex {
    std::vector<std::uint32_t> line_starts; // offset of each line (as next_line() splits the text)
    // Phrase k occurs on count[k] lines (0: nowhere): lines[begin[k], begin[k] + count[k]), ascending.
    // first_end[k] is the end offset (exclusive) of its first occurrence. begin and first_end are
    // set only for phrases that occur.
    std::array<std::uint32_t, k_needle_count> count{};
    std::array<std::uint32_t, k_needle_count> begin;
    std::array<std::uint32_t, k_needle_count> first_end;
    std::vector<std::uint32_t> lines;
    // Lines whose trimmed text starts with one of the first k_marker_count phrases, ascending.
    std::vector<std::uint32_t> marker_lines;
};

// Which listed phrases occur in a short text (a header value): *found is set to them.
using PhraseSet = std::bitset<k_needle_count>;
struct PhraseQuery {
    std::string_view text;
    PhraseSet* found;
};

// Fills `index` for `text` (at most 4 GiB - 1 bytes; the caller caps it far lower) and answers the
// queries, in the same pass (the first k_max_queries of them; any more in a pass of their own).
inline constexpr std::size_t k_max_queries = 2;
void index_text(std::string_view text, NeedleIndex& index, std::span<const PhraseQuery> queries = {});

} // namespace ndr::classifiers::formats
