// test_agent_dnsbl_dns_message.cpp — raw DNS response reading (agent/dnsbl/dns_message), including
// truncated and hostile messages.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "agent/dnsbl/dns_message.hpp"

using namespace ndr::agent::dnsbl;

namespace {

using Bytes = std::vector<std::uint8_t>;

void put16(Bytes& b, unsigned v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
    put16(b, v >> 16);
    put16(b, v & 0xffff);
}
void put_name(Bytes& b, const std::string& name) {
    std::size_t start = 0;
    while (start <= name.size()) {
        auto dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        b.push_back(static_cast<std::uint8_t>(dot - start));
        for (std::size_t i = start; i < dot; ++i) b.push_back(static_cast<std::uint8_t>(name[i]));
        start = dot + 1;
    }
    b.push_back(0);
}

struct Rr {
    unsigned type;
    std::uint32_t ttl;
    Bytes rdata;
};

Bytes message(unsigned rcode, const std::vector<Rr>& answers, const std::vector<Rr>& authority = {}) {
    Bytes b;
    put16(b, 0x1234);
    put16(b, 0x8180 | rcode);
    put16(b, 1);
    put16(b, static_cast<unsigned>(answers.size()));
    put16(b, static_cast<unsigned>(authority.size()));
    put16(b, 0);
    put_name(b, "2.0.0.127.bl.test");
    put16(b, 1);
    put16(b, 1);
    for (const auto* section : {&answers, &authority}) {
        for (const auto& rr : *section) {
            b.push_back(0xc0); // pointer to the question name
            b.push_back(12);
            put16(b, rr.type);
            put16(b, 1);
            put32(b, rr.ttl);
            put16(b, static_cast<unsigned>(rr.rdata.size()));
            b.insert(b.end(), rr.rdata.begin(), rr.rdata.end());
        }
    }
    return b;
}

Rr a_rr(std::uint8_t last, std::uint32_t ttl = 60) { return Rr{1, ttl, Bytes{127, 0, 0, last}}; }

Rr txt_rr(const std::vector<std::string>& chunks, std::uint32_t ttl = 60) {
    Bytes d;
    for (const auto& c : chunks) {
        d.push_back(static_cast<std::uint8_t>(c.size()));
        d.insert(d.end(), c.begin(), c.end());
    }
    return Rr{16, ttl, d};
}

Rr soa_rr(std::uint32_t ttl, std::uint32_t minimum) {
    Bytes d;
    put_name(d, "ns.bl.test");
    d.push_back(0xc0); // compressed rname
    d.push_back(12);
    for (std::uint32_t v : {1u, 600u, 300u, 86400u}) put32(d, v);
    put32(d, minimum);
    return Rr{6, ttl, d};
}

} // namespace

TEST_CASE("dnsbl: DNS responses by rcode") {
    struct Case {
        const char* name;
        Bytes msg;
        QueryType type;
        AnswerStatus want;
        std::vector<std::string> records;
        std::uint32_t ttl;
    } cases[] = {
        {"A answer", message(0, {a_rr(2, 300), a_rr(4, 60)}), QueryType::a, AnswerStatus::answer, {"127.0.0.2", "127.0.0.4"}, 60},
        {"TXT answer joins chunks", message(0, {txt_rr({"Listed ", "here"})}), QueryType::txt, AnswerStatus::answer, {"Listed here"}, 60},
        {"A query, only TXT back", message(0, {txt_rr({"x"})}, {soa_rr(60, 30)}), QueryType::a, AnswerStatus::nodata, {}, 30},
        {"NXDOMAIN with SOA min", message(3, {}, {soa_rr(3600, 45)}), QueryType::a, AnswerStatus::nxdomain, {}, 45},
        {"NXDOMAIN SOA ttl lower", message(3, {}, {soa_rr(10, 45)}), QueryType::a, AnswerStatus::nxdomain, {}, 10},
        {"NXDOMAIN no SOA", message(3, {}), QueryType::a, AnswerStatus::nxdomain, {}, 0},
        {"NODATA", message(0, {}, {soa_rr(60, 20)}), QueryType::a, AnswerStatus::nodata, {}, 20},
        {"SERVFAIL", message(2, {}), QueryType::a, AnswerStatus::servfail, {}, 0},
        {"REFUSED", message(5, {}), QueryType::a, AnswerStatus::refused, {}, 0},
        {"NOTIMP", message(4, {}), QueryType::a, AnswerStatus::error, {}, 0},
        {"TTL top bit means 0", message(0, {a_rr(2, 0x80000001u)}), QueryType::a, AnswerStatus::answer, {"127.0.0.2"}, 0},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        Answer a = parse_dns_response(c.msg, c.type);
        CHECK_MESSAGE(a.status == c.want, "got ", to_string(a.status), ", want ", to_string(c.want));
        CHECK(a.records == c.records);
        CHECK_MESSAGE(a.ttl == c.ttl, "got ttl ", a.ttl, ", want ", c.ttl);
    }
}

