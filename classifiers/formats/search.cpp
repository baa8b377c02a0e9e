// search.cpp — the one-pass phrase index of a message's text (see search.hpp).
//
// The automaton: a trie of the first k_depth bytes of each phrase of needles.hpp, ASCII letters
// folded, completed into a full transition table (one entry per byte class: the bytes that occur in
// those prefixes, and one class for every other byte). A phrase that is longer than k_depth is a
// candidate where its prefix ends: the rest is compared with the text there. The table is small
// (672 states x 33 classes x 2 bytes, ~44 KB: it fits in L1), and the states where phrases or
// prefixes end are numbered from a power of two on, so one comparison of the bitwise or of several
// rows tells whether any of them needs a look.
//
// A scan steps four streams at once over one sequence of bytes (the text, then the From and
// Subject values, each after a NUL), each stream over its own quarter of it (64 KiB at a time):
// no prefix is longer than k_depth, so a stream that starts k_depth - 1 bytes before its share,
// from the root, is in the exact state when its share starts, and it keeps only what it finds from
// there on. The streams' table loads do not depend on each other: the CPU overlaps them (one
// stream waits on each load in turn). Their findings are read in stream order: the hits come in
// text order. The line starts are found in a pass of their own (SSE2 compares, 64 bytes a mask).
// The automaton is built once, immutable afterwards, safe from any thread.
#include "classifiers/formats/search.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstring>
#include <deque>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ndr::classifiers::formats {

