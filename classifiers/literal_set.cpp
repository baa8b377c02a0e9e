// literal_set.cpp — see literal_set.hpp. Build: the trie with each node's own edges (the root's also as
// a full row), then breadth first each node's failure link, found along its parent's failure chain;
// then the numbering a scan wants, the full rows of the first nodes breadth first (each its failure
// target's row with its own edges over it) and the rest as trie edges. (Building the full transition
// table of every node first cost time in proportion to nodes times byte classes: 23M instructions for
// the reason literals, most of their start-up.)
#include "classifiers/literal_set.hpp"

#include <algorithm>
#include <bit>

namespace ndr::classifiers {

namespace {

char fold(char c, bool fold_ascii) {
    return fold_ascii && c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

} // namespace

std::size_t LiteralSet::add(std::string_view literal) {
    m_literals.emplace_back(literal);
    return m_count++;
}

void LiteralSet::build(bool fold_ascii, std::size_t dense_entries) {
    for (const std::string& text : m_literals)
        for (char ch : text)
            if (std::uint16_t& c = m_class[static_cast<unsigned char>(fold(ch, fold_ascii))]; c == 0)
                c = static_cast<std::uint16_t>(m_classes++);
    if (fold_ascii)
        for (int b = 'A'; b <= 'Z'; ++b)
            m_class[static_cast<std::size_t>(b)] = m_class[static_cast<std::size_t>(b + 32)];
    const std::size_t k = m_classes;
    m_shift = static_cast<unsigned>(std::countr_zero(std::bit_ceil(k)));
    const std::size_t row = std::size_t{1} << m_shift;

    // The trie, each node's edges in order of creation as a linked list (first child, next sibling),
    // the root's also as a full row; where each literal ends. Flat arrays: no allocation per node.
    std::size_t most_nodes = 1; // the root, and at most one node per literal byte
    for (const std::string& text : m_literals)
        most_nodes += text.size();
    struct Building {
        std::int32_t first_child = -1, last_child = -1, next_sibling = -1;
        std::uint16_t byte_class = 0;
        std::uint16_t children = 0;
    };
    std::vector<Building> trie(1);
    trie.reserve(most_nodes);
    std::vector<std::int32_t> root_row(k, 0);
    auto child = [&](std::size_t node, std::uint16_t c) -> std::int32_t {
        if (node == 0) return root_row[c];
        for (std::int32_t e = trie[node].first_child; e >= 0;
             e = trie[static_cast<std::size_t>(e)].next_sibling)
            if (trie[static_cast<std::size_t>(e)].byte_class == c) return e;
        return 0;
    };
    std::vector<std::uint32_t> end_of(m_literals.size());
    for (std::size_t id = 0; id < m_literals.size(); ++id) {
        std::size_t node = 0;
        for (char ch : m_literals[id]) {
            const std::uint16_t c = m_class[static_cast<unsigned char>(fold(ch, fold_ascii))];
            std::int32_t next = child(node, c);
            if (next == 0) {
                next = static_cast<std::int32_t>(trie.size());
                trie.push_back(Building{-1, -1, -1, c, 0});
                Building& parent = trie[node];
                if (parent.last_child < 0)
                    parent.first_child = next;
                else
                    trie[static_cast<std::size_t>(parent.last_child)].next_sibling = next;
                parent.last_child = next;
                ++parent.children;
                if (node == 0) root_row[c] = next;
            }
            node = static_cast<std::size_t>(next);
        }
        end_of[id] = static_cast<std::uint32_t>(node);
    }
    const std::size_t nodes = trie.size();
    m_literals.clear();
    m_literals.shrink_to_fit();
    // Each node's own ids (by trie node, then by id).
    std::vector<std::uint32_t> own_begin(nodes + 1, 0), own(end_of.size(), 0);
    for (std::uint32_t node : end_of)
        ++own_begin[node + 1];
    for (std::size_t n = 0; n < nodes; ++n)
        own_begin[n + 1] += own_begin[n];
    {
        std::vector<std::uint32_t> filled(own_begin.begin(), own_begin.end() - 1);
        for (std::size_t id = 0; id < end_of.size(); ++id)
            own[filled[end_of[id]]++] = static_cast<std::uint32_t>(id);
    }
    auto has_own = [&](std::size_t n) { return own_begin[n] != own_begin[n + 1]; };

    // Failure links breadth first: a node's target is found by following its parent's failure chain
    // to the first node with an edge of the same class (shallower, so already done).
    std::vector<std::size_t> fail(nodes, 0), queue{0}, depth(nodes, 0);
    queue.reserve(nodes);
    std::vector<std::int32_t> dict(nodes, -1);
    for (std::size_t head = 0; head < queue.size(); ++head) {
        const std::size_t u = queue[head];
        const std::size_t f = fail[u];
        // The root's own ids (the empty literal) are reported once per scan, not on every chain.
        if (u != 0) dict[u] = f != 0 && has_own(f) ? static_cast<std::int32_t>(f) : dict[f];
        for (std::int32_t e = trie[u].first_child; e >= 0;
             e = trie[static_cast<std::size_t>(e)].next_sibling) {
            const auto v = static_cast<std::size_t>(e);
            std::size_t target = 0;
            if (u != 0) {
                for (std::size_t g = f;; g = fail[g]) {
                    if (const std::int32_t t = child(g, trie[v].byte_class); t != 0) {
                        target = static_cast<std::size_t>(t);
                        break;
                    }
                    if (g == 0) break;
                }
            }
            fail[v] = target;
            depth[v] = depth[u] + 1;
            queue.push_back(v);
        }
    }
    auto has_output = [&](std::size_t u) { return u != 0 && (has_own(u) || dict[u] >= 0); };

    // Full rows for the first nodes breadth first (the shallowest: between occurrences a scan is
    // mostly there, and every failure chain ends there), as many as dense_entries allow.
    std::size_t rows = 1;
    while (rows < nodes && (rows + 1) * row <= dense_entries)
        ++rows;
    // The numbering: those without an output, those with one, then the rest depth first (the nodes
    // of one literal next to each other).
    std::vector<std::uint32_t> number(nodes, 0);
    std::vector<std::uint8_t> in_rows(nodes, 0);
    std::uint32_t next_number = 0;
    for (std::size_t i = 0; i < rows; ++i)
        in_rows[queue[i]] = 1;
    for (std::size_t i = 0; i < rows; ++i)
        if (!has_output(queue[i])) number[queue[i]] = next_number++;
    m_quiet = next_number;
    for (std::size_t i = 0; i < rows; ++i)
        if (has_output(queue[i])) number[queue[i]] = next_number++;
    m_rows = rows;
    {
        std::vector<std::size_t> stack;
        for (std::size_t i = 0; i < rows; ++i)
            for (std::int32_t e = trie[queue[i]].first_child; e >= 0;
                 e = trie[static_cast<std::size_t>(e)].next_sibling) {
                if (in_rows[static_cast<std::size_t>(e)]) continue;
                stack.push_back(static_cast<std::size_t>(e));
                while (!stack.empty()) {
                    const std::size_t u = stack.back();
                    stack.pop_back();
                    number[u] = next_number++;
                    const std::size_t first = stack.size();
                    for (std::int32_t c = trie[u].first_child; c >= 0;
                         c = trie[static_cast<std::size_t>(c)].next_sibling)
                        stack.push_back(static_cast<std::size_t>(c));
                    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
                }
            }
    }

    // Ids and dictionary links by number.
    std::vector<std::size_t> node_of(nodes);
    for (std::size_t u = 0; u < nodes; ++u)
        node_of[number[u]] = u;
    m_out.assign(nodes + 1, Out{});
    m_ids.clear();
    m_ids.reserve(own.size());
    for (std::size_t n = 0; n < nodes; ++n) {
        const std::size_t u = node_of[n];
        Out& o = m_out[n];
        o.depth = static_cast<std::uint32_t>(depth[u]);
        o.ids = static_cast<std::uint32_t>(m_ids.size());
        m_ids.insert(m_ids.end(), own.begin() + own_begin[u], own.begin() + own_begin[u + 1]);
        if (dict[u] >= 0) o.dict = static_cast<std::int32_t>(number[static_cast<std::size_t>(dict[u])]);
    }
    m_out[nodes].ids = static_cast<std::uint32_t>(m_ids.size());

    // The rows, breadth first: a node's row is its failure target's (shallower: done) with its own
    // edges over it.
    std::vector<std::uint32_t> dense(rows * row, 0);
    for (std::size_t i = 0; i < rows; ++i) {
        const std::size_t u = queue[i];
        const std::size_t at = std::size_t{number[u]} * row;
        if (u != 0)
            std::copy_n(dense.begin() + static_cast<std::ptrdiff_t>(std::size_t{number[fail[u]]} * row), row,
                        dense.begin() + static_cast<std::ptrdiff_t>(at));
        for (std::int32_t e = trie[u].first_child; e >= 0; e = trie[static_cast<std::size_t>(e)].next_sibling)
            dense[at + trie[static_cast<std::size_t>(e)].byte_class] = number[static_cast<std::size_t>(e)];
    }
    m_dense16.clear();
    m_dense32.clear();
    if (nodes <= 0x10000)
        m_dense16.assign(dense.begin(), dense.end());
    else
        m_dense32 = std::move(dense);

    // The nodes without a row: the first edge in the node, the others in m_edge.
    m_deep.assign(nodes - rows, Deep{});
    m_edge.clear();
    for (std::size_t n = rows; n < nodes; ++n) {
        const std::size_t u = node_of[n];
        Deep& d = m_deep[n - rows];
        d.fail = number[fail[u]];
        d.has_output = has_output(u) ? 1 : 0;
        d.more = static_cast<std::uint32_t>(m_edge.size());
        for (std::int32_t e = trie[u].first_child; e >= 0;
             e = trie[static_cast<std::size_t>(e)].next_sibling) {
            const Building& c = trie[static_cast<std::size_t>(e)];
            if (d.byte_class == k_no_edge) {
                d.byte_class = c.byte_class;
                d.target = number[static_cast<std::size_t>(e)];
            } else {
                m_edge.push_back(Edge{number[static_cast<std::size_t>(e)], c.byte_class});
                ++d.more_count;
            }
        }
    }
}

} // namespace ndr::classifiers
