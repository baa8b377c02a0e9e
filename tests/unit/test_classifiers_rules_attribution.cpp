// test_classifiers_rules_attribution.cpp — attribution of records (classifiers/rules/attribution.cpp):
// masking of sender-controlled text (the injection cases), provider and resolver flags, DQS key
// stripping. Rule sets are built inline, never from the shipped files.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "classifiers/rules/attribution.hpp"

using namespace ndr::classifiers;
using namespace ndr::classifiers::rules;

namespace {

Pattern pat(std::string id, int priority, std::string regex, std::string listed = "", std::vector<std::string> also = {},
            bool resolver_error = false) {
    Pattern p;
    p.id = std::move(id);
    p.priority = priority;
    p.regex = std::move(regex);
    p.listed = std::move(listed);
    p.also = std::move(also);
    p.resolver_error = resolver_error;
    return p;
}

Blocklist list(std::string id, std::vector<Pattern> patterns, ListKind kind = ListKind::ip_dnsbl) {
    Blocklist b;
    b.id = std::move(id);
    b.kind = kind;
    b.patterns = std::move(patterns);
    return b;
}

RuleSet test_rules() {
    RuleSet set;
    set.lists.push_back(list("spamhaus-zen",
                             {pat("reject", 50, R"((?:\[(?P<ip>[0-9a-f.:]+)\] )?blocked using zen\.spamhaus\.org)", "ip"),
                              pat("open-resolver", 90, R"(open resolver; https?://check\.spamhaus\.org/returnc/pub)", "", {},
                                  true)}));
    set.lists.push_back(list("spamhaus-xbl", {pat("reject", 50, R"(blocked using xbl\.spamhaus\.org)")}));
    set.lists.push_back(list("ms-outlookcom",
                             {pat("s3150", 80, R"(messages from \[(?P<ip>[0-9a-f.:]+)\] weren't sent.*?\(S3150\))", "ip")},
                             ListKind::provider_internal));
    set.lists.push_back(list("yahoo-aol", {pat("bl23", 80, R"(\[BL23\] Connections not accepted from IP addresses on Spamhaus XBL)", "", {"spamhaus-xbl"})},
                             ListKind::provider_internal));
    return set;
}

DeliveryReport report_with(const std::string& diagnostic, const std::string& recipient = "user@example.net") {
    DeliveryReport r;
    RecipientRecord rec;
    rec.final_recipient = recipient;
    rec.diagnostic = diagnostic;
    r.recipients.push_back(rec);
    return r;
}

std::string ids(const Verdict& v) {
    std::string out;
    for (const auto& h : v.lists) out += h.id + "/" + h.rule + "(" + h.listed + ") ";
    return out.empty() ? "nothing" : out;
}

} // namespace

TEST_CASE("rules attribution: list names in sender-controlled text never attribute") {
    RuleSet set = test_rules();
    Matcher m(set);
    struct Case {
        const char* name;
        std::string diagnostic;
        std::string recipient;
    };
    const std::vector<Case> cases = {
        {"quoted local part", R"(550 5.1.1 <"blocked using zen.spamhaus.org"@example.net>: Recipient address rejected: User unknown)", "x@example.net"},
        {"quoted local part, no angle brackets", R"(550 5.1.1 "blocked using zen.spamhaus.org"@example.net: user unknown)", "x@example.net"},
        {"dot-atom local part", "550 5.1.1 blocked.using.zen.spamhaus.org@example.net: user unknown", "x@example.net"},
        {"angle address with spaces", "550 5.1.1 <blocked using zen.spamhaus.org @example.net>: user unknown", "x@example.net"},
        {"record recipient anywhere", R"(550 5.1.1 mailbox "blocked using zen.spamhaus.org" does not exist)",
         R"("blocked using zen.spamhaus.org"@example.net)"},
        {"subject line", "550 5.7.1 message rejected. Subject: blocked using zen.spamhaus.org", "x@example.net"},
        {"quoted subject", "550 5.7.1 your message Subject \"blocked using zen.spamhaus.org\" was rejected as spam", "x@example.net"},
        {"quoted subject, single quotes", "550 5.7.1 subject 'Client [192.0.2.1] blocked using zen.spamhaus.org' refused", "x@example.net"},
        {"provider text in local part", "550 5.1.1 <messages.from.[192.0.2.1].weren't.sent.(S3150)@example.net> unknown", "x@example.net"},
    };
    for (const auto& c : cases) {
        std::string name = c.name;
        CAPTURE(name);
        DeliveryReport r = report_with(c.diagnostic, c.recipient);
        attribute(r, m);
        INFO("got: " << ids(r.recipients[0].verdict));
        CHECK(r.recipients[0].verdict.lists.empty());
        CHECK(r.recipients[0].verdict.provider.empty());
    }
}

