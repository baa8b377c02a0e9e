// Unit tests for classifiers/dsn.cpp: RFC 3464 / RFC 6533 delivery-status fields.
#include "classifiers/dsn.hpp"
#include "classifiers/limits.hpp"

#include <doctest/doctest.h>
#include <string>
#include <string_view>
#include <utility>

using namespace ndr::classifiers;

TEST_CASE("split_typed_value") {
    auto [t, v] = split_typed_value("RFC822; user@example.net ");
    CHECK(t == "rfc822");
    CHECK(v == "user@example.net");
    auto [t2, v2] = split_typed_value("550 5.1.1 no; type here");
    CHECK(t2 == "");
    CHECK(v2 == "550 5.1.1 no; type here");
}

TEST_CASE("normalise_address") {
    struct Row {
        const char* in;
        const char* want;
    };
    const Row rows[] = {
        {"user@Example.NET", "user@example.net"},
        {"<User@example.net>", "User@example.net"},
        {"rfc822;user@example.net", "user@example.net"},
        {"\"Name, X\" <u@example.org>", "u@example.org"},
        {"mailto:u@example.org", "u@example.org"},
        {"u@example.org (comment)", "u@example.org"},
        {"\"quoted local\"@example.com", "\"quoted local\"@example.com"},
        {"u@example.org.", "u@example.org"},
        {"", ""},
    };
    std::string into = "an address left over from before, longer than the small-string buffer";
    for (const auto& r : rows) {
        CHECK_MESSAGE(normalise_address(r.in) == r.want, r.in, ": got ", normalise_address(r.in));
        normalise_address(r.in, into);
        CHECK_MESSAGE(into == r.want, r.in, " (into a string): got ", into);
    }
}

TEST_CASE("decode_dsn_address") {
    CHECK(decode_dsn_address("\\x{E4}user@example.com") == "\xC3\xA4user@example.com");
    CHECK(decode_dsn_address("a+2Bb@example.com") == "a+b@example.com");
    CHECK(decode_dsn_address("a+tag@example.com") == "a+tag@example.com");
    CHECK(decode_dsn_address("\\x{ZZ}") == "\\x{ZZ}");
    std::string into = "left over";
    decode_dsn_address("\\x{E4}user@example.com", into);
    CHECK(into == "\xC3\xA4user@example.com");
    decode_dsn_address("plain@example.com", into);
    CHECK(into == "plain@example.com");
}

TEST_CASE("parse_action") {
    CHECK(parse_action("failed") == Action::failed);
    CHECK(parse_action(" Failed (bad mailbox)") == Action::failed);
    CHECK(parse_action("delayed") == Action::delayed);
    CHECK(parse_action("delivered") == Action::delivered);
    CHECK(parse_action("relayed") == Action::relayed);
    CHECK(parse_action("expanded") == Action::expanded);
    CHECK(parse_action("exploded") == Action::none);
}

TEST_CASE("delivery-status: groups, folding, disagreement, per-message fields") {
    DeliveryReport rep;
    std::size_t n = parse_delivery_status("Reporting-MTA: dns; mx.example.com\n"
                                          "Arrival-Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
                                          "\n"
                                          "Final-Recipient: rfc822; a@example.net\n"
                                          "Original-Recipient: rfc822; A@Example.NET\n"
                                          "Action: failed\n"
                                          "Status: 5.1.1\n"
                                          "Remote-MTA: dns; mx.example.net\n"
                                          "Diagnostic-Code: smtp; 550-5.1.1 The account\n"
                                          "    does not exist\n"
                                          "\n"
                                          "Final-Recipient: rfc822; b@example.net\n"
                                          "Action: delayed\n"
                                          "Status: 4.4.1\n"
                                          "Diagnostic-Code: smtp; 550 5.7.1 policy\n"
                                          "Will-Retry-Until: Fri, 5 Jan 2024 00:00:00 +0000\n",
                                          rep);
    REQUIRE(n == 2);
    CHECK(rep.reporting_mta == "mx.example.com");
    CHECK(rep.arrival_date == "Mon, 1 Jan 2024 00:00:00 +0000");
    const auto& a = rep.recipients[0];
    CHECK(a.final_recipient == "a@example.net");
    CHECK(a.original_recipient == "A@example.net");
    CHECK(a.action == Action::failed);
    CHECK(a.status == "5.1.1");
    CHECK(a.reply_code == 550);
    CHECK(a.diagnostic_type == "smtp");
    CHECK(a.diagnostic == "550-5.1.1 The account does not exist");
    CHECK(a.remote_mta == "mx.example.net");
    CHECK(a.format == "rfc3464");
    const auto& b = rep.recipients[1];
    CHECK(b.action == Action::delayed);
    CHECK(b.status == "4.4.1"); // disagreement with the 550 5.7.1 text: both kept
    CHECK(b.reply_code == 550);
    CHECK(b.will_retry_until == "Fri, 5 Jan 2024 00:00:00 +0000");
    CHECK(rep.anomalies.empty());
}