TEST_CASE("dnsbl: malformed DNS responses are errors, never crashes") {
    Bytes good = message(0, {a_rr(2), txt_rr({"abc"})}, {soa_rr(60, 30)});
    // Every truncation of a good message.
    for (std::size_t n = 0; n < good.size(); ++n) {
        Bytes cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        Answer a = parse_dns_response(cut, QueryType::a);
        if (n < 12) CHECK_MESSAGE(a.status == AnswerStatus::error, "length ", n, ": got ", to_string(a.status));
    }
    // Bad label type, query flag instead of response, huge counts, TXT chunk past rdata.
    Bytes bad_label = good;
    bad_label[12] = 0x80;
    CHECK(parse_dns_response(bad_label, QueryType::a).status == AnswerStatus::error);
    Bytes not_response = good;
    not_response[2] = 0x01;
    CHECK(parse_dns_response(not_response, QueryType::a).status == AnswerStatus::error);
    Bytes huge = good;
    huge[6] = 0xff;
    huge[7] = 0xff;
    CHECK(parse_dns_response(huge, QueryType::a).status == AnswerStatus::error);
    Bytes bad_txt = message(0, {Rr{16, 60, Bytes{10, 'a', 'b'}}});
    CHECK(parse_dns_response(bad_txt, QueryType::txt).status == AnswerStatus::error);
    // An A record of the wrong length is a malformed answer: skipping it would report "not listed"
    // for a name the server says something about (tests/integration/fault_dns.sh, mode 7).
    Bytes odd_a = message(0, {Rr{1, 60, Bytes{127, 0, 2}}});
    CHECK(parse_dns_response(odd_a, QueryType::a).status == AnswerStatus::error);
    CHECK(parse_dns_response(odd_a, QueryType::txt).status == AnswerStatus::nodata);
    // A compression pointer to itself or further on is a loop (RFC 1035 §4.1.4: a prior occurrence).
    Bytes loop = message(0, {a_rr(2)});
    const std::size_t owner = loop.size() - 16; // the answer's owner name: 0xc0 0x0c
    REQUIRE(loop[owner] == 0xc0);
    loop[owner + 1] = static_cast<std::uint8_t>(owner);
    CHECK(parse_dns_response(loop, QueryType::a).status == AnswerStatus::error);
    loop[owner + 1] = static_cast<std::uint8_t>(owner + 5);
    CHECK(parse_dns_response(loop, QueryType::a).status == AnswerStatus::error);
    // Pseudo-random bytes after a valid header: any status, no crash.
    std::uint32_t seed = 12345;
    for (int round = 0; round < 2000; ++round) {
        Bytes junk = good;
        for (int k = 0; k < 6; ++k) {
            seed = seed * 1103515245u + 12345u;
            junk[12 + (seed >> 8) % (junk.size() - 12)] = static_cast<std::uint8_t>(seed >> 24);
        }
        Answer a = parse_dns_response(junk, round % 2 ? QueryType::a : QueryType::txt);
        CHECK(a.records.size() <= 64);
    }
}

