// search.cpp — the one-pass phrase index of a message's text (see search.hpp).
//
// The automaton: a trie of the phrases of needles.hpp with ASCII letters folded, completed into a full
// transition table (each state's row has one entry per byte class: the bytes that occur in some
// phrase, one class for '\n', one for every other byte). A scan is one table step per byte; the
// states that need a look are numbered last, so the loop tests one comparison per byte:
//  - the "line start" state, a copy of the root that every '\n' leads to (no phrase holds a '\n'),
//  - the states where phrases end (their own and their failure chain's, listed per state).
// About 2,700 states x 34 classes x 4 bytes (a scan touches few of the rows: the root's and those of
// the phrases' first bytes); built once, immutable afterwards, safe from any thread.
#include "classifiers/formats/search.hpp"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <limits>

namespace ndr::classifiers::formats {

namespace {

char fold(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

struct Automaton {
    std::array<std::uint8_t, 256> byte_class{}; // 0: a byte no phrase holds; 1: '\n'
    std::uint32_t classes = 2;
    // A state is kept as its row's offset, state * classes (one addition per step instead of a
    // multiplication): row + class -> the next state's row.
    std::vector<std::uint32_t> next;
    std::uint32_t first_flagged = 0; // rows >= this are the line-start state's or end phrases
    std::uint32_t line_start = 0;    // the row of the state after a '\n'
    // Phrases ending in flagged state s: ids[ids_begin[s - f], ids_begin[s - f + 1]), f = first flagged
    // state.
    std::vector<std::uint32_t> ids_begin;
    std::vector<std::uint16_t> ids;
    std::array<std::uint8_t, k_needle_count> length{};

    Automaton() {
        // Byte classes of the folded phrases; an upper-case letter shares its lower-case class.
        byte_class['\n'] = 1;
        for (std::string_view n : k_needles)
            for (char c : n) {
                const auto b = static_cast<unsigned char>(fold(c));
                if (byte_class[b] == 0) byte_class[b] = static_cast<std::uint8_t>(classes++);
            }
        for (int c = 'A'; c <= 'Z'; ++c)
            byte_class[static_cast<std::size_t>(c)] = byte_class[static_cast<std::size_t>(c + 32)];

        // The trie, with -1 for a missing edge.
        std::vector<std::int32_t> go(classes, -1);
        std::vector<std::vector<std::uint16_t>> own(1);
        for (std::size_t id = 0; id < k_needle_count; ++id) {
            const std::string_view n = k_needles[id];
            length[id] = static_cast<std::uint8_t>(n.size());
            std::size_t s = 0;
            for (char c : n) {
                const std::size_t k = s * classes + byte_class[static_cast<unsigned char>(fold(c))];
                if (go[k] < 0) {
                    go[k] = static_cast<std::int32_t>(own.size());
                    own.emplace_back();
                    go.resize(go.size() + classes, -1);
                }
                s = static_cast<std::size_t>(go[k]);
            }
            own[s].push_back(static_cast<std::uint16_t>(id));
        }
        const std::size_t trie_states = own.size();
        // One more state: the line start, a copy of the root.
        const std::size_t states = trie_states + 1;
        const std::size_t nl = trie_states;

        // Breadth-first: failure links, full transitions, and each state's phrases (its own, then
        // those of its failure chain).
        std::vector<std::uint32_t> full(states * classes, 0);
        std::vector<std::size_t> fail(trie_states, 0);
        std::vector<std::vector<std::uint16_t>> out(states);
        std::deque<std::size_t> queue;
        std::vector<std::size_t> bfs{0}; // the trie's states, shallow first
        for (std::size_t c = 0; c < classes; ++c) {
            const std::int32_t t = go[c];
            if (t > 0) {
                full[c] = static_cast<std::uint32_t>(t);
                fail[static_cast<std::size_t>(t)] = 0;
                queue.push_back(static_cast<std::size_t>(t));
            }
        }
        out[0] = own[0];
        while (!queue.empty()) {
            const std::size_t s = queue.front();
            queue.pop_front();
            bfs.push_back(s);
            out[s] = own[s];
            for (std::uint16_t id : out[fail[s]])
                out[s].push_back(id);
            for (std::size_t c = 0; c < classes; ++c) {
                const std::int32_t t = go[s * classes + c];
                if (t > 0) {
                    full[s * classes + c] = static_cast<std::uint32_t>(t);
                    fail[static_cast<std::size_t>(t)] = full[fail[s] * classes + c];
                    queue.push_back(static_cast<std::size_t>(t));
                } else {
                    full[s * classes + c] = full[fail[s] * classes + c];
                }
            }
        }
        // No phrase holds a '\n': from every state it leads to the line start, which goes on as the root.
        for (std::size_t c = 0; c < classes; ++c)
            full[nl * classes + c] = full[c];
        for (std::size_t s = 0; s < states; ++s)
            full[s * classes + 1] = static_cast<std::uint32_t>(nl);

        // The plain states' rows first, shallow first (a scan mostly stays near the root: those rows
        // share cache lines); the root's row stays 0 (no phrase is empty). The flagged rows last.
        bfs.push_back(nl);
        std::vector<std::uint32_t> row_of(states);
        std::uint32_t n_plain = 0;
        for (std::size_t s : bfs)
            if (s != nl && out[s].empty()) row_of[s] = n_plain++ * classes;
        first_flagged = n_plain * classes;
        std::vector<std::size_t> flagged;
        for (std::size_t s : bfs)
            if (s == nl || !out[s].empty()) {
                row_of[s] = first_flagged + static_cast<std::uint32_t>(flagged.size()) * classes;
                flagged.push_back(s);
            }
        line_start = row_of[nl];
        next.assign(first_flagged + flagged.size() * classes, 0);
        for (std::size_t s = 0; s < states; ++s)
            for (std::size_t c = 0; c < classes; ++c)
                next[row_of[s] + c] = row_of[full[s * classes + c]];
        ids_begin.push_back(0);
        for (std::size_t s : flagged) {
            ids.insert(ids.end(), out[s].begin(), out[s].end());
            ids_begin.push_back(static_cast<std::uint32_t>(ids.size()));
        }
    }
};

const Automaton& automaton() {
    static const Automaton a;
    return a;
}

static_assert(k_needle_count < std::numeric_limits<std::uint16_t>::max());

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

} // namespace

namespace {

// Steps through p[i, n) from `row` until a step lands on a flagged row; returns the offset after that
// byte (n at the end of the text, `row` then not flagged). No calls inside: the loop keeps everything
// in registers, one table step per byte, four bytes per round.
std::size_t scan_to_flag(const Automaton& a, const unsigned char* p, std::size_t i, std::size_t n,
                         std::size_t& row_io) {
    const std::uint32_t* const next = a.next.data();
    const std::uint8_t* const cls = a.byte_class.data();
    const std::size_t flagged = a.first_flagged;
    std::size_t row = row_io;
    // One step; true (rarely) when it lands on a flagged row.
    const auto flagged_at = [&](std::size_t k) {
        row = next[row + cls[p[k]]];
        return __builtin_expect(row >= flagged, 0) != 0;
    };
    const auto stop = [&](std::size_t at) {
        row_io = row;
        return at;
    };
    for (; i + 8 <= n; i += 8) {
        if (flagged_at(i)) return stop(i + 1);
        if (flagged_at(i + 1)) return stop(i + 2);
        if (flagged_at(i + 2)) return stop(i + 3);
        if (flagged_at(i + 3)) return stop(i + 4);
        if (flagged_at(i + 4)) return stop(i + 5);
        if (flagged_at(i + 5)) return stop(i + 6);
        if (flagged_at(i + 6)) return stop(i + 7);
        if (flagged_at(i + 7)) return stop(i + 8);
    }
    for (; i < n; ++i)
        if (flagged_at(i)) return stop(i + 1);
    return stop(n);
}

// What index_text() gathers besides the line starts: the phrases' hits, at most one per phrase and line.
class Hits {
  public:
    Hits(const Automaton& a, std::string_view text, NeedleIndex& index)
        : m_a(a), m_text(reinterpret_cast<const unsigned char*>(text.data())), m_n(text.size()),
          m_index(index) {}

