// test_classifiers_classify.cpp — classify(): reason, hard and temporary per record from (kind,
// action, status, reply code, SMTP command, diagnostic text), following Sisimai 5's semantics.
#include <doctest/doctest.h>

#include <string>

#include "classifiers/classify.hpp"

using namespace ndr::classifiers;

namespace {

struct Row {
    const char* name;
    Kind kind;
    Action action;
    const char* status;
    int reply;
    const char* command;
    const char* diagnostic;
    const char* format;
    const char* remote_mta;
    Reason want;
    bool want_hard;
    bool want_temporary;
};

Verdict run(const Row& row)
{
    DeliveryReport report;
    report.kind = row.kind;
    RecipientRecord rec;
    rec.final_recipient = "user@example.org";
    rec.action = row.action;
    rec.status = row.status;
    rec.reply_code = row.reply;
    rec.smtp_command = row.command;
    rec.diagnostic = row.diagnostic;
    rec.diagnostic_type = "smtp";
    rec.format = row.format;
    rec.remote_mta = row.remote_mta;
    report.recipients.push_back(rec);
    classify(report);
    return report.recipients[0].verdict;
}

} // namespace

TEST_CASE("classify: table of records")
{
    const Row rows[] = {
        {"user unknown by status", Kind::failed, Action::failed, "5.1.1", 550, "RCPT",
         "550 5.1.1 <user@example.org>: Recipient address rejected: User unknown in local recipient table", "postfix", "",
         Reason::userunknown, true, false},
        {"mailbox full wins over user-unknown status", Kind::failed, Action::failed, "5.1.1", 550, "RCPT",
         "550 5.1.1 mailbox full", "", "", Reason::mailboxfull, false, false},
        {"quota deferral is temporary", Kind::delayed, Action::delayed, "4.2.2", 452, "RCPT",
         "452 4.2.2 Mailbox full", "", "", Reason::mailboxfull, false, true},
        {"unknown host", Kind::failed, Action::failed, "5.1.2", 0, "", "Host or domain name not found", "", "",
         Reason::hostunknown, true, false},
        {"blocked by a DNSBL", Kind::failed, Action::failed, "5.7.1", 554, "RCPT",
         "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", "", "",
         Reason::blocked, false, false},
        {"ptr required", Kind::failed, Action::failed, "5.7.25", 550, "MAIL",
         "550-5.7.25 The IP address sending this message does not have a PTR record setup", "", "",
         Reason::requireptr, false, false},
        {"dmarc failure", Kind::failed, Action::failed, "5.7.26", 550, "DATA",
         "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy", "", "",
         Reason::authfailure, false, false},
        {"spam after data", Kind::failed, Action::failed, "5.7.1", 550, "DATA", "550 5.7.1 Message rejected as spam",
         "", "", Reason::spamdetected, false, false},
        {"sender rejected at MAIL", Kind::failed, Action::failed, "5.1.8", 553, "MAIL",
         "553 5.1.8 <a@example.com>... Domain of sender address a@example.com does not exist", "", "",
         Reason::rejected, false, false},
        {"delayed without a reason gives expired", Kind::delayed, Action::delayed, "4.0.0", 0, "",
         "", "", "", Reason::expired, false, true},
        {"delayed with a reason keeps it", Kind::delayed, Action::delayed, "4.0.0", 421, "",
         "421 Too many connections from your host.", "", "", Reason::toomanyconn, false, true},
        {"delivered", Kind::delivered, Action::delivered, "2.1.5", 250, "", "250 2.1.5 OK", "", "",
         Reason::delivered, false, false},
        {"feedback report", Kind::feedback, Action::none, "", 0, "", "", "", "", Reason::feedback, false, false},
        {"auto-reply", Kind::auto_reply, Action::none, "", 0, "", "I am out of the office", "", "", Reason::vacation,
         false, false},
        {"null mx is notaccept and hard", Kind::failed, Action::failed, "5.1.10", 556, "RCPT",
         "556 5.1.10 Recipient address has null MX", "", "", Reason::notaccept, true, false},
        {"4xx notaccept is soft", Kind::delayed, Action::delayed, "4.3.2", 421, "",
         "421 4.3.2 System not accepting network messages", "", "", Reason::notaccept, false, true},
        {"text with no known pattern is onhold", Kind::failed, Action::failed, "", 0, "", "Something odd happened",
         "", "", Reason::onhold, false, false},
        {"no text, no code is undefined", Kind::failed, Action::failed, "", 0, "", "", "", "", Reason::undefined,
         false, false},
        {"security status class", Kind::failed, Action::failed, "5.7.0", 0, "", "Access refused", "", "",
         Reason::securityerror, false, false},
        {"content status class", Kind::failed, Action::failed, "5.6.0", 0, "", "Bad content", "", "",
         Reason::contenterror, false, false},
        {"vendor phrase keyed by format", Kind::failed, Action::failed, "", 0, "",
         "all relevant MX records point to non-existent hosts", "exim", "", Reason::hostunknown, true, false},
        {"provider code keyed by remote host", Kind::failed, Action::failed, "5.5.0", 550, "",
         "550 5.5.0 Mail rejete. Mail rejected. OFR_506 [506]", "", "smtp-in.orange.fr", Reason::spamdetected,
         false, false},
        {"provider host in capitals", Kind::failed, Action::failed, "5.5.0", 550, "",
         "550 5.5.0 Mail rejete. Mail rejected. OFR_506 [506]", "", "SMTP-IN.ORANGE.FR.", Reason::spamdetected,
         false, false},
        {"a host shorter than every provider suffix", Kind::failed, Action::failed, "5.5.0", 550, "",
         "550 5.5.0 Mail rejete. Mail rejected. OFR_506 [506]", "", "qq.com", Reason::spamdetected, false, false},
        // The first specific status in the text overrides the Status: field, wherever it stands (the
        // search reads sixteen bytes at a time, then the rest one by one).
        {"a specific status far into the text", Kind::failed, Action::failed, "5.0.0", 550, "RCPT",
         "550 sorry, something went wrong here 2.0 4x 5.1.1 at the end", "", "", Reason::userunknown, true, false},
        {"a specific status in the last bytes", Kind::failed, Action::failed, "5.0.0", 550, "RCPT",
         "550 the status 5.1.1", "", "", Reason::userunknown, true, false},
        // The Remote-MTA value may carry comments after the host; the au (KDDI) rows tell a named
        // unknown address from the recipient's filter.
        {"provider host with a trailing comment", Kind::failed, Action::failed, "5.0.0", 550, "",
         "550 <user@example.org>: User unknown", "rfc3464", "lsean.ezweb.ne.jp (TCP|192.0.2.17|25) (au mail)",
         Reason::userunknown, true, false},
        {"au filter refusal names no address", Kind::failed, Action::failed, "5.0.0", 550, "",
         "550 : User unknown", "rfc3464", "lsean.ezweb.ne.jp", Reason::filtered, false, false},
        {"repeated reply prefixes are removed before matching", Kind::failed, Action::failed, "5.2.1", 550, "RCPT",
         "550-5.2.1 The email account that you 550-5.2.1 tried to reach is disabled. Learn more at 550 5.2.1 "
         "https://support.google.com/mail/?p=DisabledUser",
         "", "", Reason::suspend, false, false},
        {"multi-line reply prefixes do not split a phrase", Kind::failed, Action::failed, "5.7.1", 550, "DATA",
         "550-5.7.1 [192.0.2.1] Our system has detected that this message is 550-5.7.1 likely unsolicited mail. "
         "550 5.7.1 To reduce the amount of spam this message has been blocked.",
         "", "", Reason::spamdetected, false, false},
    };
    for (const Row& row : rows) {
        Verdict v = run(row);
        CHECK_MESSAGE(v.reason == row.want, row.name, ": reason got ", std::string(to_string(v.reason)), ", want ",
                      std::string(to_string(row.want)));
        CHECK_MESSAGE(v.hard == row.want_hard, row.name, ": hard got ", v.hard, ", want ", row.want_hard);
        CHECK_MESSAGE(v.temporary == row.want_temporary, row.name, ": temporary got ", v.temporary, ", want ",
                      row.want_temporary);
    }
}