TEST_CASE("rules attribution: the returned original's subject is masked wherever it appears") {
    RuleSet set = test_rules();
    Matcher m(set);
    DeliveryReport r = report_with("550 5.7.1 Message 'Re: blocked using zen.spamhaus.org' rejected by content filter");
    r.original.present = true;
    r.original.subject = "Re: blocked using zen.spamhaus.org";
    attribute(r, m);
    INFO("got: " << ids(r.recipients[0].verdict));
    CHECK(r.recipients[0].verdict.lists.empty());
}

TEST_CASE("rules attribution: remote text still attributes next to masked addresses") {
    RuleSet set = test_rules();
    Matcher m(set);
    DeliveryReport r = report_with(
        "554 5.7.1 <zen@example.net>: Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; "
        "from=<sender@example.com> to=<zen@example.net>",
        "zen@example.net");
    attribute(r, m);
    const Verdict& v = r.recipients[0].verdict;
    INFO("got: " << ids(v));
    REQUIRE(v.lists.size() == 1);
    CHECK(v.lists[0].id == "spamhaus-zen");
    CHECK(v.lists[0].rule == "reject");
    CHECK(v.lists[0].listed == "192.0.2.1");
    CHECK(v.lists[0].evidence == "[192.0.2.1] blocked using zen.spamhaus.org");
    CHECK(v.provider.empty());
    CHECK_FALSE(v.receiver_resolver_error);
}

TEST_CASE("rules attribution: provider-internal hits set the provider; provider codes naming a list give both") {
    RuleSet set = test_rules();
    Matcher m(set);
    DeliveryReport r = report_with(
        "550 5.7.1 Unfortunately, messages from [192.0.2.5] weren't sent. Please contact your Internet service provider "
        "since part of their network is on our block list (S3150).");
    r.recipients.push_back(r.recipients[0]);
    r.recipients[1].diagnostic = "553 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL";
    attribute(r, m);
    const Verdict& a = r.recipients[0].verdict;
    INFO("first: " << ids(a));
    REQUIRE(a.lists.size() == 1);
    CHECK(a.lists[0].listed == "192.0.2.5");
    CHECK(a.provider == "ms-outlookcom");
    const Verdict& b = r.recipients[1].verdict;
    INFO("second: " << ids(b));
    REQUIRE(b.lists.size() == 2);
    CHECK(b.provider == "yahoo-aol");
    CHECK(((b.lists[0].id == "spamhaus-xbl" && b.lists[1].id == "yahoo-aol") ||
           (b.lists[0].id == "yahoo-aol" && b.lists[1].id == "spamhaus-xbl")));
}

TEST_CASE("rules attribution: a refused receiver resolver is a flag, not a listing") {
    RuleSet set = test_rules();
    Matcher m(set);
    DeliveryReport r = report_with("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; "
                                   "Error: open resolver; https://check.spamhaus.org/returnc/pub/192.0.2.1");
    r.recipients[0].verdict.lists.push_back(ListHit{"stale", "", "", "", 0});
    r.recipients[0].verdict.provider = "stale";
    attribute(r, m);
    const Verdict& v = r.recipients[0].verdict;
    INFO("got: " << ids(v));
    CHECK(v.receiver_resolver_error);
    CHECK(v.lists.empty());
    CHECK(v.provider.empty());
}

TEST_CASE("rules attribution: a record without diagnostic gets no hits") {
    RuleSet set = test_rules();
    Matcher m(set);
    DeliveryReport r = report_with("");
    r.original.present = true;
    r.original.subject = "blocked using zen.spamhaus.org";
    attribute(r, m);
    CHECK(r.recipients[0].verdict.lists.empty());
}