TEST_CASE("dnsbl: record and TXT caps hold on hostile answers") {
    std::vector<Rr> many;
    for (int i = 0; i < 200; ++i) many.push_back(a_rr(2));
    Answer a = parse_dns_response(message(0, many), QueryType::a);
    CHECK(a.status == AnswerStatus::answer);
    CHECK_MESSAGE(a.records.size() == 64, "got ", a.records.size(), " records, want the cap 64");
    std::vector<std::string> chunks(10, std::string(255, 'x'));
    Answer t = parse_dns_response(message(0, {txt_rr(chunks)}), QueryType::txt);
    REQUIRE(t.records.size() == 1);
    CHECK_MESSAGE(t.records[0].size() == 1024, "got ", t.records[0].size(), " bytes, want the cap 1024");
}

TEST_CASE("dnsbl: PTR names follow compression, AAAA records give RFC 5952 text") {
    // The question name 2.0.0.127.bl.test starts at offset 12; "bl.test" at offset 22.
    const Rr ptr{12, 300, Bytes{4, 'M', 'a', 'i', 'L', 0xc0, 22}};
    Answer p = parse_dns_response(message(0, {ptr, a_rr(2)}), QueryType::ptr);
    CHECK(p.status == AnswerStatus::answer);
    CHECK(p.records == std::vector<std::string>{"mail.bl.test"});
    CHECK(p.ttl == 300);
    CHECK(parse_dns_response(message(0, {a_rr(2)}), QueryType::ptr).status == AnswerStatus::nodata);

    Bytes v6(16, 0);
    v6[0] = 0x20;
    v6[1] = 0x01;
    v6[2] = 0x0d;
    v6[3] = 0xb8;
    v6[15] = 0x25;
    Answer q = parse_dns_response(message(0, {Rr{28, 60, v6}}), QueryType::aaaa);
    CHECK(q.status == AnswerStatus::answer);
    CHECK(q.records == std::vector<std::string>{"2001:db8::25"});
    CHECK(parse_dns_response(message(0, {Rr{28, 60, Bytes(4, 1)}}), QueryType::aaaa).status == AnswerStatus::error);
}

TEST_CASE("dnsbl: hostile PTR names are errors, never loops") {
    // A pointer to itself, one ahead, and a label that points back to itself through an earlier
    // pointer (a loop only the jump cap ends).
    Bytes self = message(0, {Rr{12, 60, Bytes{1, 'a', 0xc0, 0}}});
    const std::size_t rdata = self.size() - 4;
    self[rdata + 3] = static_cast<std::uint8_t>(rdata + 2);
    CHECK(parse_dns_response(self, QueryType::ptr).status == AnswerStatus::error);
    self[rdata + 3] = static_cast<std::uint8_t>(rdata + 3);
    CHECK(parse_dns_response(self, QueryType::ptr).status == AnswerStatus::error);
    self[rdata + 3] = static_cast<std::uint8_t>(rdata);
    CHECK(parse_dns_response(self, QueryType::ptr).status == AnswerStatus::error);
    // A label running past the record, and a name longer than 255 bytes.
    CHECK(parse_dns_response(message(0, {Rr{12, 60, Bytes{9, 'a', 'b', 0}}}), QueryType::ptr).status ==
          AnswerStatus::error);
    Bytes longname;
    for (int i = 0; i < 5; ++i) {
        longname.push_back(60);
        longname.insert(longname.end(), 60, 'x');
    }
    longname.push_back(0);
    CHECK(parse_dns_response(message(0, {Rr{12, 60, longname}}), QueryType::ptr).status == AnswerStatus::error);
}
