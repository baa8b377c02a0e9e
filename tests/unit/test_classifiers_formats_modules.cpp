// Unit tests for the vendor-format modules (classifiers/formats/*.cpp) through the registry: one small
// inline message per template, what each must extract, negatives, and the enrichment of RFC 3464
// records from the vendor text.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "classifiers/formats/format.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/mime.hpp"

using namespace ndr::classifiers;

namespace {

struct Want {
    std::string_view recipient;
    std::string_view status;
    int reply_code;
    Action action;
};

struct Row {
    std::string_view name;
    std::string_view raw;
    std::string_view format;
    std::vector<Want> records;
};

// A failed record as the RFC 3464 pass leaves it, and a report of such records.
RecipientRecord rfc3464_record(std::string_view recipient, std::string_view status) {
    RecipientRecord r;
    r.final_recipient = std::string(recipient);
    r.action = Action::failed;
    r.status = std::string(status);
    r.format = "rfc3464";
    return r;
}

DeliveryReport rfc3464_report(std::vector<RecipientRecord> records) {
    DeliveryReport dsn;
    dsn.recipients = std::move(records);
    dsn.format = "rfc3464";
    return dsn;
}

DeliveryReport run(std::string_view raw, DeliveryReport rep = {}) {
    const ParsedMessage msg = parse_mime(raw);
    formats::apply_vendor_formats(msg, rep);
    return rep;
}

void check_row(const Row& row) {
    const DeliveryReport rep = run(row.raw);
    INFO("module case: ", row.name);
    CHECK_MESSAGE(rep.format == row.format, "format got: ", rep.format, " want: ", row.format);
    REQUIRE_MESSAGE(rep.recipients.size() == row.records.size(), "records got: ", rep.recipients.size(),
                    " want: ", row.records.size());
    for (std::size_t i = 0; i < row.records.size(); ++i) {
        const auto& g = rep.recipients[i];
        const auto& w = row.records[i];
        CHECK_MESSAGE(g.final_recipient == w.recipient, "recipient got: ", g.final_recipient, " want: ", w.recipient);
        CHECK_MESSAGE(g.status == w.status, "status got: ", g.status, " want: ", w.status);
        CHECK_MESSAGE(g.reply_code == w.reply_code, "reply got: ", g.reply_code, " want: ", w.reply_code);
        CHECK_MESSAGE(g.action == w.action, "action got: ", to_string(g.action), " want: ", to_string(w.action));
    }
}

} // namespace