TEST_CASE("delivery-status: Final-Recipient before Original-Recipient, no blank line between records") {
    DeliveryReport rep;
    parse_delivery_status(
        "Final-Recipient: rfc822; a@example.net\nOriginal-Recipient: rfc822; o@example.net\n"
        "Action: failed\nStatus: 5.0.0\n"
        "Final-Recipient: rfc822; b@example.net\nAction: failed\nStatus: 5.0.0\n",
        rep);
    REQUIRE(rep.recipients.size() == 2);
    CHECK(rep.recipients[0].original_recipient == "o@example.net");
    CHECK(rep.recipients[1].final_recipient == "b@example.net");
}

TEST_CASE("delivery-status: invalid values") {
    DeliveryReport rep;
    parse_delivery_status("Final-Recipient: rfc822; a@example.net\nAction: exploded\nStatus: 9.9.9\n"
                          "Diagnostic-Code: smtp; 999 nonsense\n\n"
                          "Final-Recipient: rfc822; c@example.net\nStatus: 5.1.1\n",
                          rep);
    REQUIRE(rep.recipients.size() == 2);
    CHECK(rep.recipients[0].status == "");
    CHECK(rep.recipients[0].action == Action::none);
    CHECK(rep.recipients[0].reply_code == 0);
    CHECK(rep.has_anomaly("bad-status"));
    CHECK(rep.has_anomaly("bad-reply-code"));
    CHECK(rep.has_anomaly("malformed-dsn-field"));
}

TEST_CASE("delivery-status: status taken from the diagnostic when the field is missing") {
    DeliveryReport rep;
    parse_delivery_status("Final-Recipient: rfc822; a@example.net\nAction: failed\n"
                          "Diagnostic-Code: smtp; 550 5.2.2 mailbox full\n",
                          rep);
    REQUIRE(rep.recipients.size() == 1);
    CHECK(rep.recipients[0].status == "5.2.2");
}

TEST_CASE("delivery-status: non-SMTP diagnostic types carry no reply code") {
    DeliveryReport rep;
    parse_delivery_status("Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.0.0\n"
                          "Diagnostic-Code: X-Unix; 255\n",
                          rep);
    REQUIRE(rep.recipients.size() == 1);
    CHECK(rep.recipients[0].reply_code == 0);
    CHECK(rep.recipients[0].diagnostic == "255");
}

TEST_CASE("delivery-status: greeting code skipped for the failure's own code") {
    DeliveryReport rep;
    parse_delivery_status("Final-Recipient: rfc822; a@example.net\nAction: delayed\nStatus: 4.2.1\n"
                          "Diagnostic-Code: smtp; 220-mx.example.net 421 4.2.1 try later\n",
                          rep);
    REQUIRE(rep.recipients.size() == 1);
    CHECK(rep.recipients[0].reply_code == 421);
}

TEST_CASE("delivery-status: RFC 6533 utf-8 address") {
    DeliveryReport rep;
    parse_delivery_status("Final-Recipient: utf-8; j\\x{FC}rgen@example.de\nAction: failed\nStatus: 5.1.1\n",
                          rep);
    REQUIRE(rep.recipients.size() == 1);
    CHECK(rep.recipients[0].final_recipient == "j\xC3\xBCrgen@example.de");
}

TEST_CASE("delivery-status: diagnostic cap") {
    DeliveryReport rep;
    std::string body = "Final-Recipient: rfc822; a@example.net\nAction: failed\nDiagnostic-Code: smtp; 550 " +
                       std::string(k_max_diagnostic_bytes * 2, 'x') + "\n";
    parse_delivery_status(body, rep);
    REQUIRE(rep.recipients.size() == 1);
    CHECK(rep.recipients[0].diagnostic.size() <= k_max_diagnostic_bytes);
    CHECK(rep.has_anomaly("diagnostic-truncated"));
}