TEST_CASE("classify: a reason a format module set stands unless Sisimai re-checks it")
{
    DeliveryReport report;
    report.kind = Kind::failed;
    RecipientRecord rec;
    rec.action = Action::failed;
    rec.status = "5.1.1";
    rec.diagnostic = "550 5.1.1 user unknown";
    rec.verdict.reason = Reason::suspend;
    report.recipients.push_back(rec);
    classify(report);
    CHECK_MESSAGE(report.recipients[0].verdict.reason == Reason::suspend, "got ",
                  std::string(to_string(report.recipients[0].verdict.reason)), ", want suspend");
}

TEST_CASE("classify: hostile records do not crash and stay bounded")
{
    DeliveryReport report;
    report.kind = Kind::failed;
    RecipientRecord rec;
    rec.action = Action::failed;
    rec.status = std::string(100000, '5');
    rec.smtp_command = std::string(1000, 'R');
    rec.diagnostic = std::string(1024 * 1024, 'x') + " user unknown";
    rec.diagnostic[10] = '\0';
    report.recipients.push_back(rec);
    RecipientRecord weird;
    weird.diagnostic = std::string(5000, ' ') + "550-5.1.1 550-5.1.1 550-5.1.1 550 5.1.1 550-";
    report.recipients.push_back(weird);
    classify(report);
    // The text past k_max_diagnostic_bytes is not read: the phrase at the end of 1 MB does not count.
    CHECK(report.recipients[0].verdict.reason != Reason::userunknown);
    CHECK(report.recipients[1].verdict.reason != Reason::delivered);
}

TEST_CASE("classify: a diagnostic is read collapsed whether or not it came collapsed")
{
    // The text is matched collapsed, in one thread buffer reused from record to record:
    // collapse_whitespace() copies it as it is when it is collapsed already and collapses it when it
    // has a TAB, CR, LF, a run of spaces (also across a sixteen-byte block) or a space at either end.
    // Each reads as its collapsed form.
    const char* const collapsed = "550 The email account that you tried to reach is over quota";
    const char* const variants[] = {
        " 550 The email account that you tried to reach is over quota",
        "550 The email account that you tried to reach is over quota ",
        "550 The email account that you tried  to reach is over quota",
        "550 The emai\tl account that you tried to reach is over quota",
        "550 The email\r\naccount that you tried to reach is over quota",
        "550 The  email account that you tried to reach is over quota",
    };
    const Row base{"over quota", Kind::failed, Action::failed, "", 550, "RCPT", collapsed, "", "",
                   Reason::mailboxfull, false, false};
    const Verdict want = run(base);
    CHECK(want.reason == Reason::mailboxfull);
    // A text split inside a phrase is not read as that phrase (the text decides, not a status).
    Row split = base;
    split.diagnostic = "550 The email account that you tried to reach is ov er quota";
    CHECK(run(split).reason != Reason::mailboxfull);
    for (const char* v : variants) {
        Row row = base;
        row.diagnostic = v;
        CAPTURE(v);
        CHECK(run(row).reason == want.reason);
        CHECK(run(base).reason == want.reason); // the reused buffer holds nothing of the record before
    }
}