TEST_CASE("rules attribution: masking keeps length and remote text, hides local parts") {
    struct Case {
        const char* name;
        std::string text;
        std::string want;
    };
    const std::vector<Case> cases = {
        {"plain address", "to=<bob@example.net> ok", "to=<***@example.net> ok"},
        {"quoted with escaped quote", R"(<"a\"b c"@example.net>)", R"(<********@example.net>)"},
        {"at sign without domain kept", "550 @ 5.1.1 user@ unknown", "550 @ 5.1.1 user@ unknown"},
        {"subject colon to end of line", "x Subject: buy now\nnext line", "x Subject:********\nnext line"},
        {"no address, nothing masked", "554 Client host [192.0.2.1] blocked", "554 Client host [192.0.2.1] blocked"},
    };
    for (const auto& c : cases) {
        std::string name = c.name;
        CAPTURE(name);
        std::string got = mask_sender_controlled(c.text, {});
        CHECK(got.size() == c.text.size());
        CHECK(got == c.want);
    }
    CHECK(mask_sender_controlled("mailbox long.local.part.name unknown", {"long.local.part.name@example.net"}) ==
          "mailbox ******************** unknown");
    CHECK(mask_sender_controlled("for more info see postmaster", {"info@example.net"}) == "for more info see postmaster");
}

TEST_CASE("rules attribution: scrub_secrets replaces DQS keys everywhere") {
    struct Case {
        const char* name;
        std::string text;
        std::string want;
    };
    const std::vector<Case> cases = {
        {"zen keyed zone", "blocked using abcdefghijklmnopqrstuvwxyz.zen.dq.spamhaus.net", "blocked using <key>.zen.dq.spamhaus.net"},
        {"query name with ip", "2.0.0.127.ABCDEFGHIJKLMNOPQRSTUVWXYZ.sbl.dq.spamhaus.net", "2.0.0.127.<key>.sbl.dq.spamhaus.net"},
        {"key right before dq", "x aaaaabbbbbcccccdddddeeeee1.dq.spamhaus.com y", "x <key>.dq.spamhaus.com y"},
        {"two keys", "k1k1k1k1k1k1k1k1k1k1k1k1k1.zen.dq.spamhaus.net and k2k2k2k2k2k2k2k2k2k2k2k2k2.dbl.dq.spamhaus.net",
         "<key>.zen.dq.spamhaus.net and <key>.dbl.dq.spamhaus.net"},
        {"short label is not a key", "blocked using zen.dq.spamhaus.net", "blocked using zen.dq.spamhaus.net"},
        {"no dq zone untouched", "abcdefghijklmnopqrstuvwxyz.zen.spamhaus.org", "abcdefghijklmnopqrstuvwxyz.zen.spamhaus.org"},
        {"marker at start", ".dq.spamhaus.net", ".dq.spamhaus.net"},
    };
    for (const auto& c : cases) {
        std::string name = c.name;
        CAPTURE(name);
        CHECK(scrub_secrets(c.text) == c.want);
    }
}

TEST_CASE("rules attribution: hostile byte soup keeps lengths and never crashes") {
    RuleSet set = test_rules();
    Matcher m(set);
    std::string alphabet = "@\"<>\\ .:[]()-_\nSubject:zen.spamhaus.org blocked using 192.0.2.1 abcdefghijklmnopqrstuvwxyz.dq.\xc3\xbc";
    alphabet += std::string(1, '\0') + "\xff";
    std::uint32_t seed = 12345;
    auto next = [&] {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 16) & 0x7fffu;
    };
    for (int round = 0; round < 200; ++round) {
        std::string text;
        std::size_t len = next() % 3000;
        for (std::size_t i = 0; i < len; ++i) text += alphabet[next() % alphabet.size()];
        std::string masked = mask_sender_controlled(text, {text.substr(0, 40), "\"q\"@x.org"});
        REQUIRE(masked.size() == text.size());
        std::string scrubbed = scrub_secrets(text);
        CHECK(scrubbed.size() <= text.size()); // a key (20+ bytes) becomes "<key>"
        DeliveryReport r = report_with(text, text.substr(0, 60));
        attribute(r, m);
        for (const auto& hit : r.recipients[0].verdict.lists) CHECK(hit.evidence.size() <= 4096);
    }
    // Long runs of the characters the masker walks back over stay linear (no quadratic rescans).
    std::string quotes(16 * 1024, '"');
    for (std::size_t i = 0; i < quotes.size(); i += 2) quotes[i] = '@';
    CHECK(mask_sender_controlled(quotes, {}).size() == quotes.size());
    std::string angles = "<" + std::string(16 * 1024, 'a') + "@";
    CHECK(mask_sender_controlled(angles, {}).size() == angles.size());
}
