// test_agent_drafts_plan.cpp — agent/drafts/plan: the action per removal method, fix-first gating,
// the facts a draft carries, and header safety of the composed message.
#include "agent/drafts/plan.hpp"

#include <doctest/doctest.h>

using namespace ndr::agent;
using namespace ndr::agent::drafts;
namespace rules = ndr::classifiers::rules;

namespace {

store::IncidentDetail incident(const std::string& system, const std::string& listed) {
    store::IncidentDetail d;
    d.summary.id = 7;
    d.summary.system = system;
    d.summary.listed = listed;
    d.summary.status = "open";
    d.summary.bounces = 2;
    d.summary.records = 2;
    d.summary.first_seen = 1'796'000'000;
    d.summary.last_seen = 1'796'003'600;
    d.summary.recipient_domains = {{"example.net", 2}};
    d.rejections.push_back({1'796'000'000, "example.net", "mx.example.net",
                            "554 5.7.1 Client host [192.0.2.25] blocked using xbl.spamhaus.org"});
    d.sending_ips = {"192.0.2.25"};
    d.sending_rdns = {"mail.example.com"};
    return d;
}

IdentitySettings identity() {
    IdentitySettings id;
    id.domains = {"example.com"};
    id.helo_names = {"mail.example.com"};
    id.admin_name = "Alice Admin";
    id.admin_email = "postmaster@example.com";
    return id;
}

rules::Blocklist list(rules::RemovalMethod method, bool fix_first) {
    rules::Blocklist b;
    b.id = "test-list";
    b.name = "Test List";
    b.fix_first = fix_first;
    b.removal.method = method;
    b.removal.url = "https://removal.example.org/form";
    b.removal.address = "delist@example.org";
    b.removal.expiry_hours = 24;
    return b;
}

} // namespace

TEST_CASE("plan: each removal method gives its action") {
    const auto d = incident("test-list", "192.0.2.25");
    const auto form = list(rules::RemovalMethod::form, false);
    auto p = plan_incident(d, &form, identity());
    CHECK(p.action == "form");
    CHECK(p.has_draft);
    CHECK(p.text.url == "https://removal.example.org/form");
    CHECK(p.text.recipient.empty());
    const auto email = list(rules::RemovalMethod::email, false);
    p = plan_incident(d, &email, identity());
    CHECK(p.action == "email");
    CHECK(p.text.recipient == "delist@example.org");
    const auto expiry = list(rules::RemovalMethod::expiry, false);
    p = plan_incident(d, &expiry, identity());
    CHECK(p.action == "expiry");
    CHECK_FALSE(p.has_draft);
    CHECK(p.clears_at == d.summary.last_seen + 24 * 3600);
    const auto none = list(rules::RemovalMethod::none, false);
    p = plan_incident(d, &none, identity());
    CHECK(p.action == "postmaster-note");
    CHECK(p.text.recipient == "postmaster@example.net");
    const auto provider = list(rules::RemovalMethod::provider, false);
    CHECK(plan_incident(d, &provider, identity()).action == "remote-admin-note");
    p = plan_incident(d, nullptr, identity());
    CHECK(p.action == "remote-admin-note");
    CHECK(p.text.recipient == "postmaster@example.net");
    auto resolver = d;
    resolver.summary.resolver_errors = 2;
    p = plan_incident(resolver, &form, identity());
    CHECK(p.action == "resolver-note");
    CHECK(p.text.recipient == "postmaster@example.net");
}

TEST_CASE("plan: a fix-first list drafts nothing until the remediation is recorded") {
    auto d = incident("test-list", "192.0.2.25");
    const auto form = list(rules::RemovalMethod::form, true);
    auto p = plan_incident(d, &form, identity());
    CHECK(p.fix_first);
    CHECK(p.waiting_for_fix);
    CHECK_FALSE(p.has_draft);
    CHECK(remediation_checklist().size() == 5);
    d.summary.remediation = "reimaged the laptop";
    d.summary.remediated_at = 1'796'010'000;
    p = plan_incident(d, &form, identity());
    CHECK_FALSE(p.waiting_for_fix);
    CHECK(p.has_draft);
    CHECK(p.text.body.find("reimaged the laptop") != std::string::npos);
}

TEST_CASE("plan: the draft carries IPs, HELO, rDNS, domains, UTC times, verbatim lines and contact") {
    const auto d = incident("test-list", "192.0.2.25");
    const auto email = list(rules::RemovalMethod::email, false);
    const auto body = plan_incident(d, &email, identity()).text.body;
    for (const char* want : {"Sending IP address(es): 192.0.2.25", "HELO name(s): mail.example.com",
                             "Reverse DNS (as the next hop saw it): mail.example.com",
                             "Sending domain(s): example.com", "Recipient domain(s): example.net",
                             "554 5.7.1 Client host [192.0.2.25] blocked using xbl.spamhaus.org",
                             "Alice Admin <postmaster@example.com>"})
        CHECK_MESSAGE(body.find(want) != std::string::npos, want);
}

