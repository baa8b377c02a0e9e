// dns_message.cpp — bounds-checked reading of one DNS response. Every loop advances a position inside
// the message or counts towards a cap, so hostile bytes cannot make it run long.
#include "agent/dnsbl/dns_message.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>
#include <string>

#include "classifiers/limits.hpp"

namespace ndr::agent::dnsbl {
namespace {

constexpr std::uint16_t k_type_a = 1;
constexpr std::uint16_t k_type_soa = 6;
constexpr std::uint16_t k_type_ptr = 12;
constexpr std::uint16_t k_type_txt = 16;
constexpr std::uint16_t k_type_aaaa = 28;
constexpr std::uint16_t k_class_in = 1;
constexpr std::size_t k_max_questions = 4;

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> m) : m_msg(m) {}

    std::optional<std::size_t> skip_name(std::size_t pos, std::size_t end) const {
        while (true) {
            if (pos >= end) return std::nullopt;
            std::uint8_t len = m_msg[pos];
            if (len == 0) return pos + 1;
            if ((len & 0xc0) == 0xc0) {
                if (pos + 2 > end) return std::nullopt;
                // RFC 1035 §4.1.4: a pointer names a prior occurrence; one to itself or ahead is a loop.
                const std::size_t target = (static_cast<std::size_t>(len & 0x3f) << 8) | m_msg[pos + 1];
                if (target >= pos) return std::nullopt;
                return pos + 2;
            }
            if ((len & 0xc0) != 0) return std::nullopt;
            pos += 1u + len;
        }
    }
    std::optional<std::uint16_t> u16(std::size_t pos, std::size_t end) const {
        if (pos + 2 > end) return std::nullopt;
        return static_cast<std::uint16_t>((m_msg[pos] << 8) | m_msg[pos + 1]);
    }
    std::optional<std::uint32_t> u32(std::size_t pos, std::size_t end) const {
        if (pos + 4 > end) return std::nullopt;
        return (static_cast<std::uint32_t>(m_msg[pos]) << 24) | (static_cast<std::uint32_t>(m_msg[pos + 1]) << 16) |
               (static_cast<std::uint32_t>(m_msg[pos + 2]) << 8) | m_msg[pos + 3];
    }
    // The name at `pos`, compression pointers followed (each must point before the label that holds it,
    // at most k_max_jumps of them), lower-cased, dot-separated, no trailing dot; at most 255 bytes
    // in wire form. nullopt when it cannot be read; "" for the root.
    std::optional<std::string> read_name(std::size_t pos, std::size_t end) const {
        constexpr int k_max_jumps = 16;
        std::string out;
        std::size_t wire = 1;
        int jumps = 0;
        while (true) {
            if (pos >= end) return std::nullopt;
            const std::uint8_t len = m_msg[pos];
            if (len == 0) return out;
            if ((len & 0xc0) == 0xc0) {
                if (pos + 2 > end || ++jumps > k_max_jumps) return std::nullopt;
                const std::size_t target = (static_cast<std::size_t>(len & 0x3f) << 8) | m_msg[pos + 1];
                if (target >= pos) return std::nullopt;
                pos = target;
                end = m_msg.size(); // a pointer may leave the record it started in
                continue;
            }
            if ((len & 0xc0) != 0 || pos + 1 + len > end) return std::nullopt;
            wire += 1u + len;
            if (wire > 255) return std::nullopt;
            if (!out.empty()) out += '.';
            for (std::size_t k = 0; k < len; ++k) {
                const auto c = static_cast<char>(m_msg[pos + 1 + k]);
                out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
            }
            pos += 1u + len;
        }
    }
    std::size_t size() const { return m_msg.size(); }
    std::uint8_t at(std::size_t i) const { return m_msg[i]; }

private:
    std::span<const std::uint8_t> m_msg;
};

struct Record {
    std::uint16_t type = 0;
    std::uint16_t klass = 0;
    std::uint32_t ttl = 0;
    std::size_t rdata = 0;
    std::size_t rdlen = 0;
    std::size_t next = 0;
};

std::optional<Record> read_record(const Reader& r, std::size_t pos) {
    auto after_name = r.skip_name(pos, r.size());
    if (!after_name) return std::nullopt;
    auto type = r.u16(*after_name, r.size());
    auto klass = r.u16(*after_name + 2, r.size());
    auto ttl = r.u32(*after_name + 4, r.size());
    auto rdlen = r.u16(*after_name + 8, r.size());
    if (!type || !klass || !ttl || !rdlen) return std::nullopt;
    Record rec;
    rec.type = *type;
    rec.klass = *klass;
    rec.ttl = (*ttl & 0x80000000u) ? 0 : *ttl; // RFC 2181 §8: a TTL with the top bit set means zero
    rec.rdata = *after_name + 10;
    rec.rdlen = *rdlen;
    rec.next = rec.rdata + rec.rdlen;
    if (rec.next > r.size()) return std::nullopt;
    return rec;
}

Answer fail(std::string detail) {
    Answer a;
    a.status = AnswerStatus::error;
    a.detail = std::move(detail);
    return a;
}

} // namespace

