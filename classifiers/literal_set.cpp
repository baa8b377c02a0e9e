// literal_set.cpp — see literal_set.hpp. Build: the trie with each node's own edges (the root's also as
// a full row), then breadth first each node's failure link, found along its parent's failure chain.
// What a scan keeps: full rows for the root and its children, and every node's own trie edges and
// failure link. (Building the full transition table of every node first cost time in proportion to
// nodes times byte classes: 23M instructions for the reason literals, most of their start-up.)
#include "classifiers/literal_set.hpp"

#include <algorithm>

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

void LiteralSet::build(bool fold_ascii) {
    for (const std::string& text : m_literals)
        for (char ch : text)
            if (std::uint16_t& c = m_class[static_cast<unsigned char>(fold(ch, fold_ascii))]; c == 0)
                c = static_cast<std::uint16_t>(m_classes++);
    if (fold_ascii)
        for (int b = 'A'; b <= 'Z'; ++b)
            m_class[static_cast<std::size_t>(b)] = m_class[static_cast<std::size_t>(b + 32)];
    const std::size_t k = m_classes;

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
    // Each node's own ids in m_ids (by node, then by id), as a scan reports them.
    m_ids_begin.assign(nodes + 1, 0);
    for (std::uint32_t node : end_of)
        ++m_ids_begin[node + 1];
    for (std::size_t n = 0; n < nodes; ++n)
        m_ids_begin[n + 1] += m_ids_begin[n];
    m_ids.assign(end_of.size(), 0);
    {
        std::vector<std::uint32_t> filled(m_ids_begin.begin(), m_ids_begin.end() - 1);
        for (std::size_t id = 0; id < end_of.size(); ++id)
            m_ids[filled[end_of[id]]++] = static_cast<std::uint32_t>(id);
    }
    auto has_own = [&](std::size_t n) { return m_ids_begin[n] != m_ids_begin[n + 1]; };

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

    // The nodes renumbered breadth first (the root stays 0; a failure link always points to a smaller
    // number), with their edges grouped by parent and their ids.
    std::vector<std::uint32_t> number(nodes);
    for (std::size_t i = 0; i < nodes; ++i)
        number[queue[i]] = static_cast<std::uint32_t>(i);
    m_node.assign(nodes, Node{});
    m_edge.clear();
    m_edge.reserve(nodes - 1);
    m_dict.assign(nodes, -1);
    std::vector<std::uint32_t> ids_begin(nodes + 1, 0), ids;
    ids.reserve(m_ids.size());
    for (std::size_t i = 0; i < nodes; ++i) {
        const std::size_t u = queue[i];
        Node& n = m_node[i];
        n.first_edge = static_cast<std::uint32_t>(m_edge.size());
        n.edges = trie[u].children;
        for (std::int32_t e = trie[u].first_child; e >= 0; e = trie[static_cast<std::size_t>(e)].next_sibling)
            m_edge.push_back(Edge{static_cast<std::int32_t>(number[static_cast<std::size_t>(e)]),
                                  trie[static_cast<std::size_t>(e)].byte_class});
        n.fail = static_cast<std::int32_t>(number[fail[u]]);
        n.has_output = u != 0 && (has_own(u) || dict[u] >= 0);
        m_dict[i] = dict[u] < 0 ? -1 : static_cast<std::int32_t>(number[static_cast<std::size_t>(dict[u])]);
        ids_begin[i] = static_cast<std::uint32_t>(ids.size());
        ids.insert(ids.end(), m_ids.begin() + m_ids_begin[u], m_ids.begin() + m_ids_begin[u + 1]);
    }
    ids_begin[nodes] = static_cast<std::uint32_t>(ids.size());
    m_ids_begin = std::move(ids_begin);
    m_ids = std::move(ids);

    // Full rows for the nodes up to k_dense_depth bytes deep (a prefix of the numbering), within
    // k_max_dense_entries: between occurrences a scan is mostly there, and every failure chain ends
    // there. A row: the node's own edges, its failure target's row elsewhere (shallower: done).
    constexpr std::size_t k_dense_depth = 2;
    constexpr std::size_t k_max_dense_entries = 64 * 1024;
    m_dense_nodes = 1;
    while (m_dense_nodes < nodes && depth[queue[m_dense_nodes]] <= k_dense_depth &&
           (m_dense_nodes + 1) * k <= k_max_dense_entries)
        ++m_dense_nodes;
    m_dense.assign(m_dense_nodes * k, 0);
    for (std::size_t i = 0; i < m_dense_nodes; ++i) {
        const Node& n = m_node[i];
        if (i != 0)
            std::copy_n(m_dense.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(n.fail) * k),
                        k, m_dense.begin() + static_cast<std::ptrdiff_t>(i * k));
        for (std::uint32_t e = n.first_edge; e < n.first_edge + n.edges; ++e)
            m_dense[i * k + m_edge[e].byte_class] = m_edge[e].target;
    }
}

} // namespace ndr::classifiers
