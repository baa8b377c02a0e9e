// literal_set.hpp — which of a fixed set of literal strings occur in a text, in one pass (Aho-Corasick
// over bytes: the trie's own edges, failure links, and full transition rows for the nodes up to two
// bytes deep, where a scan spends most of its steps; nodes are numbered breadth first, so those are
// the first ones).
//
// Why not RE2::Set with literal patterns: a set's DFA states are built lazily, per new stretch of
// text, and each state costs time proportional to the number of patterns; on the corpus that first-use
// cost was most of a one-shot run's warm-up. This automaton is built once, in time linear in the
// literals times the alphabet, and a scan allocates nothing.
// Why not a full transition row for every node: the reason literals alone made that table 2.5 MB
// (11,700 nodes x 53 byte classes x 4 bytes), so nearly every step of a scan was a cache miss once the
// rest of a message's analysis had run; the nodes here take 12 bytes and one edge each, mostly, and
// the full rows (at most 64K entries, 256 KB) only the few hundred nodes near the root. (Rows for
// three bytes deep as well saved a further 0.3k instructions per corpus message: not worth the
// memory.)
//
// Input: texts are hostile; a scan is linear in the text plus the number of occurrences reported
// (a byte takes a scan one node deeper at most and a failure link to a shallower node, so a scan
// follows no more failure links than it has read bytes).
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
        if (m_node.empty()) return;
        report(0, f);
        std::size_t state = 0;
        for (char ch : text) {
            state = step(state, m_class[static_cast<unsigned char>(ch)]);
            if (m_node[state].has_output) report(state, f);
        }
    }

  private:
    struct Node {
        std::int32_t fail = 0;        // the longest proper suffix of this node's string that is a node
        std::uint32_t first_edge = 0; // the trie's own edges: m_edge[first_edge, first_edge + edges)
        std::uint16_t edges = 0;
        std::uint8_t has_output = 0; // it or a node on its failure chain ends a literal
    };
    struct Edge {
        std::int32_t target;
        std::uint16_t byte_class;
    };

    // The node after reading a byte of class `byte_class` in node `state`.
    std::size_t step(std::size_t state, std::uint16_t byte_class) const {
        if (byte_class == 0) return 0; // a byte no literal has: no node's string ends with it
        for (;;) {
            if (state < m_dense_nodes)
                return static_cast<std::size_t>(m_dense[state * m_classes + byte_class]);
            const Node& n = m_node[state];
            for (std::uint32_t e = n.first_edge; e < n.first_edge + n.edges; ++e)
                if (m_edge[e].byte_class == byte_class) return static_cast<std::size_t>(m_edge[e].target);
            state = static_cast<std::size_t>(n.fail);
        }
    }

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
    std::vector<Node> m_node;
    std::vector<Edge> m_edge;
    std::size_t m_dense_nodes = 0;          // nodes 0 .. m_dense_nodes - 1 have a full row in m_dense
    std::vector<std::int32_t> m_dense;      // node * m_classes + class -> node (the nodes with a row)
    std::vector<std::uint32_t> m_ids_begin; // node -> first of its own ids in m_ids (one past the end last)
    std::vector<std::uint32_t> m_ids;       // the literals ending at each node, node by node
    std::vector<std::int32_t> m_dict;       // node -> nearest node on its failure chain with ids, or -1
};

// A set of the integers 0..n-1 (literal or pattern ids found in one text): on the stack up to 1024,
// on the heap beyond. For the scans' callers, which run once per text.
class SmallIdSet {
  public:
    explicit SmallIdSet(std::size_t n) {
        if (n > k_inline * 64) m_heap.assign((n + 63) / 64, 0);
    }
    // True when i was not in the set yet.
    bool insert(std::size_t i) {
        std::uint64_t& w = word(i);
        const std::uint64_t bit = std::uint64_t{1} << (i % 64);
        if ((w & bit) != 0) return false;
        w |= bit;
        return true;
    }
    bool contains(std::size_t i) const {
        return ((m_heap.empty() ? m_inline[i / 64] : m_heap[i / 64]) >> (i % 64) & 1) != 0;
    }

  private:
    static constexpr std::size_t k_inline = 16;
    std::uint64_t& word(std::size_t i) { return m_heap.empty() ? m_inline[i / 64] : m_heap[i / 64]; }
    std::uint64_t m_inline[k_inline] = {};
    std::vector<std::uint64_t> m_heap;
};

// A list of ids in order of adding: the first 64 on the stack.
class SmallIdList {
  public:
    void push_back(std::uint32_t id) {
        if (m_size < k_inline)
            m_inline[m_size] = id;
        else
            m_heap.push_back(id);
        ++m_size;
    }
    std::size_t size() const { return m_size; }
    std::uint32_t operator[](std::size_t i) const {
        return i < k_inline ? m_inline[i] : m_heap[i - k_inline];
    }

  private:
    static constexpr std::size_t k_inline = 64;
    std::uint32_t m_inline[k_inline];
    std::size_t m_size = 0;
    std::vector<std::uint32_t> m_heap;
};

} // namespace ndr::classifiers