    // The phrases that end at offset `end` (exclusive) in flagged row `row`; the line is the last one
    // started. Out of line: the scan loop stays small.
    [[gnu::noinline]] void add(std::uint32_t row, std::uint32_t end) {
        const std::vector<std::uint32_t>& starts = m_index.line_starts;
        const auto line = static_cast<std::uint32_t>(starts.size() - 1);
        const std::size_t f = (row - m_a.first_flagged) / m_a.classes;
        for (std::uint32_t k = m_a.ids_begin[f]; k < m_a.ids_begin[f + 1]; ++k) {
            const std::uint16_t id = m_a.ids[k];
            std::uint32_t& count = m_index.count[id];
            if (count == 0) {
                m_index.first_end[id] = end;
                m_seen[m_seen_count++] = id;
            }
            if (count == 0 || m_last_line[id] != line) {
                m_last_line[id] = line;
                if (m_few_count < m_few.size())
                    m_few[m_few_count++] = {line, id};
                else
                    m_more.push_back({line, id});
                ++count;
            }
            if (id < k_marker_count && m_marker_line != line) {
                if (m_blank_line != line) {
                    m_blank_line = line;
                    m_first_text = starts.back();
                    while (m_first_text < m_n && is_blank(static_cast<char>(m_text[m_first_text])))
                        ++m_first_text;
                }
                if (end - m_a.length[id] == m_first_text) {
                    m_marker_line = line;
                    m_index.marker_lines.push_back(line);
                }
            }
        }
    }

