// test_agent_incidents_provenance.cpp — agent/incidents/provenance: CIDR matching, Received parsing,
// ours vs backscatter.
#include "agent/incidents/provenance.hpp"

#include <doctest/doctest.h>

using namespace ndr::agent;
using namespace ndr::agent::incidents;
namespace cl = ndr::classifiers;

namespace {

IdentitySettings identity() {
    IdentitySettings id;
    id.outbound_ips = {"192.0.2.16/28", "2001:db8:25::/48"};
    id.domains = {"example.com"};
    return id;
}

cl::DeliveryReport bounce(const std::string& received, const std::string& listed) {
    cl::DeliveryReport r;
    r.kind = cl::Kind::failed;
    r.original.present = true;
    r.original.from = "Alice <alice@example.com>";
    if (!received.empty()) r.original.received.push_back(received);
    cl::RecipientRecord rec;
    rec.final_recipient = "bob@example.net";
    rec.verdict.lists.push_back({"spamhaus-zen", listed, "zone-reject", "", 50});
    r.recipients.push_back(rec);
    return r;
}

} // namespace

TEST_CASE("provenance: networks match by prefix, IPv4 and IPv6, mapped IPv4 too") {
    const auto net = parse_network("192.0.2.16/28");
    REQUIRE(net);
    CHECK(network_contains(*net, "192.0.2.25"));
    CHECK(network_contains(*net, "192.0.2.31"));
    CHECK_FALSE(network_contains(*net, "192.0.2.32"));
    CHECK_FALSE(network_contains(*net, "192.0.2.15"));
    CHECK(network_contains(*net, "::ffff:192.0.2.20"));
    const auto v6 = parse_network("2001:db8:25::/48");
    REQUIRE(v6);
    CHECK(network_contains(*v6, "2001:db8:25:1::9"));
    CHECK_FALSE(network_contains(*v6, "2001:db8:26::9"));
    CHECK_FALSE(network_contains(*v6, "192.0.2.25"));
    const auto host = parse_network("198.51.100.7");
    REQUIRE(host);
    CHECK(network_contains(*host, "198.51.100.7"));
    CHECK_FALSE(network_contains(*host, "198.51.100.8"));
    CHECK_FALSE(parse_network("192.0.2.0/33"));
    CHECK_FALSE(parse_network("not an ip"));
    CHECK_FALSE(network_contains(*net, "192.0.2.25x"));
}

TEST_CASE("provenance: Received from-clause gives HELO, rDNS and the address") {
    const auto hops =
        received_from("from mail.example.com (mail.example.com [192.0.2.25]) by mx.example.net with ESMTPS");
    REQUIRE(hops.size() == 1);
    CHECK(hops[0].helo == "mail.example.com");
    CHECK(hops[0].rdns == "mail.example.com");
    CHECK(hops[0].ip == "192.0.2.25");
    const auto v6 = received_from("from x.example.com ([IPv6:2001:db8:25::1]) by mx.example.net");
    REQUIRE(v6.size() == 1);
    CHECK(v6[0].ip == "2001:db8:25::1");
    CHECK(v6[0].rdns.empty());
    // An address after "by" is the receiver's, not the sender's.
    CHECK(received_from("from x (y) by mx.example.net [192.0.2.25]").empty());
    CHECK(received_from("by mx.example.net with LMTP").empty());
    CHECK(received_from("from [not-an-ip] by x").empty());
}

TEST_CASE("provenance: our Received hop, or our IP named as listed, is ours; anything else is backscatter") {
    const ProvenanceJudge judge(identity(), {});
    REQUIRE(judge.configured());
    auto ours = judge.judge(bounce(
        "from laptop.example.com (laptop.example.com [192.0.2.25]) by mail.example.com", "198.51.100.9"));
    CHECK(ours.verdict == "ours");
    CHECK(ours.sending_ip == "192.0.2.25");
    CHECK(ours.sending_rdns == "laptop.example.com");
    auto named = judge.judge(bounce("", "192.0.2.20"));
    CHECK(named.verdict == "ours");
    CHECK(named.sending_ip == "192.0.2.20");
    auto back =
        judge.judge(bounce("from spammer.test (unknown [203.0.113.66]) by mx.example.net", "203.0.113.66"));
    CHECK(back.verdict == "backscatter");
    CHECK(back.detail.find("example.com") != std::string::npos);
}

TEST_CASE("provenance: a DKIM pass of ours makes it ours; no identity makes everything unknown") {
    int calls = 0;
    const ProvenanceJudge judge(identity(),
                                [&calls](const cl::ReturnedOriginal&) -> std::optional<std::string> {
                                    ++calls;
                                    return std::string("dkim pass");
                                });
    auto r = bounce("from spammer.test ([203.0.113.66]) by mx.example.net", "");
    r.original.raw_headers = "DKIM-Signature: v=1; d=example.com\r\n";
    r.original.dkim_signatures = {"v=1; d=example.com"};
    CHECK(judge.judge(r).verdict == "ours");
    CHECK(calls == 1);
    // Without a signature the check is not even asked.
    r.original.dkim_signatures.clear();
    CHECK(judge.judge(r).verdict == "backscatter");
    CHECK(calls == 1);
    const ProvenanceJudge none(IdentitySettings{}, {});
    CHECK_FALSE(none.configured());
    CHECK(none.judge(r).verdict == "unknown");
}