TEST_CASE("plan: the looked-up reverse DNS stands in for a Received field that did not show it") {
    auto d = incident("test-list", "192.0.2.25");
    const auto email = list(rules::RemovalMethod::email, false);
    d.sending_rdns.clear();
    auto body = plan_incident(d, &email, identity()).text.body;
    CHECK(body.find("Reverse DNS (as the next hop saw it): (not shown in the returned headers)") != std::string::npos);
    d.reverse_dns = {"192.0.2.25 -> mail.example.com (forward-confirmed)", "192.0.2.26 -> (no PTR\r\nBcc: x)"};
    body = plan_incident(d, &email, identity()).text.body;
    CHECK(body.find("not shown in the returned headers") == std::string::npos);
    CHECK(body.find("Reverse DNS (looked up): 192.0.2.25 -> mail.example.com (forward-confirmed); 192.0.2.26 -> "
                    "(no PTR") != std::string::npos);
    CHECK(body.find("\nBcc:") == std::string::npos);
    d.sending_rdns = {"mail.example.com"}; // both, when the Received field showed one
    body = plan_incident(d, &email, identity()).text.body;
    CHECK(body.find("Reverse DNS (as the next hop saw it): mail.example.com\n") != std::string::npos);
    CHECK(body.find("Reverse DNS (looked up): 192.0.2.25") != std::string::npos);
}

TEST_CASE("compose: NDR text cannot inject headers") {
    store::Draft d;
    d.id = 3;
    d.kind = "email";
    d.recipient = "delist@example.org\r\nBcc: evil@example.net";
    d.subject = "Removal\r\nBcc: evil@example.net";
    d.body = "line one\nBcc: not a header\n";
    d.message_id = "ndr-triage.draft3.r1.ab@example.com";
    auto id = identity();
    id.admin_name = "Alice\r\nX-Evil: 1";
    const auto m = compose_message(d, id, 1'796'000'000);
    const auto headers = m.substr(0, m.find("\r\n\r\n"));
    CHECK(headers.find("\r\nBcc:") == std::string::npos);
    CHECK(headers.find("\r\nX-Evil") == std::string::npos);
    CHECK(headers.find("To: ") == std::string::npos); // the bad address is dropped, not repaired
    CHECK(headers.find("Subject: Removal Bcc: evil@example.net") != std::string::npos);
    CHECK(headers.find("Message-ID: <ndr-triage.draft3.r1.ab@example.com>") != std::string::npos);
    CHECK(m.find("\r\n\r\nline one\r\nBcc: not a header\r\n") != std::string::npos);
    CHECK(safe_address("a@example.com") == "a@example.com");
    CHECK(safe_address("a@b@example.com").empty());
    CHECK(safe_address("<a@example.com>").empty());
    CHECK(safe_address("PostMaster@Example.NET") == "postmaster@example.net");
}

TEST_CASE("compose: a non-ASCII subject is RFC 2047 encoded") {
    store::Draft d;
    d.subject = "Löschung";
    const auto m = compose_message(d, identity(), 0);
    CHECK(m.find("Subject: =?UTF-8?B?") != std::string::npos);
}

TEST_CASE("compose: an ASCII body goes as 7bit, unchanged") {
    store::Draft d;
    d.body = "Hello,\nplease remove 192.0.2.25 = our server.\n";
    const auto m = compose_message(d, identity(), 0);
    CHECK(m.find("Content-Transfer-Encoding: 7bit\r\n") != std::string::npos);
    CHECK(m.find("\r\n\r\nHello,\r\nplease remove 192.0.2.25 = our server.\r\n") != std::string::npos);
}

TEST_CASE("compose: a non-ASCII or overlong body is quoted-printable, lines within 76") {
    store::Draft d;
    d.body = "Grüße, = Zoë \n" + std::string(1200, 'x') + "\n";
    const auto m = compose_message(d, identity(), 0);
    CHECK(m.find("Content-Transfer-Encoding: quoted-printable\r\n") != std::string::npos);
    CHECK(m.find("8bit") == std::string::npos);
    const auto body = m.substr(m.find("\r\n\r\n") + 4);
    CHECK(body.starts_with("Gr=C3=BC=C3=9Fe, =3D Zo=C3=AB=20\r\n"));
    std::size_t pos = 0, longest = 0, xs = 0;
    while (pos < body.size()) {
        const auto end = body.find("\r\n", pos);
        REQUIRE(end != std::string::npos);
        longest = std::max(longest, end - pos);
        for (std::size_t i = pos; i < end; ++i) xs += body[i] == 'x';
        pos = end + 2;
    }
    CHECK(longest <= 76);
    CHECK(xs == 1200); // soft breaks only: nothing lost
    for (const char c : body) CHECK(static_cast<unsigned char>(c) < 0x80);
}
