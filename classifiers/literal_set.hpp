// literal_set.hpp — which of a fixed set of literal strings occur in a text, in one pass (Aho-Corasick
// over bytes: full transition rows for the shallowest nodes, where a scan spends most of its steps,
// and the trie's own edges and failure links for the rest).
//
// Why not RE2::Set with literal patterns: a set's DFA states are built lazily, per new stretch of
// text, and each state costs time proportional to the number of patterns; on the corpus that first-use
// cost was most of a one-shot run's warm-up. This automaton is built once, in time linear in the
// literals times the alphabet, and a scan allocates nothing.
// Why not a full transition row for every node: the reason literals alone made that table 2.5 MB
// (11,700 nodes x 53 byte classes x 4 bytes), so nearly every step of a scan was a cache miss once the
// rest of a message's analysis had run. Here the rows are 16-bit node numbers (32-bit only when there
// are more than 65,536 nodes), a power of two long (a shift, not a multiplication, on the chain from
// one byte to the next), for as many nodes breadth first as fit in 64K entries: the reason literals'
// nodes up to five bytes deep, about four fifths of a scan's steps. Those nodes are numbered first,
// the ones that end no literal before the ones that do, so that a step there is one load and one
// comparison. (Rows only two bytes deep, with the other nodes' edges searched at every step and
// 32-bit entries, took twice the time per byte: the searches' branches were mispredicted and each step
// waited for the one before.) The other nodes are numbered depth first, a literal's nodes next to
// each other, each with its first edge inline. A text of 32 bytes or more is read as two halves at
// once, one of 96 bytes or more as four quarters (see scan_rows()): a step waits for the load of the
// step before, and two or four such chains overlap (four: 1.70 -> 1.47 ns per byte over the corpus's
// diagnostics with the reason literals, median 66 bytes, mean 116).
//
// Input: texts are hostile; a scan is linear in the text plus the number of occurrences reported
// (a byte takes a scan one node deeper at most and a failure link to a shallower node, so a scan
// follows no more failure links than it has read bytes).
// Built once, immutable afterwards: scan() is safe from any number of threads.
#pragma once

