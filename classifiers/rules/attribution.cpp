// attribution.cpp — per record: mask what the sender controls, match the rest against the rule set, fill
// the verdict's list hits, provider and receiver-resolver flag; plus the DQS-key scrubber.
//
// Input: hostile NDR text. Only the record's diagnostic (remote- or reporting-server text, already
// capped at k_max_diagnostic_bytes by the parser) is looked at, capped again at k_max_match_text_bytes;
// the returned original is never scanned, only its Subject/From/To are used as strings to mask. Every
// scan here is linear: backward scans stop at the previous '@' and at k_max_mask_scan bytes.
#include "classifiers/rules/attribution.hpp"

#include <algorithm>
#include <cstring>

#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::rules {

namespace {

// How far back from an '@' the masker looks for the start of a quoted or <...> local part, and the
// longest sender string searched for as a whole.
constexpr std::size_t k_max_mask_scan = 256;
// Recipient local parts at least this long (or with odd characters) are masked wherever they appear.
constexpr std::size_t k_min_bare_local_part = 12;

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// RFC 5322 atext, plus '.' (dot-atom).
bool is_atext(char c) {
    if (is_alnum(c)) return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '/':
    case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}': case '~': case '.':
        return true;
    default:
        return false;
    }
}

class Masker {
  public:
    explicit Masker(std::string_view text) : m_text(text), m_out(text) {}

    void mask(std::size_t begin, std::size_t end) {
        end = std::min(end, m_out.size());
        for (std::size_t i = begin; i < end; ++i)
            if (m_out[i] != '\n') m_out[i] = '*';
    }

    // Every case-insensitive occurrence of s (searched by its first k_max_mask_scan bytes). ASCII case
    // folding with ifind()/iequals(), as on lower-cased copies before (without making them).
    void mask_occurrences(std::string_view s) {
        const std::string_view needle = s.substr(0, std::min(s.size(), k_max_mask_scan));
        if (needle.size() < 3) return;
        const std::size_t at = needle.find('@');
        std::size_t pos = 0;
        while ((pos = at == std::string_view::npos
                          ? ifind(m_text, needle, pos)
                          : find_at_sign(needle, at, pos)) != std::string_view::npos) {
            std::size_t len = s.size() > needle.size() && iequals(m_text.substr(pos, s.size()), s)
                                  ? s.size()
                                  : needle.size();
            mask(pos, pos + len);
            pos += len;
        }
    }

    void mask_local_parts() {
        std::size_t floor = 0;
        for (std::size_t at = m_text.find('@'); at != std::string_view::npos; at = m_text.find('@', at + 1)) {
            std::size_t start = local_part_start(at, floor);
            mask(start, at);
            floor = at + 1;
        }
    }

    void mask_subjects() {
        std::size_t pos = 0;
        while ((pos = ifind(m_text, "subject", pos)) != std::string_view::npos) {
            std::size_t i = pos + 7;
            pos = i;
            while (i < m_text.size() && (m_text[i] == ' ' || m_text[i] == '\t')) ++i;
            if (i >= m_text.size()) break;
            std::size_t eol = m_text.find('\n', i);
            if (eol == std::string_view::npos) eol = m_text.size();
            if (m_text[i] == ':') {
                mask(i + 1, eol);
                pos = eol;
            } else if (m_text[i] == '"' || m_text[i] == '\'') {
                std::size_t close = m_text.find(m_text[i], i + 1);
                std::size_t end = (close == std::string_view::npos || close > eol) ? eol : close + 1;
                mask(i, end);
                pos = end;
            }
        }
    }

    std::string take() { return std::move(m_out); }

  private:
    // ifind(m_text, needle, from) for a needle with an '@' at `at`: only the text's '@' (few, and
    // without case) are tried as that byte of an occurrence, in order.
    std::size_t find_at_sign(std::string_view needle, std::size_t at, std::size_t from) const {
        if (needle.size() > m_text.size() || from > m_text.size() - needle.size())
            return std::string_view::npos;
        const std::size_t last = m_text.size() - needle.size() + at; // the '@' of the last possible start
        for (std::size_t q = from + at; q <= last;) {
            const void* p = std::memchr(m_text.data() + q, '@', last - q + 1);
            if (p == nullptr) break;
            q = static_cast<std::size_t>(static_cast<const char*>(p) - m_text.data());
            if (iequals(m_text.substr(q - at, needle.size()), needle)) return q - at;
            ++q;
        }
        return std::string_view::npos;
    }

    std::size_t local_part_start(std::size_t at, std::size_t floor) const {
        if (at + 1 >= m_text.size()) return at;
        char next = m_text[at + 1];
        if (!(is_alnum(next) || next == '[' || static_cast<unsigned char>(next) >= 0x80)) return at;
        std::size_t limit = at > floor + k_max_mask_scan ? at - k_max_mask_scan : floor;
        std::size_t start = at;
        if (at > floor && m_text[at - 1] == '"') {
            // Quoted local part: back to the opening quote (an escaped \" does not close it).
            std::size_t j = at - 1;
            bool found = false;
            while (j > limit) {
                --j;
                if (m_text[j] == '"' && (j == 0 || m_text[j - 1] != '\\')) {
                    found = true;
                    break;
                }
            }
            start = found ? j : limit;
        } else {
            while (start > limit && is_atext(m_text[start - 1])) --start;
        }
        // <anything@domain>: everything after the '<' is the sender's, spaces and all.
        for (std::size_t j = start; j > limit;) {
            --j;
            char c = m_text[j];
            if (c == '>' || c == '\n' || c == '@') break;
            if (c == '<') {
                start = j + 1;
                break;
            }
        }
        return start;
    }

