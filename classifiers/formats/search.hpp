// search.hpp — where the listed phrases (needles.hpp) occur in a message's text, found in one pass.
//
// index_text() runs one Aho-Corasick automaton (a full transition table over byte classes, ASCII
// letters folded, built once on first use) over the text and records, in the same pass, where each
// line starts, on which lines each phrase occurs, where its first occurrence ends, and which lines
// start (after blanks) with a returned-original marker.
// Input trust: the text is hostile. The pass is linear in the text: one table step per byte, and per
// line at most one look at its leading blanks; what it records is at most one entry per phrase and
// line (phrases do not span lines) plus one per line.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <string_view>
#include <vector>

#include "classifiers/formats/needles.hpp"

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

// Fills `index` for `text` (at most 4 GiB - 1 bytes; the caller caps it far lower).
void index_text(std::string_view text, NeedleIndex& index);

// Which listed phrases occur in a short text (a header value), in one pass of the same automaton.
using PhraseSet = std::bitset<k_needle_count>;
void find_phrases(std::string_view text, PhraseSet& found);

} // namespace ndr::classifiers::formats
