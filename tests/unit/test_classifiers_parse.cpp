// Unit tests for classifiers/parse.cpp: parse_message() end to end on small messages, split_mbox().
#include <doctest/doctest.h>

#include <string>

#include "classifiers/parse.hpp"

using namespace ndr::classifiers;

namespace {

const char* k_dsn = "From: MAILER-DAEMON@example.com\n"
                    "To: sender@example.com\n"
                    "Subject: Undelivered Mail Returned to Sender\n"
                    "Message-ID: <ndr1@example.com>\n"
                    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n"
                    "\n"
                    "--B\n"
                    "Content-Type: text/plain\n"
                    "\n"
                    "I'm sorry.\n"
                    "--B\n"
                    "Content-Type: message/delivery-status\n"
                    "\n"
                    "Reporting-MTA: dns; mx.example.com\n"
                    "\n"
                    "Final-Recipient: rfc822; a@example.net\n"
                    "Action: failed\n"
                    "Status: 5.1.1\n"
                    "Diagnostic-Code: smtp; 550 5.1.1 unknown\n"
                    "--B\n"
                    "Content-Type: text/rfc822-headers\n"
                    "\n"
                    "Message-ID: <orig@example.com>\n"
                    "From: sender@example.com\n"
                    "To: a@example.net\n"
                    "Subject: hello\n"
                    "Received: from a by b\n"
                    "--B--\n";

} // namespace

TEST_CASE("parse_message: RFC 3464 bounce") {
    DeliveryReport r = parse_message(k_dsn);
    CHECK(r.kind == Kind::failed);
    CHECK(r.format == "rfc3464");
    CHECK(r.subject == "Undelivered Mail Returned to Sender");
    CHECK(r.message_id == "<ndr1@example.com>");
    CHECK(r.reporting_mta == "mx.example.com");
    REQUIRE(r.recipients.size() == 1);
    CHECK(r.recipients[0].final_recipient == "a@example.net");
    CHECK(r.recipients[0].reply_code == 550);
    CHECK(r.original.present);
    CHECK(r.original.headers_only);
    CHECK(r.original.message_id == "<orig@example.com>");
    CHECK(r.original.subject == "hello");
    CHECK(r.original.received.size() == 1);
}

TEST_CASE("parse_message: line endings do not matter") {
    std::string lf = k_dsn, crlf, cr;
    for (char c : lf) {
        if (c == '\n') {
            crlf += "\r\n";
            cr += '\r';
        } else {
            crlf += c;
            cr += c;
        }
    }
    for (const std::string* s : {&crlf, &cr}) {
        DeliveryReport r = parse_message(*s);
        REQUIRE(r.recipients.size() == 1);
        CHECK(r.recipients[0].status == "5.1.1");
        CHECK(r.original.message_id == "<orig@example.com>");
    }
}

TEST_CASE("parse_message: plain mail is not an NDR") {
    DeliveryReport r = parse_message("From: alice@example.org\nTo: bob@example.com\nSubject: lunch\n\nNoon?\n");
    CHECK(r.kind == Kind::not_ndr);
    CHECK(r.recipients.empty());
}

TEST_CASE("parse_message: auto-reply") {
    DeliveryReport r = parse_message("From: Alice <Alice@Example.ORG>\nTo: bob@example.com\n"
                                     "Subject: Out of office\nAuto-Submitted: auto-replied\n\nBack Monday.\n");
    CHECK(r.kind == Kind::auto_reply);
    REQUIRE(r.recipients.size() == 1);
    CHECK(r.recipients[0].final_recipient == "Alice@example.org");
    CHECK(r.recipients[0].action == Action::none);
}

TEST_CASE("parse_message: a bounce with Auto-Submitted is still a bounce") {
    DeliveryReport r = parse_message("From: MAILER-DAEMON@example.com\nSubject: Undelivered Mail\n"
                                     "Auto-Submitted: auto-replied\n\nsomething failed\n");
    CHECK(r.kind != Kind::auto_reply);
}

