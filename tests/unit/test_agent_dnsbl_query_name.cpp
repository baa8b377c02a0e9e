// test_agent_dnsbl_query_name.cpp — target parsing and RFC 5782 query names (agent/dnsbl/query_name).
#include <doctest/doctest.h>

#include <string>

#include "agent/dnsbl/query_name.hpp"

using namespace ndr::agent::dnsbl;

namespace {

struct NameCase {
    const char* name;
    const char* target;
    const char* zone;
    bool registered;
    const char* want; // query name
};

} // namespace

TEST_CASE("dnsbl: query names for IPv4, IPv6 and domains") {
    const NameCase cases[] = {
        {"ipv4 reversed", "192.0.2.99", "zen.spamhaus.org", false, "99.2.0.192.zen.spamhaus.org"},
        {"ipv4 test point", "127.0.0.2", "bl.spamcop.net", false, "2.0.0.127.bl.spamcop.net"},
        {"ipv6 compressed (Spamhaus DQS doc example)", "2001:db8:7ca6:22::45", "sbl.dq.spamhaus.net", false,
         "5.4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.2.2.0.0.6.a.c.7.8.b.d.0.1.0.0.2.sbl.dq.spamhaus.net"},
        {"ipv6 upper case and leading zeros", "2001:0DB8:0000:0000:0000:0000:0000:0001", "zen.spamhaus.org", false,
         "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org"},
        {"ipv6 in brackets", "[2001:db8::1]", "zen.spamhaus.org", false,
         "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org"},
        {"ipv4-mapped stays ipv6", "::ffff:127.0.0.2", "zen.spamhaus.org", false,
         "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.zen.spamhaus.org"},
        {"domain lower-cased", "Example.COM", "dbl.spamhaus.org", false, "example.com.dbl.spamhaus.org"},
        {"domain trailing dot", "mail.example.com.", "dbl.spamhaus.org", false, "mail.example.com.dbl.spamhaus.org"},
        {"registered domain", "a.b.mail.example.com", "multi.surbl.org", true, "example.com.multi.surbl.org"},
        {"registered domain co.uk", "www.shop.example.co.uk", "multi.uribl.com", true, "example.co.uk.multi.uribl.com"},
        {"registered domain com.au", "x.example.com.au", "multi.uribl.com", true, "example.com.au.multi.uribl.com"},
        {"registered domain already", "example.org", "multi.uribl.com", true, "example.org.multi.uribl.com"},
        {"IDN to A-label", "bücher.example", "dbl.spamhaus.org", false, "xn--bcher-kva.example.dbl.spamhaus.org"},
        {"IDN upper case", "BÜCHER.example", "dbl.spamhaus.org", false, "xn--bcher-kva.example.dbl.spamhaus.org"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        auto t = parse_target(c.target);
        REQUIRE_MESSAGE(t.has_value(), "parse ", c.target, ": got error ", (t ? "" : t.error()));
        auto q = query_name(*t, c.zone, c.registered);
        REQUIRE_MESSAGE(q.has_value(), "query_name: got error");
        CHECK_MESSAGE(*q == c.want, "got ", *q, ", want ", c.want);
    }
}

TEST_CASE("dnsbl: target kinds and normalised text") {
    struct Case {
        const char* in;
        TargetKind kind;
        const char* text;
    } cases[] = {
        {"192.0.2.1", TargetKind::ipv4, "192.0.2.1"},
        {"2001:DB8::1", TargetKind::ipv6, "2001:db8::1"},
        {"::ffff:192.0.2.1", TargetKind::ipv6, "::ffff:192.0.2.1"},
        {"Example.Net", TargetKind::domain, "example.net"},
        {"xn--bcher-kva.example", TargetKind::domain, "xn--bcher-kva.example"},
    };
    for (const auto& c : cases) {
        auto t = parse_target(c.in);
        REQUIRE_MESSAGE(t.has_value(), c.in);
        CHECK_MESSAGE(t->kind == c.kind, c.in, ": got kind ", to_string(t->kind), ", want ", to_string(c.kind));
        CHECK_MESSAGE(t->text == c.text, c.in, ": got ", t->text, ", want ", c.text);
    }
}

TEST_CASE("dnsbl: bad targets are refused before any query") {
    const std::string long_label(64, 'a');
    std::string long_name;
    for (int i = 0; i < 50; ++i) long_name += "abcde.";
    long_name += "com";
    const std::string bad[] = {
        "",                     // empty
        "192.0.2",              // three octets
        "192.0.2.256",          // octet out of range
        "192.0.02.1",           // leading zero
        "1.2.3.4.5",            // five octets
        "2001:db8::g",          // bad hex
        "2001:db8::1%eth0",     // zone id
        "fe80::1::2",           // two ::
        "exa mple.com",         // space
        "example..com",         // empty label
        "-example.com",         // leading hyphen
        "example-.com",         // trailing hyphen
        "ex_ample.com",         // underscore
        "localhost",            // one label
        "example.123",          // numeric TLD
        long_label + ".com",    // label > 63
        long_name,              // name > 253
        "evil\x1b[31m.com",     // escape
        "a\nb.com",             // newline
        "bad\xff.com",          // invalid UTF-8
    };
    for (const auto& b : bad) {
        auto t = parse_target(b);
        CHECK_MESSAGE(!t.has_value(), "got accepted (", (t ? t->text : ""), "), want an error for input of ", b.size(), " bytes");
    }
}

TEST_CASE("dnsbl: RFC 5782 test points are raw nibbles, never IPv4") {
    auto pos6 = test_point(TargetKind::ipv6, true);
    auto neg6 = test_point(TargetKind::ipv6, false);
    CHECK(*query_name(pos6, "zen.spamhaus.org") ==
          "2.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.zen.spamhaus.org");
    CHECK(*query_name(neg6, "zen.spamhaus.org") ==
          "1.0.0.0.0.0.f.7.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.zen.spamhaus.org");
    CHECK(*query_name(test_point(TargetKind::ipv4, true), "bl.test") == "2.0.0.127.bl.test");
    CHECK(*query_name(test_point(TargetKind::ipv4, false), "bl.test") == "1.0.0.127.bl.test");
    CHECK(*query_name(test_point(TargetKind::domain, true), "dbl.test") == "test.dbl.test");
    CHECK(*query_name(test_point(TargetKind::domain, false), "dbl.test") == "invalid.dbl.test");
}

TEST_CASE("dnsbl: query names too long for DNS are errors") {
    auto t = parse_target("2001:db8::1");
    REQUIRE(t.has_value());
    std::string zone;
    for (int i = 0; i < 30; ++i) zone += "zonezone.";
    zone += "example";
    auto q = query_name(*t, zone);
    CHECK_MESSAGE(!q.has_value(), "got ", (q ? *q : ""), ", want an error (name over 253 bytes)");
    CHECK(!query_name(*t, "bad_zone.example").has_value());
}

TEST_CASE("dnsbl: valid_dns_name limits") {
    CHECK(valid_dns_name("a.b"));
    CHECK(valid_dns_name(std::string(63, 'a') + ".com"));
    CHECK_FALSE(valid_dns_name(std::string(64, 'a') + ".com"));
    CHECK_FALSE(valid_dns_name("a..b"));
    CHECK_FALSE(valid_dns_name("a.b."));
    CHECK_FALSE(valid_dns_name(""));
    std::string n253;
    while (n253.size() < 251) n253 += "a.";
    n253 += "a";
    CHECK_MESSAGE(n253.size() == 253, "got ", n253.size());
    CHECK(valid_dns_name(n253));
    CHECK_FALSE(valid_dns_name(n253 + "a"));
}