    // Hits come line by line: a stable counting sort by phrase keeps each phrase's lines ascending.
    // Only the phrases that occur get a range.
    void finish() {
        std::uint32_t total = 0;
        for (std::size_t k = 0; k < m_seen_count; ++k) {
            const std::uint16_t id = m_seen[k];
            m_index.begin[id] = total;
            m_last_line[id] = total; // now the next free slot of the phrase
            total += m_index.count[id];
        }
        m_index.lines.resize(total);
        for (std::size_t k = 0; k < m_few_count; ++k)
            m_index.lines[m_last_line[m_few[k].id]++] = m_few[k].line;
        for (const Hit& h : m_more)
            m_index.lines[m_last_line[h.id]++] = h.line;
    }

  private:
    struct Hit {
        std::uint32_t line;
        std::uint16_t id;
    };
    static constexpr std::uint32_t k_none = 0xFFFFFFFF;

    const Automaton& m_a;
    const unsigned char* m_text;
    std::size_t m_n;
    NeedleIndex& m_index;
    // The hits in order: the first ones in the object (a message has a few), the rest on the heap.
    std::array<Hit, 64> m_few;
    std::size_t m_few_count = 0;
    std::vector<Hit> m_more;
    std::array<std::uint32_t, k_needle_count> m_last_line; // set with a phrase's first hit
    std::array<std::uint16_t, k_needle_count> m_seen;      // the phrases that occur, by first hit
    std::size_t m_seen_count = 0;
    std::uint32_t m_marker_line = k_none; // the last line found to start with a marker
    std::uint32_t m_blank_line = k_none;  // the line whose first non-blank offset is known
    std::uint32_t m_first_text = 0;       // that offset
};

} // namespace

namespace {

// Runs the automaton over `text`, calling on_flag(row, end) at each flagged row: a line start, or
// phrases ending at offset `end` (exclusive).
template <class F> void for_each_flag(const Automaton& a, std::string_view text, F&& on_flag) {
    const std::size_t n = text.size();
    const auto* const p = reinterpret_cast<const unsigned char*>(text.data());
    std::size_t i = 0, row = 0;
    while (i < n) {
        i = scan_to_flag(a, p, i, n, row);
        if (row < a.first_flagged) break; // the end of the text
        on_flag(row, i);
    }
}

} // namespace

void index_text(std::string_view text, NeedleIndex& index) {
    const Automaton& a = automaton();
    index.line_starts.clear();
    index.lines.clear();
    index.marker_lines.clear();
    index.count.fill(0);
    if (text.empty()) return;
    Hits hits(a, text, index);
    std::vector<std::uint32_t>& starts = index.line_starts;
    starts.reserve(text.size() / 32 + 1);
    starts.push_back(0);
    for_each_flag(a, text, [&](std::size_t row, std::size_t i) {
        if (row != a.line_start)
            hits.add(static_cast<std::uint32_t>(row), static_cast<std::uint32_t>(i));
        else if (i < text.size())
            starts.push_back(static_cast<std::uint32_t>(i));
    });
    hits.finish();
}

void find_phrases(std::string_view text, PhraseSet& found) {
    const Automaton& a = automaton();
    found.reset();
    for_each_flag(a, text, [&](std::size_t row, std::size_t) {
        if (row == a.line_start) return;
        const std::size_t f = (row - a.first_flagged) / a.classes;
        for (std::uint32_t k = a.ids_begin[f]; k < a.ids_begin[f + 1]; ++k)
            found.set(a.ids[k]);
    });
}

} // namespace ndr::classifiers::formats