namespace {

constexpr char fold(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// The trie holds each phrase's first k_depth bytes: deeper, the table grows; shallower, more prefixes
// are found where the phrase is not (8 bytes: 8.1 candidates per corpus message, 12 bytes: 5.0).
constexpr std::size_t k_depth = 12;

namespace bound {

// The trie's states: its distinct folded prefixes of at most k_depth bytes, and the empty one. Phrase
// i adds those of its prefixes longer than the longest one an earlier phrase has too. (One common
// prefix per pair of phrases: clang's constant evaluator gives up on a comparison per length.)
consteval std::size_t states() {
    std::size_t n = 1;
    for (std::size_t i = 0; i < k_needle_count; ++i) {
        const std::size_t depth = std::min(k_depth, k_needles[i].size());
        std::size_t shared = 0;
        for (std::size_t j = 0; j < i && shared < depth; ++j) {
            const std::size_t most = std::min(depth, k_needles[j].size());
            std::size_t len = 0;
            while (len < most && fold(k_needles[i][len]) == fold(k_needles[j][len]))
                ++len;
            shared = std::max(shared, len);
        }
        n += depth - shared;
    }
    return n;
}

// The byte classes: the distinct folded bytes of those prefixes, and one for every other byte.
consteval std::size_t classes() {
    std::array<bool, 256> used{};
    std::size_t n = 1;
    for (std::string_view s : k_needles)
        for (std::size_t i = 0; i < std::min(k_depth, s.size()); ++i) {
            const auto b = static_cast<unsigned char>(fold(s[i]));
            n += used[b] ? 0 : 1;
            used[b] = true;
        }
    return n;
}

// No phrase holds a NUL byte (a stream that has ended reads them).
consteval bool no_nul() {
    for (std::string_view s : k_needles)
        if (s.find('\0') != std::string_view::npos) return false;
    return true;
}

} // namespace bound

// The rows are numbered in 16 bits: the plain ones below 0x8000, the flagged ones from it on.
static_assert(bound::states() * bound::classes() <= 0x8000,
              "search.cpp: the phrase automaton's rows no longer fit in 16 bits");
static_assert(k_needle_count < 0x8000);
static_assert(bound::no_nul());

struct Automaton {
    std::array<std::uint8_t, 256> byte_class{}; // 0: a byte no prefix holds
    std::uint32_t classes = 1;
    // A state is kept as its row's offset, state * classes: row + class -> the next state's row.
    std::vector<std::uint16_t> next;
    // The rows from k_flagged on are those where something ends (the others are below it: one test of
    // the bitwise or of several rows).
    static constexpr std::uint32_t k_flagged = 0x8000;
    // What ends in flagged row r: out[out_begin[f], out_begin[f + 1]), f = (r - k_flagged) / classes;
    // an entry is a phrase id, with k_verify set when only the phrase's first k_depth bytes ended
    // there (the rest is compared with the text).
    std::vector<std::uint32_t> out_begin;
    std::vector<std::uint16_t> out;
    static constexpr std::uint16_t k_verify = 0x8000;
    std::array<std::uint8_t, k_needle_count> length{};
    // The rest of a phrase longer than k_depth, in 8-byte words from byte k_depth on (the last one
    // ends with the phrase; it may overlap the one before): the folded bytes, and 0x20 where a byte
    // is a letter. A text word w matches when (w | mask) == folded. Phrase id's words are
    // rest[rest_begin[id], rest_begin[id + 1]).
    struct Word {
        std::uint64_t folded, mask;
    };
    std::vector<Word> rest;
    std::array<std::uint16_t, k_needle_count + 1> rest_begin{};

    Automaton() {
        // Byte classes of the folded prefixes; an upper-case letter shares its lower-case class.
        for (std::string_view n : k_needles)
            for (char c : n.substr(0, k_depth)) {
                const auto b = static_cast<unsigned char>(fold(c));
                if (byte_class[b] == 0) byte_class[b] = static_cast<std::uint8_t>(classes++);
            }
        for (int c = 'A'; c <= 'Z'; ++c)
            byte_class[static_cast<std::size_t>(c)] = byte_class[static_cast<std::size_t>(c + 32)];

        // The trie, with -1 for a missing edge; `own` lists what ends in each state.
        std::vector<std::int32_t> go(classes, -1);
        std::vector<std::vector<std::uint16_t>> own(1);
        for (std::size_t id = 0; id < k_needle_count; ++id) {
            const std::string_view n = k_needles[id];
            length[id] = static_cast<std::uint8_t>(n.size());
            std::size_t s = 0;
            for (char c : n.substr(0, k_depth)) {
                const std::size_t k = s * classes + byte_class[static_cast<unsigned char>(fold(c))];
                if (go[k] < 0) {
                    go[k] = static_cast<std::int32_t>(own.size());
                    own.emplace_back();
                    go.resize(go.size() + classes, -1);
                }
                s = static_cast<std::size_t>(go[k]);
            }
            own[s].push_back(static_cast<std::uint16_t>(id | (n.size() > k_depth ? k_verify : 0)));
        }
        const std::size_t states = own.size();
        for (std::size_t id = 0; id < k_needle_count; ++id) {
            const std::string_view n = k_needles[id];
            for (std::size_t o = k_depth; o < n.size(); o += 8) {
                const std::size_t at = std::min(o, n.size() - 8); // n.size() > k_depth >= 8
                unsigned char folded[8], mask[8];
                for (std::size_t i = 0; i < 8; ++i) {
                    folded[i] = static_cast<unsigned char>(fold(n[at + i]));
                    mask[i] = folded[i] >= 'a' && folded[i] <= 'z' ? 0x20 : 0;
                }
                Word w;
                std::memcpy(&w.folded, folded, 8);
                std::memcpy(&w.mask, mask, 8);
                rest.push_back(w);
            }
            rest_begin[id + 1] = static_cast<std::uint16_t>(rest.size());
        }

        // Breadth-first: failure links, full transitions, and each state's list (its own, then that
        // of its failure chain: there only whole phrases end, a candidate prefix is k_depth long).
        std::vector<std::uint32_t> full(states * classes, 0);
        std::vector<std::size_t> fail(states, 0);
        std::vector<std::vector<std::uint16_t>> ends(states);
        std::deque<std::size_t> queue;
        std::vector<std::size_t> bfs{0}; // the states, shallow first
        for (std::size_t c = 0; c < classes; ++c)
            if (const std::int32_t t = go[c]; t > 0) {
                full[c] = static_cast<std::uint32_t>(t);
                queue.push_back(static_cast<std::size_t>(t));
            }
        while (!queue.empty()) {
            const std::size_t s = queue.front();
            queue.pop_front();
            bfs.push_back(s);
            ends[s] = own[s];
            for (std::uint16_t e : ends[fail[s]])
                ends[s].push_back(e);
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

        // The plain states' rows first, shallow first (a scan mostly stays near the root); the root's
        // row stays 0 (no phrase is empty). The flagged rows from k_flagged on (the rows between are
        // never read).
        std::vector<std::uint32_t> row_of(states);
        std::uint32_t n_plain = 0;
        for (std::size_t s : bfs)
            if (ends[s].empty()) row_of[s] = n_plain++ * classes;
        std::vector<std::size_t> flagged_states;
        for (std::size_t s : bfs)
            if (!ends[s].empty()) {
                row_of[s] = k_flagged + static_cast<std::uint32_t>(flagged_states.size()) * classes;
                flagged_states.push_back(s);
            }
        next.assign(k_flagged + flagged_states.size() * classes, 0);
        for (std::size_t s = 0; s < states; ++s)
            for (std::size_t c = 0; c < classes; ++c)
                next[row_of[s] + c] = static_cast<std::uint16_t>(row_of[full[s * classes + c]]);
        out_begin.push_back(0);
        for (std::size_t s : flagged_states) {
            out.insert(out.end(), ends[s].begin(), ends[s].end());
            out_begin.push_back(static_cast<std::uint32_t>(out.size()));
        }
    }

    // Calls f(id, end) for each phrase that ends at `end` (exclusive) in the text of `n` bytes at `p`,
    // given that the scan reached flagged row `row` after the byte before `at`. A candidate phrase
    // starts k_depth bytes before `at`.
    template <class F>
    void each_end(std::uint32_t row, const unsigned char* p, std::size_t n, std::size_t at, F&& f) const {
        const std::size_t k = (row - k_flagged) / classes;
        for (std::uint32_t e = out_begin[k]; e < out_begin[k + 1]; ++e) {
            const std::uint16_t id = out[e] & ~k_verify;
            if ((out[e] & k_verify) == 0) {
                f(id, at);
                continue;
            }
            const std::size_t start = at - k_depth, end = start + length[id];
            if (end > n) continue;
            const std::size_t last = rest_begin[id + 1] - 1u;
            bool same = true;
            for (std::size_t w = rest_begin[id]; w <= last && same; ++w) {
                const std::size_t o = w == last ? end - 8 : at + 8 * (w - rest_begin[id]);
                std::uint64_t t;
                std::memcpy(&t, p + o, 8);
                same = (t | rest[w].mask) == rest[w].folded;
            }
            if (same) f(id, end);
        }
    }
};

const Automaton& automaton() {
    static const Automaton a;
    return a;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

constexpr std::size_t k_streams = 4;

// Where one of the four streams landed on a flagged row: the offset after the byte, and the four
// rows there.
struct Flag {
    std::uint32_t at;
    std::array<std::uint16_t, 4> row;
};

// Steps the four streams (stream k's next byte is q[k][i], its row r[k]) from i to `len`, noting in
// flags[0, count) where any of them lands on a flagged row; stops early when the notes are full.
// Returns where it stopped. Out of line and without calls: the loop keeps everything in registers;
// the streams' table loads do not depend on each other.
constexpr std::size_t k_max_flags = 32;
[[gnu::noinline]] std::size_t step4(const Automaton& a, const unsigned char* const* q, std::size_t* r,
                                    std::size_t i, std::size_t len, Flag* flags, std::size_t& count) {
    const std::uint16_t* const next = a.next.data();
    const std::uint8_t* const cls = a.byte_class.data();
    const unsigned char *q0 = q[0], *q1 = q[1], *q2 = q[2], *q3 = q[3];
    std::size_t r0 = r[0], r1 = r[1], r2 = r[2], r3 = r[3];
    Flag* out = flags + count;
    Flag* const full = flags + k_max_flags;
    while (i < len) {
        r0 = next[r0 + cls[q0[i]]];
        r1 = next[r1 + cls[q1[i]]];
        r2 = next[r2 + cls[q2[i]]];
        r3 = next[r3 + cls[q3[i]]];
        ++i;
        if (((r0 | r1) | (r2 | r3)) & Automaton::k_flagged) [[unlikely]] {
            *out++ = Flag{static_cast<std::uint32_t>(i),
                          {static_cast<std::uint16_t>(r0), static_cast<std::uint16_t>(r1),
                           static_cast<std::uint16_t>(r2), static_cast<std::uint16_t>(r3)}};
            if (out == full) break;
        }
    }
    r[0] = r0;
    r[1] = r1;
    r[2] = r2;
    r[3] = r3;
    count = static_cast<std::size_t>(out - flags);
    return i;
}

// The bytes the four streams read: the text, then each short text after a NUL byte (no phrase holds
// one: a NUL takes the automaton back to the root), as one sequence V. Stream k finds what ends in
// its share of V, the bytes [k * share, (k + 1) * share); it starts k_depth - 1 bytes before that
// (from the root: after that many bytes its state is exact, no prefix is longer) and reads
// `width` = share + k_depth - 1 bytes: the four streams step together from start to end. A stream
// reads the text itself where it can, else a copy of its bytes of V with zeros after them.
class Lanes {
  public:
    struct Segment {
        const unsigned char* p;
        std::size_t size;
        std::size_t begin; // its offset in V
    };

    Lanes(const Segment* segments, std::size_t count)
        : m_seg(segments), m_count(count), m_total(segments[count - 1].begin + segments[count - 1].size) {}

    // Scans V, calling on_flag(row, v) for each flagged row that a stream reaches after the byte
    // before offset v of V, in its share: in order of v. A long V is scanned k_window bytes at a
    // time (what is noted between the steps and the calls stays small).
    template <class F> void scan(const Automaton& a, F&& on_flag) {
        for (std::size_t from = 0; from < m_total; from += k_window)
            scan_window(a, from, std::min(from + k_window, m_total), on_flag);
    }

    // Which segment offset v of V (after a byte of V, not after a NUL) falls in, and where in it.
    std::size_t segment_of(std::size_t v, std::size_t& at) const {
        std::size_t s = 0;
        while (s + 1 < m_count && v > m_seg[s + 1].begin)
            ++s;
        at = v - m_seg[s].begin;
        return s;
    }

  private:
    static constexpr std::size_t k_window = 64 * 1024;

    // The shares of V[from, to): stream k's is [lo(k), hi(k)); it reads `width` bytes from start(k).
    struct Window {
        std::size_t from, to, share, width;
        std::size_t lo(std::size_t k) const { return from + k * share; }
        std::size_t hi(std::size_t k) const { return std::min(lo(k + 1), to); }
        std::size_t start(std::size_t k) const { return lo(k) < k_depth ? 0 : lo(k) - (k_depth - 1); }
    };

    template <class F> void scan_window(const Automaton& a, std::size_t from, std::size_t to, F& on_flag) {
        const std::size_t share = (to - from + k_streams - 1) / k_streams;
        const Window w{from, to, share, share + k_depth - 1};
        const std::size_t n = m_seg[0].size; // the text: read in place where a stream fits in it
        std::size_t copies = 0;
        for (std::size_t k = 0; k < k_streams; ++k)
            copies += w.start(k) + w.width > n ? 1 : 0;
        std::array<unsigned char, 4096> local; // most texts: the copy of the last stream's bytes
        std::vector<unsigned char> heap;
        unsigned char* buffer = local.data();
        if (copies * w.width > local.size()) {
            heap.resize(copies * w.width);
            buffer = heap.data();
        }
        std::memset(buffer, 0, copies * w.width);
        const unsigned char* q[k_streams];
        for (std::size_t k = 0; k < k_streams; ++k) {
            if (w.start(k) + w.width <= n) {
                q[k] = m_seg[0].p + w.start(k);
                continue;
            }
            copy(w.start(k), w.hi(k), buffer);
            q[k] = buffer;
            buffer += w.width;
        }
        // The flags in order of the steps (past the first k_max_flags, on the heap).
        std::size_t r[k_streams] = {};
        Flag flags[k_max_flags];
        std::vector<Flag> more;
        std::size_t count = 0;
        for (std::size_t i = 0; i < w.width;) {
            i = step4(a, q, r, i, w.width, flags, count);
            if (count == k_max_flags) {
                more.insert(more.end(), flags, flags + count);
                count = 0;
            }
        }
        // Stream by stream, what each finds in its share.
        for (std::size_t k = 0; k < k_streams; ++k) {
            const auto look = [&](const Flag& f) {
                if (f.row[k] < Automaton::k_flagged) return;
                if (const std::size_t v = w.start(k) + f.at; v > w.lo(k) && v <= w.hi(k))
                    on_flag(f.row[k], v);
            };
            for (const Flag& f : more)
                look(f);
            for (std::size_t f = 0; f < count; ++f)
                look(flags[f]);
        }
    }

    // V[from, to) to out (zeros where V has its NULs and past `to`: out is zeroed).
    void copy(std::size_t from, std::size_t to, unsigned char* out) const {
        for (std::size_t s = 0; s < m_count; ++s) {
            const std::size_t lo = std::max(from, m_seg[s].begin);
            const std::size_t hi = std::min(to, m_seg[s].begin + m_seg[s].size);
            if (lo < hi) std::memcpy(out + (lo - from), m_seg[s].p + (lo - m_seg[s].begin), hi - lo);
        }
    }

    const Segment* m_seg;
    std::size_t m_count;
    std::size_t m_total;
};

// The line starts as next_line() splits the text: 0, and after each '\n' that is not the last byte.
// 64 bytes at a time: one mask of their '\n's, then one entry per bit.
void find_line_starts(std::string_view text, std::vector<std::uint32_t>& starts) {
    const std::size_t n = text.size();
    const auto* const p = reinterpret_cast<const unsigned char*>(text.data());
    starts.resize(n / 32 + 64);
    std::uint32_t* out = starts.data();
    std::size_t w = 0, i = 0;
    out[w++] = 0;
    const auto add = [&](std::uint64_t mask) {
        if (w + 64 > starts.size()) {
            starts.resize(starts.size() * 2);
            out = starts.data();
        }
        for (; mask != 0; mask &= mask - 1)
            out[w++] = static_cast<std::uint32_t>(i + static_cast<std::size_t>(std::countr_zero(mask)) + 1);
    };
#if defined(__SSE2__)
    const auto mask64 = [](const unsigned char* b) {
        const __m128i nl = _mm_set1_epi8('\n');
        const auto mask16 = [&](std::size_t k) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + k));
            return static_cast<std::uint64_t>(
                static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl))));
        };
        return mask16(0) | mask16(16) << 16 | mask16(32) << 32 | mask16(48) << 48;
    };