TEST_CASE("formats: each vendor template yields its records") {
    const std::vector<Row> rows = {
        {"exim", "From: Mail Delivery System <Mailer-Daemon@mail.example.com>\n"
                 "Subject: Mail delivery failed: returning message to sender\n\n"
                 "This message was created automatically by mail delivery software.\n\n"
                 "A message that you sent could not be delivered to one or more of its\n"
                 "recipients. This is a permanent error. The following address(es) failed:\n\n"
                 "  bob@example.net\n"
                 "    SMTP error from remote mail server after RCPT TO:<bob@example.net>:\n"
                 "    host mx.example.net [192.0.2.10]: 550 5.1.1 <bob@example.net>: User unknown\n\n"
                 "------ This is a copy of the message, including all the headers. ------\n\n"
                 "Subject: hi\n\nbody\n",
         "exim", {{"bob@example.net", "5.1.1", 550, Action::failed}}},
        {"exim pipe via X-Failed-Recipients", "From: Mail Delivery System <Mailer-Daemon@mail.example.com>\n"
                 "X-Failed-Recipients: carol@example.org\n"
                 "Subject: Mail delivery failed: returning message to sender\n\n"
                 "This message was created automatically by mail delivery software.\n\n"
                 "A message that you sent could not be delivered to one or more of its\n"
                 "recipients. This is a permanent error. The following address(es) failed:\n\n"
                 "  save to /var/mail/carol\n"
                 "    mailbox is full: retry timeout exceeded\n",
         "exim", {{"carol@example.org", "", 0, Action::failed}}},
        {"exim delay", "From: Mail Delivery System <Mailer-Daemon@mail.example.com>\n"
                 "Subject: Warning: message 1vAbCd-000123-Xy delayed 24 hours\n\n"
                 "This message was created automatically by mail delivery software.\n"
                 "A message that you sent has not yet been delivered to one or more of its\n"
                 "recipients after more than 24 hours on the queue on mail.example.com.\n\n"
                 "The address to which the message has not yet been delivered is:\n\n"
                 "  dave@example.org\n"
                 "    Delay reason: SMTP error from remote mail server after RCPT TO:<dave@example.org>:\n"
                 "    host mx.example.org [203.0.113.5]: 451 4.7.1 Greylisted\n",
         "exim", {{"dave@example.org", "4.7.1", 451, Action::delayed}}},
        {"qmail", "From: MAILER-DAEMON@mx.example.com\nSubject: failure notice\n\n"
                  "Hi. This is the qmail-send program at mx.example.com.\n"
                  "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
                  "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
                  "<erin@example.net>:\n"
                  "Remote host said: 550 5.1.1 <erin@example.net>... User unknown\n\n"
                  "--- Below this line is a copy of the message.\n\nSubject: hi\n\nbody\n",
         "qmail", {{"erin@example.net", "5.1.1", 550, Action::failed}}},
        {"yahoo", "From: MAILER-DAEMON@yahoo.example.com\nSubject: Failure Notice\n\n"
                  "Sorry, we were unable to deliver your message to the following address.\n\n"
                  "<frank@example.org>:\n"
                  "Remote host said: 552 5.2.2 <frank@example.org>... Mailbox Full [RCPT_TO]\n\n"
                  "--- Below this line is a copy of the message.\n",
         "yahoo", {{"frank@example.org", "5.2.2", 552, Action::failed}}},
        {"gmail", "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\n"
                  "Subject: Delivery Status Notification (Failure)\n\n"
                  "Delivery to the following recipient failed permanently:\n\n"
                  "     grace@example.net\n\n"
                  "Technical details of permanent failure:\n"
                  "Google tried to deliver your message, but it was rejected by the server for the recipient "
                  "domain example.net by mx.example.net. [192.0.2.30].\n\n"
                  "The error that the other server returned was:\n"
                  "550 5.1.1 <grace@example.net>... User unknown (state 14).\n\n"
                  "----- Original message -----\n",
         "gmail", {{"grace@example.net", "5.1.1", 550, Action::failed}}},
        {"opensmtpd delay", "From: Mailer Daemon <MAILER-DAEMON@mail.example.com>\n"
                  "Subject: Delivery status notification: warning\n\n"
                  "    This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\n\n"
                  "    A message is delayed for more than 10 minutes for the following\n"
                  "    list of recipients:\n\n"
                  "heidi@example.net: Network error on destination MXs\n\n"
                  "    Below is a copy of the original message:\n",
         "opensmtpd", {{"heidi@example.net", "", 0, Action::delayed}}},
        {"sendmail v5", "From: Mail Delivery Subsystem <MAILER-DAEMON@mail.example.com>\n"
                  "Subject: Returned mail: Host unknown\n\n"
                  "   ----- Transcript of session follows -----\n"
                  "554 <judy@example.invalid>... 550 Host unknown (Authoritative answer from name server)\n"
                  "   ----- Unsent message follows -----\n",
         "sendmail", {{"judy@example.invalid", "", 550, Action::failed}}},
        {"postfix text", "From: MAILER-DAEMON@mail.example.com (Mail Delivery System)\n"
                  "Subject: Undelivered Mail Returned to Sender\n\n"
                  "This is the mail system at host mail.example.com.\n\n"
                  "<mallory@example.org>: host mx.example.org[203.0.113.25] said: 550 5.1.1\n"
                  "    <mallory@example.org>: Recipient address rejected: User unknown (in reply to\n"
                  "    RCPT TO command)\n",
         "postfix", {{"mallory@example.org", "5.1.1", 550, Action::failed}}},
        {"dragonfly", "From: MAILER-DAEMON <>\nSubject: Mail delivery failed\n\n"
                  "This is the DragonFly Mail Agent v0.13 at mail.example.com.\n\n"
                  "There was an error delivering your mail to <rupert@example.org>.\n\n"
                  "mx.example.org [203.0.113.30] did not like our RCPT TO:\n"
                  "550 5.1.1 <rupert@example.org>: Recipient address rejected: User unknown\n\n"
                  "Message headers follow.\n",
         "dragonfly", {{"rupert@example.org", "5.1.1", 550, Action::failed}}},
        {"exchange new", "From: postmaster@example.com\nSubject: Undeliverable: hi\n\n"
                  "Diagnostic information for administrators:\n\n"
                  "Generating server: mbx1.example.com\n\n"
                  "trent@example.net\n"
                  "Remote Server returned '550 5.7.1 Service unavailable; Client host [192.0.2.9] blocked'\n\n"
                  "Original message headers:\n",
         "exchange", {{"trent@example.net", "5.7.1", 550, Action::failed}}},
        {"exchange2003", "From: System Administrator <postmaster@example.com>\nSubject: Undeliverable: hi\n\n"
                  "did not reach the following recipient(s):\n\n"
                  "victor@example.com on Mon, 2 Mar 2026 10:00:05 +0000\n"
                  "    The recipient name is not recognized\n"
                  "    MSEXCH:IMS:EXAMPLE:SITE:MAIL 0 (000C05A6) Unknown Recipient\n",
         "exchange2003", {{"victor@example.com", "", 0, Action::failed}}},
        {"domino", "From: Postmaster@example.com\nSubject: DELIVERY FAILURE: User walter not listed\n\n"
                  "Your message\n\n  Subject: hi\n\nwas not delivered to:\n\n  walter@example.com\n\n"
                  "because:\n\n  User walter (walter@example.com) not listed in Domino Directory\n",
         "domino", {{"walter@example.com", "", 0, Action::failed}}},
        {"zoho", "From: mailer-daemon@mail.zoho.com\nX-ZohoMail: x\nSubject: Undelivered Mail\n\n"
                 "uma@example.net Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <uma@example.net>... User unknown\n",
         "zoho", {{"uma@example.net", "5.1.1", 550, Action::failed}}},
        {"x3", "From: Mail Delivery System <Mail.Delivery.System@mx.example.com>\n\n"
               "      This is an automatically generated Delivery Status Notification.\n"
               "Delivery to the following recipients failed permanently:\n"
               "   * yolanda@example.net\n"
               "==========\n"
               "                             Technical details:\n"
               "SMTP:RCPT host 192.0.2.8: 553 5.3.0 <yolanda@example.net>... No such user here\n"
               "==========\n",
         "x3", {{"yolanda@example.net", "5.3.0", 553, Action::failed}}},
        {"mfilter", "From: POSTMASTER <postmaster@example.com>\nX-Mailer: m-FILTER\n\n"
                    "xavier@example.org\n-------server message\n550 5.1.1 <xavier@example.org>: User unknown\n"
                    "-------SMTP command\nRCPT\n-------original message\n",
         "mfilter", {{"xavier@example.org", "5.1.1", 550, Action::failed}}},
        {"amazonses json", "From: AWS Notifications <no-reply@sns.amazonaws.com>\nx-amz-sns-message-id: 1\n\n"
                  "{\"Type\":\"Notification\",\"Message\":\"{\\\"notificationType\\\":\\\"Bounce\\\",\\\"bounce\\\":"
                  "{\\\"bouncedRecipients\\\":[{\\\"emailAddress\\\":\\\"zara@example.net\\\",\\\"action\\\":\\\"failed\\\","
                  "\\\"status\\\":\\\"5.1.1\\\",\\\"diagnosticCode\\\":\\\"smtp; 550 5.1.1 user unknown\\\"}]}}\"}\n",
         "amazonses", {{"zara@example.net", "5.1.1", 550, Action::failed}}},
    };
    for (const auto& row : rows) check_row(row);
}