Answer parse_dns_response(std::span<const std::uint8_t> message, QueryType type) {
    Reader r(message);
    if (message.size() < 12) return fail("malformed answer (short header)");
    if ((message[2] & 0x80) == 0) return fail("malformed answer (not a response)");
    unsigned rcode = message[3] & 0x0f;
    std::size_t qdcount = *r.u16(4, 12);
    std::size_t ancount = *r.u16(6, 12);
    std::size_t nscount = *r.u16(8, 12);
    if (qdcount > k_max_questions) return fail("malformed answer (question count)");

    std::size_t pos = 12;
    for (std::size_t i = 0; i < qdcount; ++i) {
        auto next = r.skip_name(pos, r.size());
        if (!next || *next + 4 > r.size()) return fail("malformed answer (question)");
        pos = *next + 4;
    }

    Answer out;
    std::optional<std::uint32_t> min_ttl;
    bool walked_answers = true;
    std::size_t n_answers = std::min(ancount, classifiers::k_max_dns_answer_records);
    for (std::size_t i = 0; i < n_answers; ++i) {
        auto rec = read_record(r, pos);
        if (!rec) return fail("malformed answer (answer section)");
        pos = rec->next;
        if (rec->klass != k_class_in) continue;
        if (type == QueryType::a && rec->type == k_type_a && rec->rdlen != 4)
            return fail("malformed answer (A record of " + std::to_string(rec->rdlen) + " bytes)");
        if (type == QueryType::a && rec->type == k_type_a) {
            std::string addr = std::to_string(r.at(rec->rdata)) + "." + std::to_string(r.at(rec->rdata + 1)) + "." +
                               std::to_string(r.at(rec->rdata + 2)) + "." + std::to_string(r.at(rec->rdata + 3));
            out.records.push_back(std::move(addr));
            min_ttl = std::min(min_ttl.value_or(rec->ttl), rec->ttl);
        } else if (type == QueryType::txt && rec->type == k_type_txt) {
            std::string text;
            std::size_t p = rec->rdata;
            while (p < rec->next) {
                std::size_t len = r.at(p);
                if (p + 1 + len > rec->next) return fail("malformed answer (TXT record)");
                for (std::size_t k = 0; k < len && text.size() < classifiers::k_max_dns_txt_bytes; ++k)
                    text += static_cast<char>(r.at(p + 1 + k));
                p += 1 + len;
            }
            out.records.push_back(std::move(text));
            min_ttl = std::min(min_ttl.value_or(rec->ttl), rec->ttl);
        } else if (type == QueryType::ptr && rec->type == k_type_ptr) {
            auto name = r.read_name(rec->rdata, rec->next);
            if (!name) return fail("malformed answer (PTR record)");
            out.records.push_back(std::move(*name));
            min_ttl = std::min(min_ttl.value_or(rec->ttl), rec->ttl);
        } else if (type == QueryType::aaaa && rec->type == k_type_aaaa) {
            if (rec->rdlen != 16)
                return fail("malformed answer (AAAA record of " + std::to_string(rec->rdlen) + " bytes)");
            char text[INET6_ADDRSTRLEN] = {};
            std::uint8_t bytes[16];
            for (std::size_t k = 0; k < 16; ++k) bytes[k] = r.at(rec->rdata + k);
            if (inet_ntop(AF_INET6, bytes, text, sizeof text) == nullptr) return fail("malformed answer (AAAA)");
            out.records.emplace_back(text);
            min_ttl = std::min(min_ttl.value_or(rec->ttl), rec->ttl);
        }
    }
    if (ancount > n_answers) walked_answers = false;

    std::optional<std::uint32_t> negative_ttl;
    if (walked_answers) {
        std::size_t n_authority = std::min(nscount, classifiers::k_max_dns_answer_records);
        for (std::size_t i = 0; i < n_authority; ++i) {
            auto rec = read_record(r, pos);
            if (!rec) break; // the authority section only refines the negative TTL
            pos = rec->next;
            if (rec->type != k_type_soa || rec->klass != k_class_in) continue;
            auto mname_end = r.skip_name(rec->rdata, rec->next);
            if (!mname_end) break;
            auto rname_end = r.skip_name(*mname_end, rec->next);
            if (!rname_end) break;
            auto minimum = r.u32(*rname_end + 16, rec->next);
            if (!minimum) break;
            negative_ttl = std::min(rec->ttl, *minimum);
            break;
        }
    }

    switch (rcode) {
    case 0:
        if (!out.records.empty()) {
            out.status = AnswerStatus::answer;
            out.ttl = min_ttl.value_or(0);
        } else {
            out.status = AnswerStatus::nodata;
            out.ttl = negative_ttl.value_or(0);
        }
        return out;
    case 2: out.status = AnswerStatus::servfail; break;
    case 3:
        out.status = AnswerStatus::nxdomain;
        out.ttl = negative_ttl.value_or(0);
        break;
    case 5: out.status = AnswerStatus::refused; break;
    default:
        out.status = AnswerStatus::error;
        out.detail = "rcode " + std::to_string(rcode);
        break;
    }
    out.records.clear();
    return out;
}

std::string_view to_string(QueryType type) {
    switch (type) {
    case QueryType::a: return "A";
    case QueryType::txt: return "TXT";
    case QueryType::ptr: return "PTR";
    case QueryType::aaaa: return "AAAA";
    }
    return "?";
}

std::string_view to_string(AnswerStatus status) {
    switch (status) {
    case AnswerStatus::answer: return "answer";
    case AnswerStatus::nxdomain: return "nxdomain";
    case AnswerStatus::nodata: return "nodata";
    case AnswerStatus::servfail: return "servfail";
    case AnswerStatus::refused: return "refused";
    case AnswerStatus::timeout: return "timeout";
    case AnswerStatus::error: return "error";
    }
    return "?";
}

} // namespace ndr::agent::dnsbl