#else
    const auto mask64 = [](const unsigned char* b) {
        std::uint64_t mask = 0;
        for (std::size_t k = 0; k < 64; ++k)
            mask |= static_cast<std::uint64_t>(b[k] == '\n') << k;
        return mask;
    };
#endif
    for (; i + 64 <= n; i += 64)
        add(mask64(p + i));
    if (i < n) { // the last bytes, from a copy padded with zeros
        unsigned char last[64]{};
        std::memcpy(last, p + i, n - i);
        add(mask64(last));
    }
    if (out[w - 1] == n) --w; // a '\n' last starts no line
    starts.resize(w);
}

// What index_text() gathers besides the line starts: the phrases' hits, at most one per phrase and line.
class Hits {
  public:
    Hits(std::string_view text, NeedleIndex& index)
        : m_text(reinterpret_cast<const unsigned char*>(text.data())), m_n(text.size()), m_index(index) {}

    // Phrase `id` ends at offset `end` (exclusive) on line `line`. Hits come in text order (by where
    // the scan found them).
    void add(std::uint16_t id, std::uint32_t end, std::uint32_t line) {
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
                m_first_text = m_index.line_starts[line];
                while (m_first_text < m_n && is_blank(static_cast<char>(m_text[m_first_text])))
                    ++m_first_text;
            }
            if (end - k_needles[id].size() == m_first_text) {
                m_marker_line = line;
                m_index.marker_lines.push_back(line);
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

void index_text(std::string_view text, NeedleIndex& index, std::span<const PhraseQuery> queries) {
    const Automaton& a = automaton();
    index.line_starts.clear();
    index.lines.clear();
    index.marker_lines.clear();
    index.count.fill(0);
    const std::vector<std::uint32_t>& starts = index.line_starts;
    const std::size_t n = text.size();
    if (n != 0) find_line_starts(text, index.line_starts);

    // V: the text, then the short texts.
    const std::size_t nq = std::min(queries.size(), k_max_queries);
    const auto* const p = reinterpret_cast<const unsigned char*>(text.data());
    Lanes::Segment segments[1 + k_max_queries];
    segments[0] = {p, n, 0};
    for (std::size_t k = 0; k < nq; ++k) {
        const std::string_view t = queries[k].text;
        queries[k].found->reset();
        segments[k + 1] = {reinterpret_cast<const unsigned char*>(t.data()), t.size(),
                           segments[k].begin + segments[k].size + 1};
    }
    Lanes lanes(segments, nq + 1);

    // The text's hits come first, in text order; a monotone cursor finds each one's line.
    Hits hits(text, index);
    std::uint32_t line = 0;
    lanes.scan(a, [&](std::uint32_t row, std::size_t v) {
        std::size_t at;
        const std::size_t s = lanes.segment_of(v, at);
        if (s == 0) {
            while (line + 1 < starts.size() && starts[line + 1] < at)
                ++line;
            a.each_end(row, p, n, at, [&](std::uint16_t id, std::size_t end) {
                hits.add(id, static_cast<std::uint32_t>(end), line);
            });
        } else {
            PhraseSet& found = *queries[s - 1].found;
            a.each_end(row, segments[s].p, segments[s].size, at,
                       [&](std::uint16_t id, std::size_t) { found.set(id); });
        }
    });
    hits.finish();
    // More short texts than k_max_queries: the rest in another pass.
    if (nq < queries.size()) {
        NeedleIndex none;
        index_text({}, none, queries.subspan(nq));
    }
}

} // namespace ndr::classifiers::formats
