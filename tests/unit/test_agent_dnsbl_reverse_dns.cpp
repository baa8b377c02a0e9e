// test_agent_dnsbl_reverse_dns.cpp — forward-confirmed reverse DNS of our sending IPs
// (agent/dnsbl/reverse_dns) over a fake resolver: confirmed, mismatch, no PTR, failures, hostile names.
#include "agent/dnsbl/reverse_dns.hpp"

#include <doctest/doctest.h>
#include <map>
#include <string>
#include <utility>
#include <vector>

using namespace ndr::agent::dnsbl;

namespace {

class FakeResolver final : public Resolver {
  public:
    std::map<std::pair<std::string, QueryType>, Answer> answers; // missing: NXDOMAIN
    std::vector<std::vector<Query>> batches;

    void add(std::string name, QueryType type, std::vector<std::string> records) {
        Answer a;
        a.status = AnswerStatus::answer;
        a.records = std::move(records);
        answers[{std::move(name), type}] = a;
    }
    std::vector<Answer> resolve(std::span<const Query> queries) override {
        batches.emplace_back(queries.begin(), queries.end());
        std::vector<Answer> out;
        for (const auto& q : queries) {
            auto it = answers.find({q.name, q.type});
            Answer nx;
            nx.status = AnswerStatus::nxdomain;
            out.push_back(it != answers.end() ? it->second : nx);
        }
        return out;
    }
};

const char* k_v6_reverse = "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";

} // namespace

TEST_CASE("reverse dns: confirmed, mismatch and missing PTRs, in two rounds") {
    FakeResolver dns;
    dns.add("25.2.0.192.in-addr.arpa", QueryType::ptr, {"mail.example.com"});
    dns.add("mail.example.com", QueryType::a, {"192.0.2.99", "192.0.2.25"});
    dns.add("26.2.0.192.in-addr.arpa", QueryType::ptr, {"Host-26.Example.NET"});
    dns.add("host-26.example.net", QueryType::a, {"198.51.100.1"});
    dns.add(k_v6_reverse, QueryType::ptr, {"mail6.example.com"});
    dns.add("mail6.example.com", QueryType::aaaa, {"2001:db8:0:0:0:0:0:25"});

    const std::vector<std::string> ips{"192.0.2.25", "192.0.2.26", "192.0.2.27", "2001:DB8::25",
                                       "192.0.2.25", "not an ip",  "example.com"};
    const auto got = reverse_dns(ips, dns);
    REQUIRE(got.size() == 4);
    CHECK(describe(got[0]) == "192.0.2.25 -> mail.example.com (forward-confirmed)");
    CHECK(got[1].state == ReverseDns::State::mismatch);
    CHECK(got[1].name == "host-26.example.net"); // lower-cased before use
    CHECK(describe(got[2]) == "192.0.2.27 -> (no PTR record)");
    CHECK(describe(got[3]) == "2001:db8::25 -> mail6.example.com (forward-confirmed)");
    REQUIRE(dns.batches.size() == 2);
    CHECK(dns.batches[0].size() == 4); // every PTR together
    CHECK(dns.batches[1].size() == 3); // then every forward lookup
}

TEST_CASE("reverse dns: failures and hostile PTR names are reported, never used") {
    FakeResolver dns;
    Answer timeout;
    timeout.status = AnswerStatus::timeout;
    timeout.detail = "timeout";
    dns.answers[{"25.2.0.192.in-addr.arpa", QueryType::ptr}] = timeout;
    dns.add("26.2.0.192.in-addr.arpa", QueryType::ptr, {"evil.example\r\nBcc: x@example.org", "a..b"});
    dns.add("27.2.0.192.in-addr.arpa", QueryType::ptr, {"gone.example.com"}); // forward: NXDOMAIN
    const std::vector<std::string> ips{"192.0.2.25", "192.0.2.26", "192.0.2.27"};
    const auto got = reverse_dns(ips, dns);
    REQUIRE(got.size() == 3);
    CHECK(describe(got[0]) == "192.0.2.25 -> (not known: PTR lookup: timeout)");
    CHECK(describe(got[1]) == "192.0.2.26 -> (not known: the PTR record is not a host name)");
    CHECK(describe(got[2]) ==
          "192.0.2.27 -> gone.example.com (NOT forward-confirmed: forward lookup: nxdomain)");
    REQUIRE(dns.batches.size() == 2);
    CHECK(dns.batches[1].size() == 1);
}

TEST_CASE("reverse dns: at most k_max_reverse_lookups addresses") {
    FakeResolver dns;
    std::vector<std::string> ips;
    for (int i = 1; i <= 30; ++i)
        ips.push_back("192.0.2." + std::to_string(i));
    CHECK(reverse_dns(ips, dns).size() == k_max_reverse_lookups);
    CHECK(reverse_dns({}, dns).empty());
}
