// test_agent_dnsbl_checker.cpp — planning, merging, not-applicable cases, health marking, key
// scrubbing and exit codes of a check (agent/dnsbl/checker), against a fake Resolver.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "agent/dnsbl/checker.hpp"

using namespace ndr::agent::dnsbl;
namespace rules = ndr::classifiers::rules;

namespace {

class FakeResolver final : public Resolver {
public:
    std::map<std::string, Answer> a;   // qname -> A answer (missing: NXDOMAIN)
    std::map<std::string, Answer> txt; // qname -> TXT answer
    std::vector<std::vector<Query>> batches;

    std::vector<Answer> resolve(std::span<const Query> queries) override {
        batches.emplace_back(queries.begin(), queries.end());
        std::vector<Answer> out;
        for (const auto& q : queries) {
            auto& m = q.type == QueryType::a ? a : txt;
            auto it = m.find(q.name);
            if (it != m.end()) {
                out.push_back(it->second);
            } else {
                Answer nx;
                nx.status = AnswerStatus::nxdomain;
                nx.ttl = 30;
                out.push_back(nx);
            }
        }
        return out;
    }
};

Answer listed(std::string code, std::uint32_t ttl = 60) {
    Answer x;
    x.status = AnswerStatus::answer;
    x.records = {std::move(code)};
    x.ttl = ttl;
    return x;
}

rules::Blocklist ip_list(const char* id, const char* zone, std::vector<rules::QueryForm> forms) {
    rules::Blocklist b;
    b.id = id;
    rules::Zone z;
    z.name = zone;
    z.forms = std::move(forms);
    b.zones.push_back(z);
    rules::ReturnCode c;
    c.code = "127.0.0.2";
    c.meaning = "listed";
    b.codes.push_back(c);
    return b;
}

rules::RuleSet rule_set() {
    rules::RuleSet s;
    auto zen = ip_list("spamhaus-zen", "zen.spamhaus.org", {rules::QueryForm::ipv4, rules::QueryForm::ipv6});
    zen.zones[0].keyed_name = "zen.dq.spamhaus.net";
    s.lists.push_back(zen);
    s.lists.push_back(ip_list("spamcop", "bl.spamcop.net", {rules::QueryForm::ipv4}));
    auto dbl = ip_list("spamhaus-dbl", "dbl.spamhaus.org", {rules::QueryForm::domain});
    s.lists.push_back(dbl);
    auto dead = ip_list("sorbs", "dnsbl.sorbs.net", {rules::QueryForm::ipv4});
    dead.defunct = true;
    dead.defunct_note = "shut down 2024-06-05";
    s.lists.push_back(dead);
    auto keyed = ip_list("keyed", "keyed.example", {rules::QueryForm::ipv4});
    keyed.policy.needs_key = true;
    keyed.policy.key_name = "spamhaus_dqs";
    s.lists.push_back(keyed);
    rules::Blocklist rep;
    rep.id = "senderbase";
    rep.kind = rules::ListKind::reputation_service;
    s.lists.push_back(rep);
    std::sort(s.lists.begin(), s.lists.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
    return s;
}

std::vector<Target> targets(std::initializer_list<const char*> in) {
    std::vector<Target> out;
    for (const char* t : in) out.push_back(*parse_target(t));
    return out;
}

const CheckResult* find(const CheckReport& r, const std::string& target, const std::string& list) {
    for (const auto& x : r.results)
        if (x.target == target && x.list == list) return &x;
    return nullptr;
}

void healthy(FakeResolver& f, const std::string& zone) { f.a["2.0.0.127." + zone] = listed("127.0.0.2"); }

} // namespace

TEST_CASE("dnsbl: check plans one batch with duplicates merged and health probes") {
    auto set = rule_set();
    FakeResolver f;
    healthy(f, "zen.spamhaus.org");
    healthy(f, "bl.spamcop.net");
    f.a["10.2.0.192.zen.spamhaus.org"] = listed("127.0.0.2");
    f.txt["10.2.0.192.zen.spamhaus.org"] = listed("Listed: see https://example/\x1b[31m");
    auto t = targets({"192.0.2.10", "192.0.2.10", "192.0.2.11"});
    auto r = run_check(set, t, {}, f);
    REQUIRE(r.has_value());
    REQUIRE(f.batches.size() == 1);
    // 2 distinct IPs x 2 zones x {A, TXT} + 2 zones x 2 test points.
    CHECK_MESSAGE(r->queries == 12, "got ", r->queries, " queries, want 12");
    CHECK(r->results.size() == 3 * 5); // senderbase has no zone
    const auto* zen = find(*r, "192.0.2.10", "spamhaus-zen");
    REQUIRE(zen);
    CHECK(zen->outcome == Outcome::listed);
    CHECK(zen->zone == "zen.spamhaus.org");
    CHECK(zen->zone_health == "ok");
    REQUIRE(zen->txt.size() == 1);
    CHECK_MESSAGE(zen->txt[0].find('\x1b') == std::string::npos, "TXT not sanitised: ", zen->txt[0]);
    const auto* cop = find(*r, "192.0.2.11", "spamcop");
    REQUIRE(cop);
    CHECK(cop->outcome == Outcome::not_listed);
    CHECK(cop->ttl == 30);
    CHECK(check_exit_code(*r) == 1);
}

TEST_CASE("dnsbl: not-applicable cases") {
    auto set = rule_set();
    FakeResolver f;
    auto r = run_check(set, targets({"2001:db8::1", "example.com", "192.0.2.1"}), {}, f);
    REQUIRE(r.has_value());
    struct Want {
        const char* target;
        const char* list;
        Outcome outcome;
        const char* note_has;
    } wants[] = {
        {"2001:db8::1", "spamcop", Outcome::not_applicable, "IPv6"},
        {"2001:db8::1", "spamhaus-zen", Outcome::not_listed, ""},
        {"2001:db8::1", "spamhaus-dbl", Outcome::not_applicable, "IPv6"},
        {"2001:db8::1", "sorbs", Outcome::not_applicable, "defunct"},
        {"2001:db8::1", "keyed", Outcome::not_applicable, "IPv6"},
        {"192.0.2.1", "keyed", Outcome::not_applicable, "needs a key"},
        {"example.com", "spamhaus-zen", Outcome::not_applicable, "domain names"},
        {"example.com", "spamhaus-dbl", Outcome::not_listed, ""},
    };
    for (const auto& w : wants) {
        const auto* x = find(*r, w.target, w.list);
        REQUIRE_MESSAGE(x, w.target, " ", w.list);
        CHECK_MESSAGE(x->outcome == w.outcome, w.target, " ", w.list, ": got ", to_string(x->outcome), ", want ", to_string(w.outcome));
        CHECK_MESSAGE(x->note.find(w.note_has) != std::string::npos, "note '", x->note, "' lacks '", std::string(w.note_has), "'");
    }
    CHECK_MESSAGE(find(*r, "example.com", "senderbase") == nullptr, "lists without zones are skipped unless named");
}

TEST_CASE("dnsbl: named lists, defunct on request, unknown list") {
    auto set = rule_set();
    FakeResolver f;
    CheckOptions o;
    o.lists = {"sorbs", "senderbase"};
    auto r = run_check(set, targets({"192.0.2.1"}), o, f);
    REQUIRE(r.has_value());
    REQUIRE(r->results.size() == 2);
    CHECK(find(*r, "192.0.2.1", "sorbs")->outcome == Outcome::not_listed);
    CHECK(find(*r, "192.0.2.1", "senderbase")->outcome == Outcome::not_applicable);
    o.lists = {"nope"};
    auto bad = run_check(set, targets({"192.0.2.1"}), o, f);
    CHECK(!bad.has_value());
}

TEST_CASE("dnsbl: DQS key used in query names, never in results") {
    auto set = rule_set();
    FakeResolver f;
    const std::string key = "abcdefghijklmnopqrstuvwxyz";
    f.a["10.2.0.192." + key + ".zen.dq.spamhaus.net"] = listed("127.0.0.2");
    f.txt["10.2.0.192." + key + ".zen.dq.spamhaus.net"] = listed("see " + key + ".zen.dq.spamhaus.net");
    CheckOptions o;
    o.dqs_key = key;
    o.lists = {"spamhaus-zen", "keyed"};
    auto r = run_check(set, targets({"192.0.2.10"}), o, f);
    REQUIRE(r.has_value());
    const auto* zen = find(*r, "192.0.2.10", "spamhaus-zen");
    REQUIRE(zen);
    CHECK(zen->outcome == Outcome::listed);
    CHECK(zen->zone == "<key>.zen.dq.spamhaus.net");
    const auto* keyed = find(*r, "192.0.2.10", "keyed");
    CHECK_MESSAGE(keyed->outcome == Outcome::not_applicable, "keyed list without a keyed zone: got ", to_string(keyed->outcome));
    std::string out = format_json(*r) + format_text(*r);
    CHECK_MESSAGE(out.find(key) == std::string::npos, "key leaked into output");
    CHECK(valid_dqs_key(key));
    CHECK_FALSE(valid_dqs_key("short12"));
    CHECK_FALSE(valid_dqs_key(std::string(64, 'a')));
    CHECK_FALSE(valid_dqs_key("abcdefgh.evil"));
    o.dqs_key = "bad key!";
    CHECK(!run_check(set, targets({"192.0.2.10"}), o, f).has_value());
}

TEST_CASE("dnsbl: unhealthy zones make their answers untrusted") {
    auto set = rule_set();
    FakeResolver f;
    // zen lists everything (even 127.0.0.1); spamcop lists nothing (127.0.0.2 is NXDOMAIN).
    f.a["2.0.0.127.zen.spamhaus.org"] = listed("127.0.0.2");
    f.a["1.0.0.127.zen.spamhaus.org"] = listed("127.0.0.2");
    f.a["1.2.0.192.zen.spamhaus.org"] = listed("127.0.0.2");
    CheckOptions o;
    o.lists = {"spamhaus-zen", "spamcop"};
    auto r = run_check(set, targets({"192.0.2.1"}), o, f);
    REQUIRE(r.has_value());
    const auto* zen = find(*r, "192.0.2.1", "spamhaus-zen");
    CHECK(zen->outcome == Outcome::listed);
    CHECK(zen->untrusted);
    CHECK(zen->zone_health == "lists-everything");
    const auto* cop = find(*r, "192.0.2.1", "spamcop");
    CHECK(cop->outcome == Outcome::not_listed);
    CHECK(cop->untrusted);
    CHECK(cop->zone_health == "lists-nothing");
    CHECK_MESSAGE(check_exit_code(*r) == 2, "untrusted listings are not listings: got ", check_exit_code(*r));
}

TEST_CASE("dnsbl: exit codes") {
    auto mk = [](std::vector<Outcome> outcomes) {
        CheckReport r;
        for (auto o : outcomes) {
            CheckResult x;
            x.outcome = o;
            r.results.push_back(x);
        }
        return r;
    };
    CHECK(check_exit_code(mk({Outcome::not_listed, Outcome::not_applicable})) == 0);
    CHECK(check_exit_code(mk({Outcome::not_listed, Outcome::listed, Outcome::lookup_failed})) == 1);
    CHECK(check_exit_code(mk({Outcome::not_listed, Outcome::lookup_failed})) == 2);
    CHECK(check_exit_code(mk({Outcome::query_refused})) == 2);
    CHECK(check_exit_code(mk({})) == 0);
}

TEST_CASE("dnsbl: JSON output carries the documented fields") {
    auto set = rule_set();
    FakeResolver f;
    healthy(f, "bl.spamcop.net");
    f.a["1.2.0.192.bl.spamcop.net"] = listed("127.0.0.2", 90);
    CheckOptions o;
    o.lists = {"spamcop"};
    auto r = run_check(set, targets({"192.0.2.1"}), o, f);
    REQUIRE(r.has_value());
    std::string js = format_json(*r);
    for (const char* field : {"\"target\"", "\"list\"", "\"zone\"", "\"outcome\"", "\"codes\"", "\"meanings\"", "\"txt\"",
                              "\"ttl\": 90", "\"cached\"", "\"untrusted\"", "\"listed\""})
        CHECK_MESSAGE(js.find(field) != std::string::npos, "JSON lacks ", field, ": ", js);
}
