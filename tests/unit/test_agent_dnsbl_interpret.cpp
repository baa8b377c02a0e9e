// test_agent_dnsbl_interpret.cpp — outcome interpretation, bitmask decoding and zone health
// (agent/dnsbl/interpret), on Blocklist structs built in code.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "agent/dnsbl/interpret.hpp"

using namespace ndr::agent::dnsbl;
namespace rules = ndr::classifiers::rules;

namespace {

rules::ReturnCode code(const char* c, const char* meaning, rules::CodeOutcome o = rules::CodeOutcome::listed,
                       bool bit = false) {
    rules::ReturnCode r;
    r.code = c;
    r.meaning = meaning;
    r.outcome = o;
    r.bit = bit;
    return r;
}

rules::Blocklist zen() {
    rules::Blocklist b;
    b.id = "spamhaus-zen";
    b.codes = {code("127.0.0.2", "SBL"), code("127.0.0.4", "XBL"), code("127.0.0.10", "PBL"),
               code("127.255.255.252", "typo in zone name", rules::CodeOutcome::error),
               code("127.255.255.254", "public resolver", rules::CodeOutcome::error),
               code("127.255.255.255", "excessive volume", rules::CodeOutcome::error)};
    b.codes[1].fix_first = true;
    b.codes[1].sublist = "spamhaus-xbl";
    return b;
}

rules::Blocklist uribl() {
    rules::Blocklist b;
    b.id = "uribl";
    b.policy.bitmask = true;
    b.codes = {code("127.0.0.1", "query refused", rules::CodeOutcome::error),
               code("127.0.0.2", "black", rules::CodeOutcome::listed, true),
               code("127.0.0.4", "grey", rules::CodeOutcome::listed, true),
               code("127.0.0.8", "red", rules::CodeOutcome::listed, true)};
    return b;
}

rules::Blocklist dnswl() {
    rules::Blocklist b;
    b.id = "dnswl";
    b.codes = {code("127.0.0.0/16", "allow-listed", rules::CodeOutcome::allow),
               code("127.0.0.255", "query refused", rules::CodeOutcome::error)};
    return b;
}

Answer answer(std::vector<std::string> records, std::uint32_t ttl = 60) {
    Answer a;
    a.status = AnswerStatus::answer;
    a.records = std::move(records);
    a.ttl = ttl;
    return a;
}

Answer status(AnswerStatus s, std::string detail = {}) {
    Answer a;
    a.status = s;
    a.detail = std::move(detail);
    return a;
}

} // namespace