TEST_CASE("formats: a message in no vendor format is left alone") {
    const DeliveryReport rep = run("From: alice@example.com\nSubject: lunch\n\nSee you at noon, bob@example.net.\n");
    CHECK(rep.recipients.empty());
    CHECK(rep.format.empty());
}

TEST_CASE("formats: detection does not claim an opener buried past the detection window") {
    std::string raw = "From: alice@example.com\nSubject: forwarded\n\n";
    raw += std::string(20000, 'a');
    raw += "\nHi. This is the qmail-send program at mx.example.com.\n\n<x@example.net>:\n550 no\n";
    const DeliveryReport rep = run(raw);
    CHECK(rep.recipients.empty());
}

TEST_CASE("formats: vendor text enriches a generic RFC 3464 record without replacing its recipient") {
    // OpenSMTPD writes "Status: 5.0.0" and no Diagnostic-Code; the reply is only in the text.
    const DeliveryReport dsn = rfc3464_report({rfc3464_record("ann@example.net", "5.0.0")});
    const DeliveryReport rep =
        run("From: Mailer Daemon <MAILER-DAEMON@mail.example.com>\n\n"
            "    This is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\n\n"
            "    An error has occurred while attempting to deliver a message for\n"
            "    the following list of recipients:\n\n"
            "ann@example.net: 550 5.7.26 <ann@example.net>: Multiple authentication checks failed\n"
            "other@example.net: 550 5.1.1 unknown\n\n"
            "    Below is a copy of the original message:\n",
            dsn);
    REQUIRE(rep.recipients.size() == 1);
    CHECK(rep.format == "opensmtpd");
    CHECK(rep.recipients[0].final_recipient == "ann@example.net");
    CHECK(rep.recipients[0].status == "5.7.26");
    CHECK(rep.recipients[0].reply_code == 550);
    CHECK_FALSE(rep.recipients[0].diagnostic.empty());
}

