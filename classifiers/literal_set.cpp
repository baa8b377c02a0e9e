// literal_set.cpp — see literal_set.hpp. Build: the trie in the transition table (rows of m_classes
// entries, 0 = no edge), then breadth first each node's missing edges from its failure target's row,
// which is complete by then (the target is shallower).
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
    m_next.assign(most_nodes * k, 0);
    std::vector<std::vector<std::uint32_t>> own(1);
    own.reserve(most_nodes);
    for (std::size_t id = 0; id < m_literals.size(); ++id) {
        std::size_t node = 0;
        for (char ch : m_literals[id]) {
            const std::size_t slot = node * k + m_class[static_cast<unsigned char>(fold(ch, fold_ascii))];
            if (m_next[slot] == 0) {
                m_next[slot] = static_cast<std::int32_t>(own.size());
                own.emplace_back();
            }
            node = static_cast<std::size_t>(m_next[slot]);
        }
        own[node].push_back(static_cast<std::uint32_t>(id));
    }
    const std::size_t nodes = own.size();
    m_next.resize(nodes * k);
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
            std::int32_t& next = m_next[u * k + c];
            const std::int32_t via_fail = u == 0 ? 0 : m_next[f * k + c];
            if (next == 0) {
                next = via_fail;
            } else {
                fail[static_cast<std::size_t>(next)] = static_cast<std::size_t>(via_fail);
                queue.push_back(static_cast<std::size_t>(next));
            }
        }
    }

    m_ids_begin.assign(nodes + 1, 0);
    m_has_output.assign(nodes, 0);
    for (std::size_t n = 0; n < nodes; ++n) {
        m_ids_begin[n] = static_cast<std::uint32_t>(m_ids.size());
        m_ids.insert(m_ids.end(), own[n].begin(), own[n].end());
        m_has_output[n] = n != 0 && (!own[n].empty() || m_dict[n] >= 0);
    }
    m_ids_begin[nodes] = static_cast<std::uint32_t>(m_ids.size());
}

} // namespace ndr::classifiers