TEST_CASE("dnsbl: every outcome of an A answer") {
    struct Case {
        const char* name;
        rules::Blocklist list;
        Answer a;
        Outcome want;
        std::vector<std::string> meanings;
        const char* detail;
    } cases[] = {
        {"listed SBL", zen(), answer({"127.0.0.2"}), Outcome::listed, {"SBL"}, ""},
        {"listed twice", zen(), answer({"127.0.0.2", "127.0.0.10"}), Outcome::listed, {"SBL", "PBL"}, ""},
        {"nxdomain", zen(), status(AnswerStatus::nxdomain), Outcome::not_listed, {}, ""},
        {"nodata", zen(), status(AnswerStatus::nodata), Outcome::not_listed, {}, ""},
        {"timeout", zen(), status(AnswerStatus::timeout), Outcome::lookup_failed, {}, "timeout"},
        {"servfail", zen(), status(AnswerStatus::servfail), Outcome::lookup_failed, {}, "SERVFAIL"},
        {"refused rcode", zen(), status(AnswerStatus::refused), Outcome::lookup_failed, {}, "REFUSED"},
        {"conn refused", zen(), status(AnswerStatus::error, "connection refused"), Outcome::lookup_failed, {}, "connection refused"},
        {"error code .254", zen(), answer({"127.255.255.254"}), Outcome::query_refused, {"public resolver"}, ""},
        {"error code .252", zen(), answer({"127.255.255.252"}), Outcome::query_refused, {"typo in zone name"}, ""},
        {"error code .255", zen(), answer({"127.255.255.255"}), Outcome::query_refused, {"excessive volume"}, ""},
        {"error wins over listing", zen(), answer({"127.0.0.2", "127.255.255.254"}), Outcome::query_refused,
         {"SBL", "public resolver"}, ""},
        {"rewritten answer", zen(), answer({"198.51.100.7"}), Outcome::query_refused, {std::string(k_meaning_rewrite)}, ""},
        {"undocumented 127/8", zen(), answer({"127.0.0.99"}), Outcome::listed, {"unknown code"}, ""},
        {"undocumented 127.0.0.1", zen(), answer({"127.0.0.1"}), Outcome::query_refused, {std::string(k_meaning_loopback)}, ""},
        {"uribl refused", uribl(), answer({"127.0.0.1"}), Outcome::query_refused, {"query refused"}, ""},
        {"uribl black", uribl(), answer({"127.0.0.2"}), Outcome::listed, {"black"}, ""},
        {"uribl black+red", uribl(), answer({"127.0.0.10"}), Outcome::listed, {"black", "red"}, ""},
        {"uribl unknown bit", uribl(), answer({"127.0.0.18"}), Outcome::listed, {"black", "unknown code"}, ""},
        {"allow list", dnswl(), answer({"127.0.10.2"}), Outcome::not_listed, {"allow-listed"}, ""},
        {"allow list error", dnswl(), answer({"127.0.0.255"}), Outcome::query_refused, {"query refused"}, ""},
        {"garbage records", zen(), answer({"not-an-ip"}), Outcome::lookup_failed, {}, "malformed answer"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        Interpretation r = interpret_answer(c.list, c.a);
        CHECK_MESSAGE(r.outcome == c.want, "got ", to_string(r.outcome), ", want ", to_string(c.want));
        CHECK(r.meanings == c.meanings);
        CHECK_MESSAGE(r.detail == c.detail, "got detail '", r.detail, "', want '", c.detail, "'");
    }
}

TEST_CASE("dnsbl: flags carried by an interpretation") {
    auto xbl = interpret_answer(zen(), answer({"127.0.0.4"}, 120));
    CHECK(xbl.fix_first);
    CHECK(xbl.sublists == std::vector<std::string>{"spamhaus-xbl"});
    CHECK(xbl.ttl == 120);
    CHECK(xbl.codes == std::vector<std::string>{"127.0.0.4"});
    auto allow = interpret_answer(dnswl(), answer({"127.0.10.2"}));
    CHECK(allow.allow);
    auto rewrite = interpret_answer(zen(), answer({"198.51.100.7"}));
    CHECK(rewrite.resolver_rewrites);
    auto refused = interpret_answer(zen(), answer({"127.255.255.254"}));
    CHECK_FALSE(refused.resolver_rewrites);
    CHECK_FALSE(refused.fix_first);
}

TEST_CASE("dnsbl: bitmask decoding") {
    struct Case {
        const char* addr;
        std::vector<std::string> meanings;
    } cases[] = {
        {"127.0.0.2", {"black"}},
        {"127.0.0.4", {"grey"}},
        {"127.0.0.8", {"red"}},
        {"127.0.0.14", {"black", "grey", "red"}},
        {"127.0.0.64", {"unknown code"}},
        {"127.0.0.1", {"query refused"}},   // exact (non-bit) codes first
        {"127.0.1.2", {"unknown code"}},    // bits only in 127.0.0.x
    };
    for (const auto& c : cases) {
        auto m = decode_code(uribl(), c.addr);
        std::vector<std::string> got;
        for (const auto& x : m) got.push_back(x.meaning);
        CHECK_MESSAGE(got == c.meanings, c.addr, ": got ", got.size(), " meanings, first '", (got.empty() ? "" : got[0]), "'");
    }
    CHECK(decode_code(uribl(), "bogus").empty());
}

TEST_CASE("dnsbl: CIDR codes, longest prefix wins") {
    rules::Blocklist b;
    b.codes = {code("127.255.255.0/24", "some error", rules::CodeOutcome::error),
               code("127.255.255.254", "public resolver", rules::CodeOutcome::error)};
    auto m1 = decode_code(b, "127.255.255.254");
    REQUIRE(m1.size() == 1);
    CHECK(m1[0].meaning == "public resolver");
    auto m2 = decode_code(b, "127.255.255.7");
    REQUIRE(m2.size() == 1);
    CHECK(m2[0].meaning == "some error");
}

TEST_CASE("dnsbl: zone health from the RFC 5782 test points") {
    struct Case {
        const char* name;
        Answer pos, neg;
        ZoneHealth want;
    } cases[] = {
        {"healthy", answer({"127.0.0.2"}), status(AnswerStatus::nxdomain), ZoneHealth::ok},
        {"lists everything", answer({"127.0.0.2"}), answer({"127.0.0.2"}), ZoneHealth::lists_everything},
        {"lists nothing", status(AnswerStatus::nxdomain), status(AnswerStatus::nxdomain), ZoneHealth::lists_nothing},
        {"probe timed out", status(AnswerStatus::timeout), status(AnswerStatus::timeout), ZoneHealth::unknown},
        {"probe refused", answer({"127.255.255.254"}), answer({"127.255.255.254"}), ZoneHealth::unknown},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        auto h = assess_zone(zen(), c.pos, c.neg);
        CHECK_MESSAGE(h.health == c.want, "got ", to_string(h.health), ", want ", to_string(c.want));
    }
    auto allow = assess_zone(dnswl(), answer({"127.0.10.2"}), status(AnswerStatus::nxdomain));
    CHECK_MESSAGE(allow.health == ZoneHealth::ok, "allow-list test point: got ", to_string(allow.health));
}