TEST_CASE("set_diagnostic for vendor modules") {
    DeliveryReport rep;
    RecipientRecord r;
    set_diagnostic(r, "", "  554   5.7.1   blocked \n by policy", rep);
    CHECK(r.diagnostic == "554 5.7.1 blocked by policy");
    CHECK(r.reply_code == 554);
    // A second diagnostic replaces the first, also when it is read from the record's own text.
    set_diagnostic(r, "SMTP", "short", rep);
    CHECK(r.diagnostic == "short");
    CHECK(r.diagnostic_type == "smtp");
    r.diagnostic = "  550   a text   longer than the small-string buffer ";
    set_diagnostic(r, "", std::string_view(r.diagnostic).substr(2), rep);
    CHECK(r.diagnostic == "550 a text longer than the small-string buffer");
}

TEST_CASE("delivery-status: Action before Final-Recipient, Original-Recipient last (Amazon SES order)") {
    DeliveryReport rep;
    parse_delivery_status("Action: failed\nFinal-Recipient: rfc822; a@example.net\n"
                          "Original-Recipient: rfc822; a@example.net\nDiagnostic-Code: smtp; 550 5.1.1 no\n"
                          "Status: 5.1.1\n",
                          rep);
    REQUIRE(rep.recipients.size() == 1);
    CHECK(rep.recipients[0].action == Action::failed);
    CHECK(rep.recipients[0].status == "5.1.1");
}

TEST_CASE("normalise_address: the address ends at the first blank, line break or comment, at any offset") {
    for (std::size_t k = 1; k < 40; ++k) {
        const std::string local(k, 'a');
        for (const char* end : {" (comment)", "(comment)", "\tx", "\r\n", " <not@this>x"}) {
            const std::string want = local + "@example.com";
            CHECK(
                normalise_address(local + "@Example.COM" + end) ==
                (std::string_view(end).find('<') == std::string_view::npos ? want : std::string("not@this")));
        }
        CHECK(normalise_address("rfc822; " + local + "@x.ORG") == local + "@x.org");
        CHECK(normalise_address("Name <" + local + "@X.org> (c)") == local + "@x.org");
    }
}

TEST_CASE("delivery-status: field names in any case; names of the same length told apart") {
    DeliveryReport rep;
    std::size_t n = parse_delivery_status("REPORTING-MTA: dns; mx.example.com\n"
                                          "arrival-date: Mon, 1 Jan 2024 00:00:00 +0000\n"
                                          "\n"
                                          "final-recipient: rfc822; a@example.net\n"
                                          "X-ACTUAL-RECIPIENT: rfc822; x@example.net\n"
                                          "original-RECIPIENT: rfc822; o@example.net\n"
                                          "STATUS: 5.1.1\n"
                                          "aCTION: failed\n"
                                          "Final-Log-ID: 12345\n"
                                          "remote-mta: dns; mx.example.net\n"
                                          "DIAGNOSTIC-CODE: smtp; 550 5.1.1 unknown\n"
                                          "last-attempt-date: Tue, 2 Jan 2024 00:00:00 +0000\n"
                                          "WILL-RETRY-UNTIL: Fri, 5 Jan 2024 00:00:00 +0000\n"
                                          "x-powermta-bouncecategory: bad-mailbox\n"
                                          "Statux: 4.0.0\n"
                                          "Actiom: delayed\n",
                                          rep);
    REQUIRE(n == 1);
    const RecipientRecord& r = rep.recipients[0];
    CHECK(r.action == Action::failed);
    CHECK(r.verdict.reason == Reason::userunknown);
    // Each field read into its own place (as got, want).
    const std::pair<std::string_view, std::string_view> fields[] = {
        {rep.reporting_mta, "mx.example.com"},
        {rep.arrival_date, "Mon, 1 Jan 2024 00:00:00 +0000"},
        {r.final_recipient, "a@example.net"},
        {r.original_recipient, "o@example.net"},
        {r.status, "5.1.1"},
        {r.remote_mta, "mx.example.net"},
        {r.diagnostic, "550 5.1.1 unknown"},
        {r.last_attempt, "Tue, 2 Jan 2024 00:00:00 +0000"},
        {r.will_retry_until, "Fri, 5 Jan 2024 00:00:00 +0000"},
    };
    for (const auto& [got, want] : fields)
        CHECK(got == want);
}
