// test_classifiers_rules_listed.cpp — IP/domain validation and normalisation (classifiers/rules/listed.cpp).
#include <doctest/doctest.h>

#include <string>

#include "classifiers/rules/listed.hpp"

using namespace ndr::classifiers::rules;

TEST_CASE("rules listed: IPv4, IPv6 and domain normalisation") {
    struct Case {
        const char* name;
        std::string (*fn)(std::string_view);
        std::string input;
        std::string want;
    };
    const Case cases[] = {
        {"ipv4 ok", normalise_ipv4, "198.51.100.23", "198.51.100.23"},
        {"ipv4 zero octets", normalise_ipv4, "0.0.0.0", "0.0.0.0"},
        {"ipv4 leading zero", normalise_ipv4, "198.51.100.023", ""},
        {"ipv4 five octets", normalise_ipv4, "1.2.3.4.5", ""},
        {"ipv4 trailing dot", normalise_ipv4, "1.2.3.4.", ""},
        {"ipv4 256", normalise_ipv4, "1.2.3.256", ""},
        {"ipv4 four digits", normalise_ipv4, "1.2.3.1000", ""},
        {"ipv6 compressed", normalise_ipv6, "2001:DB8::1", "2001:db8::1"},
        {"ipv6 full", normalise_ipv6, "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
        {"ipv6 embedded ipv4", normalise_ipv6, "::ffff:192.0.2.1", "::ffff:192.0.2.1"},
        {"ipv6 prefix", normalise_ipv6, "IPv6:2001:db8::2", "2001:db8::2"},
        {"ipv6 zone id", normalise_ipv6, "fe80::1%eth0", ""},
        {"ipv6 two ::", normalise_ipv6, "2001::db8::1", ""},
        {"ipv6 no colon", normalise_ipv6, "abcd", ""},
        {"ip picks v4", normalise_ip, "192.0.2.1", "192.0.2.1"},
        {"ip picks v6", normalise_ip, "::1", "::1"},
        {"domain", normalise_domain, "Mail.Example.ORG", "mail.example.org"},
        {"domain trailing dot", normalise_domain, "example.org.", "example.org"},
        {"domain empty label", normalise_domain, "example..org", ""},
        {"domain underscore", normalise_domain, "ex_ample.org", ""},
        {"domain label too long", normalise_domain, std::string(64, 'a') + ".org", ""},
        {"domain too long", normalise_domain, std::string(250, 'a').replace(60, 1, ".").replace(120, 1, ".").replace(180, 1, ".") + ".org", ""},
        {"domain a-label tld", normalise_domain, "example.xn--p1ai", "example.xn--p1ai"},
        {"domain idn", normalise_domain, "b\xc3\xbc" "cher.example", "xn--bcher-kva.example"},
        {"domain invalid utf-8", normalise_domain, "b\xc3.example", ""},
    };
    for (const auto& c : cases) {
        std::string name = c.name;
        CAPTURE(name);
        CHECK(c.fn(c.input) == c.want);
    }
}

TEST_CASE("rules listed: return codes are IPv4 addresses or CIDR networks") {
    bool cidr = false;
    CHECK(is_ipv4_or_cidr("127.0.0.2", &cidr));
    CHECK_FALSE(cidr);
    CHECK(is_ipv4_or_cidr("127.255.255.0/24", &cidr));
    CHECK(cidr);
    CHECK(is_ipv4_or_cidr("127.0.0.0/0", nullptr));
    CHECK_FALSE(is_ipv4_or_cidr("127.0.0.0/33", nullptr));
    CHECK_FALSE(is_ipv4_or_cidr("127.0.0.0/08", nullptr));
    CHECK_FALSE(is_ipv4_or_cidr("127.0.0.0/", nullptr));
    CHECK_FALSE(is_ipv4_or_cidr("localhost", nullptr));
    CHECK_FALSE(is_ipv4_or_cidr("::1", nullptr));
}
