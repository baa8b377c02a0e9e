// literal_set.hpp — which of a fixed set of literal strings occur in a text, in one pass (Aho-Corasick
// over bytes, the failure links folded into a full transition table over the bytes the literals use).
//
// Why not RE2::Set with literal patterns: a set's DFA states are built lazily, per new stretch of
// text, and each state costs time proportional to the number of patterns; on the corpus that first-use
// cost was most of a one-shot run's warm-up. This table is built once, in time linear in the literals
// times the alphabet, and a scan is one table step per byte with no allocation.
//
// Input: texts are hostile; a scan is linear in the text plus the number of occurrences reported.
// Built once, immutable afterwards: scan() is safe from any number of threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::classifiers {

class LiteralSet {
  public:
    // Adds a literal; returns its id (0, 1, ... in order of adding). Only before build().
    std::size_t add(std::string_view literal);
    // fold_ascii: 'A'..'Z' and 'a'..'z' are the same byte, in the literals and in the texts.
    void build(bool fold_ascii);
    std::size_t size() const { return m_count; }

    // Calls f(id) at every place in `text` where literal `id` ends (so once per occurrence; an empty
    // literal once, before the first byte).
    template <class F> void scan(std::string_view text, F&& f) const {
        if (m_next.empty()) return;
        report(0, f);
        std::size_t state = 0;
        for (char ch : text) {
            state =
                static_cast<std::size_t>(m_next[state * m_classes + m_class[static_cast<unsigned char>(ch)]]);
            if (m_has_output[state]) report(state, f);
        }
    }

  private:
    template <class F> void report(std::size_t node, F& f) const {
        for (auto n = static_cast<std::int32_t>(node); n >= 0; n = m_dict[static_cast<std::size_t>(n)])
            for (std::uint32_t i = m_ids_begin[static_cast<std::size_t>(n)];
                 i < m_ids_begin[static_cast<std::size_t>(n) + 1]; ++i)
                f(static_cast<std::size_t>(m_ids[i]));
    }

    std::vector<std::string> m_literals; // until build()
    std::size_t m_count = 0;
    std::array<std::uint16_t, 256> m_class{}; // 0: a byte no literal has
    std::size_t m_classes = 1;
    std::vector<std::int32_t> m_next;       // node * m_classes + class -> node
    std::vector<std::uint32_t> m_ids_begin; // node -> first of its own ids in m_ids (one past the end last)
    std::vector<std::uint32_t> m_ids;       // the literals ending at each node, node by node
    std::vector<std::int32_t> m_dict;       // node -> nearest node on its failure chain with ids, or -1
    std::vector<std::uint8_t> m_has_output; // node -> it or a node on its failure chain ends a literal
};

} // namespace ndr::classifiers