TEST_CASE("formats: enriching keeps the codes a record has and takes only the missing ones from the text") {
    // The registry reads from the vendor's diagnostics only the codes some RFC 3464 record lacks:
    // here every record has a specific status and a reply code, one lacks the command.
    RecipientRecord a = rfc3464_record("ann@example.net", "5.2.2");
    a.reply_code = 552;
    a.smtp_command = "DATA";
    a.diagnostic = "552 5.2.2 Mailbox full";
    RecipientRecord b = a;
    b.final_recipient = "bob@example.net";
    b.smtp_command.clear();
    const DeliveryReport dsn = rfc3464_report({a, b});
    std::string text = "From: MAILER-DAEMON@mx.example.com (Mail Delivery System)\n\n"
                       "This is the mail system at host mx.example.com.\n\n";
    for (const std::string_view to : {"ann@example.net", "bob@example.net"})
        ((text += '<') += to) += ">: host mx.example.net[192.0.2.1] said: 550 5.1.1 User\n"
                                 "    unknown (in reply to RCPT TO command)\n\n";
    const DeliveryReport rep = run(text, dsn);
    REQUIRE(rep.recipients.size() == 2);
    CHECK(rep.format == "postfix");
    for (const auto& r : rep.recipients) {
        CHECK(r.status == "5.2.2");
        CHECK(r.reply_code == 552);
        CHECK(r.diagnostic == "552 5.2.2 Mailbox full");
        CHECK(r.remote_mta == "mx.example.net[192.0.2.1]");
    }
    CHECK(rep.recipients[0].smtp_command == "DATA");
    CHECK(rep.recipients[1].smtp_command == "RCPT");
}

TEST_CASE("formats: a specific status in the diagnostic beats a generic or disagreeing Status field") {
    struct Case {
        std::string_view status, diagnostic, want;
    };
    const Case cases[] = {
        {"5.0.0", "550 5.7.1 Connections not accepted from servers without a valid sender domain", "5.7.1"},
        {"4.4.7", "450 4.7.1 Access denied. IP name lookup failed", "4.7.1"},
        {"5.1.1", "550 5.1.1 User unknown", "5.1.1"},
        {"5.2.2", "Mailbox full", "5.2.2"},
    };
    for (const auto& c : cases) {
        DeliveryReport dsn;
        RecipientRecord r;
        r.final_recipient = "a@example.net";
        r.action = Action::failed;
        r.status = std::string(c.status);
        r.diagnostic = std::string(c.diagnostic);
        dsn.recipients.push_back(r);
        const DeliveryReport rep = run("From: x@example.com\n\nno vendor text\n", dsn);
        CHECK_MESSAGE(rep.recipients[0].status == c.want, "status ", c.status, " diag '", c.diagnostic,
                      "' got: ", rep.recipients[0].status, " want: ", c.want);
    }
}

TEST_CASE("formats: hostile inputs end without a crash and with bounded records") {
    std::string raw = "From: Mail Delivery System <Mailer-Daemon@mail.example.com>\n\n"
                      "This message was created automatically by mail delivery software.\n"
                      "The following address(es) failed:\n";
    for (int i = 0; i < 3000; ++i) raw += "  u" + std::to_string(i) + "@example.net\n    550 no\n";
    raw += std::string(70000, '<') + "\n";
    raw += "{\"notificationType\":" + std::string(5000, '[') + "\n";
    const DeliveryReport rep = run(raw);
    CHECK(rep.recipients.size() == 3000);
    const DeliveryReport json = run("From: x <no-reply@sns.amazonaws.com>\nx-amz-sns-message-id: 1\n\n{" +
                                    std::string(100000, '[') + "\n");
    CHECK(json.recipients.empty());
}

TEST_CASE("formats: a module's records stop at k_max_recipients with an anomaly") {
    // The modules that read records one after another (Exchange's list, Postfix's address blocks)
    // keep the first k_max_recipients and say they dropped the rest.
    std::string exchange = "From: postmaster@example.com\n\nDiagnostic information for administrators:\n";
    std::string postfix =
        "From: MAILER-DAEMON@example.com\n\nThis is the mail system at host mx.example.com.\n\n";
    for (std::size_t i = 0; i < k_max_recipients + 5; ++i) {
        const std::string a = "u" + std::to_string(i) + "@example.net";
        exchange += a + "\n#550 5.1.1 unknown ##\n";
        postfix += "<" + a + ">: host mx.example.net[192.0.2.1] said: 550 5.1.1 unknown\n\n";
    }
    for (const std::string* raw : {&exchange, &postfix}) {
        const DeliveryReport rep = run(*raw);
        CHECK(rep.recipients.size() == k_max_recipients);
        CHECK(rep.recipients.back().final_recipient ==
              "u" + std::to_string(k_max_recipients - 1) + "@example.net");
        CHECK(rep.has_anomaly("too-many-recipients"));
    }
}