TEST_CASE("parse_message: ARF feedback report") {
    DeliveryReport r = parse_message("From: fbl@example.net\nSubject: FBL\n"
                                     "Content-Type: multipart/report; report-type=feedback-report; boundary=B\n\n"
                                     "--B\nContent-Type: text/plain\n\nabuse report\n"
                                     "--B\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\n"
                                     "Original-Rcpt-To: <x@example.net>\nOriginal-Rcpt-To: <y@example.net>\n"
                                     "--B\nContent-Type: message/rfc822\n\nTo: z@example.net\n\nspam\n--B--\n");
    CHECK(r.kind == Kind::feedback);
    CHECK(r.format == "arf");
    REQUIRE(r.recipients.size() == 2);
    CHECK(r.recipients[0].final_recipient == "x@example.net");
    CHECK(r.recipients[1].final_recipient == "y@example.net");
    CHECK(r.recipients[0].action == Action::none);
}

TEST_CASE("parse_message: DSN inside a returned original is not ours") {
    DeliveryReport r = parse_message("From: alice@example.org\nSubject: fwd\n"
                                     "Content-Type: multipart/mixed; boundary=B\n\n--B\n\nsee below\n"
                                     "--B\nContent-Type: message/rfc822\n\n"
                                     "Content-Type: multipart/report; report-type=delivery-status; boundary=C\n\n"
                                     "--C\nContent-Type: message/delivery-status\n\n"
                                     "Final-Recipient: rfc822; q@example.net\nAction: failed\n--C--\n--B--\n");
    CHECK(r.recipients.empty());
    CHECK(r.kind == Kind::not_ndr);
}

TEST_CASE("parse_message: delivery-status block in a flattened text part") {
    DeliveryReport r = parse_message("From: MAILER-DAEMON@example.com\nSubject: Delayed Mail\n\n"
                                     "Warning only.\n\nReporting-MTA: dns; mx.example.com\n\n"
                                     "Final-Recipient: rfc822; a@example.net\nAction: delayed\nStatus: 4.4.1\n\n"
                                     "Return-Path: <s@example.com>\nSubject: orig\n");
    CHECK(r.kind == Kind::delayed);
    REQUIRE(r.recipients.size() == 1);
    CHECK(r.recipients[0].status == "4.4.1");
}

TEST_CASE("parse_message: NDR without recipients") {
    DeliveryReport r = parse_message("From: MAILER-DAEMON@example.com\nSubject: Returned mail\n"
                                     "Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n"
                                     "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n--B--\n");
    CHECK(r.kind == Kind::failed);
    CHECK(r.has_anomaly("no-recipients"));
}

TEST_CASE("parse_message: NUL bytes and garbage never throw") {
    const char raw[] = "From: a\0b@example.com\n\n\0\0\0";
    std::string s(raw, sizeof raw - 1);
    DeliveryReport r = parse_message(s);
    CHECK(r.has_anomaly("nul-bytes"));
    std::string junk;
    for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 7919) & 0xFF);
    CHECK_NOTHROW(parse_message(junk));
    CHECK_NOTHROW(parse_message(""));
    CHECK_NOTHROW(parse_message("\n\n\n"));
    CHECK_NOTHROW(parse_message("Content-Type: multipart/mixed; boundary=\"\"\n\n--\n--\n"));
}

TEST_CASE("split_mbox") {
    struct Row {
        const char* name;
        std::string in;
        std::size_t count;
        std::string first;
    };
    const Row rows[] = {
        {"no separator", "Subject: a\n\nbody\n", 1, "Subject: a\n\nbody\n"},
        {"one", "From x@example.com Mon Jan  1 00:00:00 2024\nSubject: a\n\nb\n", 1, "Subject: a\n\nb\n"},
        {"two", "From x Mon Jan  1 00:00:00 2024\nSubject: a\n\nb\n\nFrom y Tue Jan  2 10:11:12 2024\nSubject: c\n\n",
         2, "Subject: a\n\nb\n\n"},
        {"body From line is no separator", "From x Mon Jan  1 00:00:00 2024\nS: a\n\nFrom here on\n", 1,
         "S: a\n\nFrom here on\n"},
        {"crlf", "From x Mon Jan  1 00:00:00 2024\r\nS: a\r\n\r\nFrom y Mon Jan  1 00:00:01 2024\r\nS: b\r\n", 2,
         "S: a\r\n\r\n"},
        {"cr", "From x Mon Jan  1 00:00:00 2024\rS: a\r\rFrom y Mon Jan  1 00:00:01 2024\rS: b\r", 2, "S: a\r\r"},
    };
    for (const auto& r : rows) {
        auto got = split_mbox(r.in);
        CHECK_MESSAGE(got.size() == r.count, r.name, ": got ", got.size());
        if (!got.empty()) CHECK_MESSAGE(got[0] == r.first, r.name, ": got ", std::string(got[0]));
    }
}
