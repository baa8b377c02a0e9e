// literal_set.cpp — see literal_set.hpp. Build: the trie in a full transition table (rows of m_classes
// entries, 0 = no edge), then breadth first each node's missing edges from its failure target's row,
// which is complete by then (the target is shallower). What a scan keeps of that table: the rows of
// the root and its children, and every node's own trie edges and failure link.
#include "classifiers/literal_set.hpp"

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

    std::size_t most_nodes = 1; // the root, and at most one node per literal byte
    for (const std::string& text : m_literals)
        most_nodes += text.size();
    std::vector<std::int32_t> next(most_nodes * k, 0); // node * k + class -> node
    std::vector<std::vector<std::uint32_t>> own(1);
    own.reserve(most_nodes);
    std::vector<Edge> edge_to(1, Edge{0, 0}); // node -> its parent and the class of the edge from there
    edge_to.reserve(most_nodes);
    for (std::size_t id = 0; id < m_literals.size(); ++id) {
        std::size_t node = 0;
        for (char ch : m_literals[id]) {
            const std::uint16_t c = m_class[static_cast<unsigned char>(fold(ch, fold_ascii))];
            const std::size_t slot = node * k + c;
            if (next[slot] == 0) {
                next[slot] = static_cast<std::int32_t>(own.size());
                own.emplace_back();
                edge_to.push_back(Edge{static_cast<std::int32_t>(node), c});
            }
            node = static_cast<std::size_t>(next[slot]);
        }
        own[node].push_back(static_cast<std::uint32_t>(id));
    }
    const std::size_t nodes = own.size();
    next.resize(nodes * k);
    m_literals.clear();
    m_literals.shrink_to_fit();

    std::vector<std::size_t> fail(nodes, 0), queue{0};
    queue.reserve(nodes);
    m_dict.assign(nodes, -1);
    for (std::size_t head = 0; head < queue.size(); ++head) {
        const std::size_t u = queue[head];
        const std::size_t f = fail[u];
        // The root's own ids (the empty literal) are reported once per scan, not on every chain.
        if (u != 0) m_dict[u] = f != 0 && !own[f].empty() ? static_cast<std::int32_t>(f) : m_dict[f];
        for (std::size_t c = 1; c < k; ++c) {
            std::int32_t& to = next[u * k + c];
            const std::int32_t via_fail = u == 0 ? 0 : next[f * k + c];
            if (to == 0) {
                to = via_fail;
            } else {
                fail[static_cast<std::size_t>(to)] = static_cast<std::size_t>(via_fail);
                queue.push_back(static_cast<std::size_t>(to));
            }
        }
    }

    // Each node's own trie edges, grouped by parent.
    m_node.assign(nodes, Node{});
    for (std::size_t n = 1; n < nodes; ++n)
        ++m_node[static_cast<std::size_t>(edge_to[n].target)].edges;
    std::uint32_t first = 0;
    for (Node& n : m_node) {
        n.first_edge = first;
        first += n.edges;
    }
    m_edge.resize(nodes - 1);
    std::vector<std::uint32_t> filled(nodes, 0);
    for (std::size_t n = 1; n < nodes; ++n) {
        const auto parent = static_cast<std::size_t>(edge_to[n].target);
        m_edge[m_node[parent].first_edge + filled[parent]++] =
            Edge{static_cast<std::int32_t>(n), edge_to[n].byte_class};
    }
    for (std::size_t n = 0; n < nodes; ++n)
        m_node[n].fail = static_cast<std::int32_t>(fail[n]);
    // Full rows for the root and its children: between occurrences a scan is mostly there, and every
    // failure chain ends there.
    auto keep_row = [&](std::size_t u) {
        m_node[u].dense_row = static_cast<std::int32_t>(m_dense.size() / k);
        m_dense.insert(m_dense.end(), next.begin() + static_cast<std::ptrdiff_t>(u * k),
                       next.begin() + static_cast<std::ptrdiff_t>((u + 1) * k));
    };
    keep_row(0);
    for (std::uint32_t e = 0; e < m_node[0].edges; ++e)
        keep_row(static_cast<std::size_t>(m_edge[e].target));
    m_ids_begin.assign(nodes + 1, 0);
    for (std::size_t n = 0; n < nodes; ++n) {
        m_ids_begin[n] = static_cast<std::uint32_t>(m_ids.size());
        m_ids.insert(m_ids.end(), own[n].begin(), own[n].end());
        m_node[n].has_output = n != 0 && (!own[n].empty() || m_dict[n] >= 0);
    }
    m_ids_begin[nodes] = static_cast<std::uint32_t>(m_ids.size());
}

} // namespace ndr::classifiers