#include <algorithm>
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
    // dense_entries: the most entries of the full rows (the default suits a scan; the tests pass
    // small numbers, so that their small sets have nodes without a row).
    void build(bool fold_ascii, std::size_t dense_entries = k_dense_entries);
    std::size_t size() const { return m_count; }

    // Calls f(id) at every place in `text` where literal `id` ends (so once per occurrence, in no
    // particular order; an empty literal once, first).
    template <class F> void scan(std::string_view text, F&& f) const {
        if (m_out.empty()) return; // not built
        report(0, f);
        if (m_dense16.empty())
            scan_rows(m_dense32.data(), text, f);
        else
            scan_rows(m_dense16.data(), text, f);
    }

  private:
    static constexpr std::size_t k_dense_entries = 64 * 1024;
    static constexpr std::size_t k_split_bytes = 32;   // texts this long are read as two halves at once,
    static constexpr std::size_t k_split4_bytes = 96;  // these as four quarters
    static constexpr std::uint16_t k_no_edge = 0xFFFF; // no byte class is this

    // A node without a full row: its first trie edge here, any others in m_edge.
    struct Deep {
        std::uint32_t fail = 0;                    // the longest proper suffix of its string that is a node
        std::uint32_t target = 0;                  // the first edge's node
        std::uint32_t more = 0;                    // its other edges: m_edge[more, more + more_count)
        std::uint32_t byte_class : 16 = k_no_edge; // the first edge's class (k_no_edge: a leaf)
        std::uint32_t more_count : 15 = 0;
        std::uint32_t has_output : 1 = 0; // it or a node on its failure chain ends a literal
    };
    struct Edge {
        std::uint32_t target;
        std::uint16_t byte_class;
    };

    // Node numbers: [0, m_quiet) have a full row and no output (the root is 0), [m_quiet, m_rows)
    // have a full row and an output, [m_rows, nodes) have none (m_deep[node - m_rows]).
    //
    // Each step waits for the one before (its row is the node the step before found), so a text of
    // some length is read as two or four parts at once, the chains of loads overlapping: each part
    // from the root, reporting what begins and ends in it (the last part on to the end); each part but
    // the last then on past its end as long as its node's string begins before that end, reporting
    // what ends there (see tail()).
    template <class T, class F> void scan_rows(const T* rows, std::string_view text, F& f) const {
        const auto* const begin = reinterpret_cast<const unsigned char*>(text.data());
        const auto* const end = begin + text.size();
        if (text.size() < k_split_bytes) {
            run(rows, begin, end, f);
            return;
        }
        if (text.size() < k_split4_bytes) {
            const auto* const mid = begin + text.size() / 2;
            const auto* a = begin;
            const auto* b = mid; // end - mid >= mid - begin: b reaches no further than end
            std::size_t state_a = 0, state_b = 0;
            while (a != mid) {
                state_a = next(rows, state_a, *a++, f);
                state_b = next(rows, state_b, *b++, f);
            }
            run(rows, b, end, f, state_b);
            tail(rows, state_a, mid, end, f);
            return;
        }
        const std::size_t quarter = text.size() / 4; // the last part is the rest: at least a quarter
        const auto* const p1 = begin + quarter;
        const auto* const p2 = p1 + quarter;
        const auto* const p3 = p2 + quarter;
        std::size_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (std::size_t i = 0; i < quarter; ++i) {
            s0 = next(rows, s0, begin[i], f);
            s1 = next(rows, s1, p1[i], f);
            s2 = next(rows, s2, p2[i], f);
            s3 = next(rows, s3, p3[i], f);
        }
        run(rows, p3 + quarter, end, f, s3);
        tail(rows, s0, p1, end, f);
        tail(rows, s1, p2, end, f);
        tail(rows, s2, p3, end, f);
    }

    // A part read up to `p` (its end), in node `state`: on to the end of the text as long as the
    // node's string begins before `p`, reporting only what begins there (longer than what was read
    // since; the literals on a failure chain get shorter). What begins at `p` or later is the next
    // part's.
    template <class T, class F>
    void tail(const T* rows, std::size_t state, const unsigned char* p, const unsigned char* end,
              F& f) const {
        for (std::size_t read = 0; p != end && m_out[state].depth > read;) {
            state = step(rows, state, m_class[*p++]);
            ++read;
            for (auto n = static_cast<std::int32_t>(state);
                 n >= 0 && m_out[static_cast<std::size_t>(n)].depth > read;
                 n = m_out[static_cast<std::size_t>(n)].dict)
                report_own(static_cast<std::size_t>(n), f);
        }
    }

    // The text from `p` on, from node `state`: most steps are among the nodes without output, one
    // load each.
    template <class T, class F>
    void run(const T* rows, const unsigned char* p, const unsigned char* end, F& f,
             std::size_t state = 0) const {
        const std::uint16_t* cls = m_class.data();
        const std::size_t quiet = m_quiet, with_rows = m_rows;
        const unsigned shift = m_shift;
        if (state >= with_rows) goto deep;
        while (p != end) {
            state = rows[(state << shift) + cls[*p++]];
            if (state < quiet) continue;
            if (state < with_rows) {
                report(state, f);
                continue;
            }
            if (m_deep[state - with_rows].has_output) report(state, f);
        deep:
            // Deeper than the rows reach (inside a long literal, mostly): until back among them.
            for (;;) {
                if (p == end) return;
                state = step_deep(rows, state, cls[*p++]);
                if (state < with_rows) break;
                if (m_deep[state - with_rows].has_output) report(state, f);
            }
            if (state >= quiet) report(state, f);
        }
    }

    // One byte from node `state`, reporting what ends there.
    template <class T, class F>
    [[gnu::always_inline]] std::size_t next(const T* rows, std::size_t state, unsigned char byte,
                                            F& f) const {
        state = step(rows, state, m_class[byte]);
        if (state >= m_quiet && (state < m_rows || m_deep[state - m_rows].has_output)) report(state, f);
        return state;
    }

    template <class T> std::size_t step(const T* rows, std::size_t state, std::uint16_t c) const {
        return state < m_rows ? rows[(state << m_shift) + c] : step_deep(rows, state, c);
    }

    // The node after reading a byte of class c in node `state` (one without a row).
    template <class T> std::size_t step_deep(const T* rows, std::size_t state, std::uint16_t c) const {
        for (;;) {
            const Deep& n = m_deep[state - m_rows];
            if (n.byte_class == c) return n.target;
            for (std::uint32_t e = n.more; e < n.more + n.more_count; ++e)
                if (m_edge[e].byte_class == c) return m_edge[e].target;
            state = n.fail;
            if (state < m_rows) return rows[(state << m_shift) + c];
        }
    }

    template <class F> void report(std::size_t node, F& f) const {
        for (auto n = static_cast<std::int32_t>(node); n >= 0; n = m_out[static_cast<std::size_t>(n)].dict)
            report_own(static_cast<std::size_t>(n), f);
    }
    template <class F> void report_own(std::size_t node, F& f) const {
        for (std::uint32_t i = m_out[node].ids; i < m_out[node + 1].ids; ++i)
            f(static_cast<std::size_t>(m_ids[i]));
    }

    std::vector<std::string> m_literals; // until build()
    std::size_t m_count = 0;
    std::array<std::uint16_t, 256> m_class{}; // 0: a byte no literal has
    std::size_t m_classes = 1;
    unsigned m_shift = 0; // a row is 1 << m_shift entries (at least the classes)
    std::size_t m_quiet = 1, m_rows = 1;
    std::vector<std::uint16_t> m_dense16; // the rows, node << m_shift | class -> node, when every
    std::vector<std::uint32_t> m_dense32; // node number fits 16 bits (else m_dense32)
    std::vector<Deep> m_deep;             // node - m_rows -> the node
    std::vector<Edge> m_edge;
    // What a scan reports at a node, together: one cache line for the node and its neighbour.
    struct Out {
        std::int32_t dict = -1;  // the nearest node on its failure chain with ids, or -1
        std::uint32_t ids = 0;   // its own ids: m_ids[ids, next node's ids)
        std::uint32_t depth = 0; // the length of its string
    };
    std::vector<Out> m_out;           // node -> its Out (one more at the end: the end of m_ids)
    std::vector<std::uint32_t> m_ids; // the literals ending at each node, node by node
};

// A set of the integers 0..n-1 (literal or pattern ids found in one text): on the stack up to 1024,
// on the heap beyond. For the scans' callers, which run once per text.
class SmallIdSet {
  public:
    // Only the words that hold 0..n-1 are cleared (a few for the scans' callers, not all 16).
    explicit SmallIdSet(std::size_t n) {
        if (n > k_inline * 64)
            m_heap.assign((n + 63) / 64, 0);
        else
            std::fill_n(m_inline, (n + 63) / 64, std::uint64_t{0});
    }
    // i < n, as in every member. True when i was not in the set yet.
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
    std::uint64_t m_inline[k_inline]; // words 0 .. (n - 1) / 64 in use
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