    std::string_view m_text;
    std::string m_out;
};

bool odd_local_part(std::string_view local) {
    if (local.size() >= k_min_bare_local_part) return true;
    return std::any_of(local.begin(), local.end(), [](char c) { return !(is_alnum(c) || c == '.' || c == '-' || c == '_'); });
}

} // namespace

std::string mask_sender_controlled(std::string_view text, const std::vector<std::string_view>& sender_strings) {
    Masker m(text);
    for (std::string_view raw : sender_strings) {
        std::string_view s = trim(raw);
        if (s.empty()) continue;
        m.mask_occurrences(s);
        std::size_t at = s.rfind('@');
        if (at == std::string_view::npos || at == 0) continue;
        std::string_view local = s.substr(0, at);
        if (!odd_local_part(local)) continue;
        m.mask_occurrences(local);
        if (local.size() >= 2 && local.front() == '"' && local.back() == '"')
            m.mask_occurrences(local.substr(1, local.size() - 2));
    }
    m.mask_local_parts();
    m.mask_subjects();
    return m.take();
}

std::string scrub_secrets(std::string text) {
    constexpr std::string_view marker = ".dq.spamhaus.";
    constexpr std::size_t k_min_key = 20;
    constexpr std::size_t k_max_key = 64;
    auto is_key_label = [&](std::size_t b, std::size_t e) {
        if (e - b < k_min_key || e - b > k_max_key) return false;
        return b == 0 || (!is_alnum(text[b - 1]) && text[b - 1] != '-');
    };
    // The alnum label ending at `end` (bounded walk): its start.
    auto label_start = [&](std::size_t end) {
        std::size_t b = end;
        while (b > 0 && end - b <= k_max_key && is_alnum(text[b - 1])) --b;
        return b;
    };
    std::vector<std::pair<std::size_t, std::size_t>> keys;
    std::size_t pos = 0;
    while ((pos = ifind(text, marker, pos)) != std::string::npos) {
        std::size_t b = label_start(pos);
        if (is_key_label(b, pos)) {
            keys.emplace_back(b, pos); // <key>.dq.spamhaus.net
        } else {
            // <key>.<zone>.dq.spamhaus.net: skip the zone label (letters, digits, '-').
            std::size_t z = pos;
            while (z > 0 && pos - z <= 63 && (is_alnum(text[z - 1]) || text[z - 1] == '-')) --z;
            if (z < pos && z > 0 && text[z - 1] == '.') {
                std::size_t kb = label_start(z - 1);
                if (is_key_label(kb, z - 1)) keys.emplace_back(kb, z - 1);
            }
        }
        pos += marker.size();
    }
    if (keys.empty()) return text;
    std::string out;
    out.reserve(text.size());
    std::size_t from = 0;
    for (const auto& [b, e] : keys) {
        if (b < from) continue;
        out.append(text, from, b - from);
        out += "<key>";
        from = e;
    }
    out.append(text, from, std::string::npos);
    return out;
}

void attribute(DeliveryReport& report, const Matcher& matcher) {
    try {
        // The original's Subject, From and To, then the record's two addresses (views: the strings
        // stay where they are while the record is masked), listed only for a record that may match
        // (most never do: no allocation for them).
        std::vector<std::string_view> sender;
        for (RecipientRecord& record : report.recipients) {
            Verdict& v = record.verdict;
            v.lists.clear();
            v.provider.clear();
            v.receiver_resolver_error = false;
            if (record.diagnostic.empty()) continue;
            std::string_view text = record.diagnostic;
            if (text.size() > k_max_match_text_bytes) text = text.substr(0, k_max_match_text_bytes);
            // Nothing to find even unmasked (most records): no masking (match_masked() says why).
            MatchResult result = matcher.match_masked(text, [&](std::string_view capped) {
                sender.clear();
                sender.reserve(5);
                if (report.original.present)
                    sender.insert(sender.end(),
                                  {report.original.subject, report.original.from, report.original.to});
                sender.push_back(record.final_recipient);
                sender.push_back(record.original_recipient);
                return mask_sender_controlled(capped, sender);
            });
            // A pattern RE2 could not compile on first use (compiled.hpp): said, not silent.
            if (!result.failed.empty()) report.add_anomaly("attribution-pattern-failed");
            v.receiver_resolver_error = result.receiver_resolver_error;
            for (const ListHit& hit : result.hits) {
                const Blocklist* list = matcher.rules().find(hit.id);
                if (v.provider.empty() && list && list->kind == ListKind::provider_internal) v.provider = hit.id;
            }
            v.lists = std::move(result.hits);
        }
    } catch (const std::exception&) {
        report.add_anomaly("attribution-failed");
    }
}

} // namespace ndr::classifiers::rules
