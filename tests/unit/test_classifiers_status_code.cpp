// Unit tests for classifiers/status_code.cpp: RFC 3463 status and SMTP reply code validators/finders.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "classifiers/status_code.hpp"
#include "classifiers/text.hpp"

using namespace ndr::classifiers;

TEST_CASE("status_valid") {
    struct Row {
        const char* in;
        std::size_t want;
    };
    const Row rows[] = {
        {"5.1.1", 5},       {"4.7.0 extra", 5}, {"2.0.0", 5},     {"5.7.26", 6},  {"5.123.456", 9},
        {"3.1.1", 0},       {"6.0.0", 0},       {"5.1", 0},       {"5..1", 0},    {"5.1.", 0},
        {"5.1234.1", 0},    {"5.1.1234", 0},    {"5.1.1.1", 0},   {"", 0},        {"x5.1.1", 0},
        {"5.1.1.", 5},
    };
    for (const auto& r : rows) CHECK_MESSAGE(status_valid(r.in) == r.want, r.in, ": got ", status_valid(r.in));
    CHECK(is_valid_status(" 5.1.1 "));
    CHECK_FALSE(is_valid_status("5.1.1 (x)"));
}

TEST_CASE("find_status") {
    struct Row {
        const char* in;
        const char* want;
    };
    const Row rows[] = {
        {"550 5.1.1 <u@example.net>: Recipient address rejected", "5.1.1"},
        {"550-5.7.26 unauthenticated", "5.7.26"},
        {"host [192.0.2.5] said: 4.2.2 mailbox full", "4.2.2"},
        {"client 192.0.2.5.1 rejected", ""},
        {"version 15.5.1 deployed", ""},
        {"#5.1.1 smtp;550", "5.1.1"},
        {"(5.0.0)", "5.0.0"},
        {"no code here", ""},
    };
    for (const auto& r : rows) CHECK_MESSAGE(find_status(r.in) == r.want, r.in, ": got ", find_status(r.in));
}

TEST_CASE("reply codes") {
    CHECK(reply_code_at("550 5.1.1 x") == 550);
    CHECK(reply_code_at("550-5.1.1 x") == 550);
    CHECK(reply_code_at("421") == 421);
    CHECK(reply_code_at("5501 x") == 0);
    CHECK(reply_code_at("650 x") == 0);
    CHECK(reply_code_at("580 x") == 0);
    CHECK(reply_code_at("x 550") == 0);
    CHECK(reply_code_valid(250));
    CHECK(reply_code_valid(554));
    CHECK_FALSE(reply_code_valid(199));
    CHECK_FALSE(reply_code_valid(560));
    CHECK_FALSE(reply_code_valid(600));
    // Outside the table that says so: never valid.
    CHECK_FALSE(reply_code_valid(0));
    CHECK_FALSE(reply_code_valid(-550));
    CHECK_FALSE(reply_code_valid(599));
    CHECK_FALSE(reply_code_valid(1550));
    CHECK(reply_code_valid(211));
    int defined = 0;
    for (int code = -10; code < 2000; ++code)
        defined += reply_code_valid(code) ? 1 : 0;
    CHECK(defined == 44); // the list of RFC-defined codes in status_code.cpp
    // Only the codes the SMTP RFCs define: a vendor's own numbers are not replies.
    CHECK(reply_code_valid(521));
    CHECK(reply_code_valid(556));
    CHECK_FALSE(reply_code_valid(542));
    CHECK_FALSE(reply_code_valid(522));
    CHECK_FALSE(reply_code_valid(426));
    CHECK(reply_code_at("542 user@example.net Rejected") == 0);

    struct Row {
        const char* in;
        int want;
    };
    const Row rows[] = {
        {"host mx.example.net[192.0.2.1] said: 550 5.1.1 unknown", 550},
        {"220-mx greeting then 421 4.2.1 try later", 421},
        {"<<< 452 4.2.2 Mailbox full", 452},
        {"   554 rejected", 554},
        {"Remote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound'", 550},
        {"size 550 bytes is fine", 0},
        {"at 12:550 nothing", 0},
        {"no code", 0},
        {"354 go ahead", 0},
    };
    for (const auto& r : rows) CHECK_MESSAGE(find_reply_code(r.in) == r.want, r.in, ": got ", find_reply_code(r.in));
    CHECK(status_class("4.4.7") == 4);
    CHECK(status_class("nope") == 0);
}

TEST_CASE("status_code: find_smtp_command names the earliest command phrase") {
    struct Row {
        std::string_view in, want;
    };
    const Row rows[] = {
        {"SMTP error from remote mail server after RCPT TO:<a@example.net>:", "RCPT"},
        {"550 5.7.1 rejected (in reply to end of DATA command)", "DATA"},
        {"after MAIL FROM:<a@example.com> SIZE=100: 550 no", "MAIL"},
        {"User unknown", ""},
        // The earliest cue wins ("end of data" before "data command"), whatever the case.
        {"451 timeout at END OF DATA COMMAND", "DATA"},
        {"refused: EHLO then RCPT TO", "EHLO"},
        {"rcpt t", ""},
        {"", ""},
        // qmail: the connection sentence comes first, the command that failed after it.
        {"Sorry, no SMTP connection got far enough; most progress was RCPT TO response; remote host "
         "192.0.2.3 "
         "said: 550 no such user",
         "RCPT"},
        {"SMTP:RCPT host 192.0.2.8: 553 5.3.0 no such user", "RCPT"},
        {"Connected to 192.0.2.9 but my name was rejected.", "EHLO"},
        {"Connection refused", ""},
        {"host mx.example.net refused to talk to me: 421 busy", "CONN"},
    };
    for (const auto& r : rows) {
        const std::string got = find_smtp_command(r.in);
        CHECK_MESSAGE(got == r.want, "in: ", r.in, " got: ", got, " want: ", r.want);
    }
}

TEST_CASE("find_quoted_reply and find_smtp_command on random texts, against plain scans") {
    // Plain scans: every offset in order; at each, every cue in the listed order.
    const std::string_view cues[][2] = {
        {"rcpt to", "RCPT"},
        {"rcpt_to", "RCPT"},
        {"after rcpt", "RCPT"},
        {"smtp:rcpt", "RCPT"},
        {"end of data", "DATA"},
        {"data command", "DATA"},
        {"after data", "DATA"},
        {">>> data", "DATA"},
        {"final data", "DATA"},
        {"mail from", "MAIL"},
        {"mail_from", "MAIL"},
        {"after mail", "MAIL"},
        {"ehlo", "EHLO"},
        {"helo", "HELO"},
        {"my name was rejected", "EHLO"},
        {"after initial connection", "CONN"},
        {"refused to talk to me", "CONN"},
        {"connect to", "CONN"},
        {"unknown recipient or mailbox unavailable ->", "RCPT"},
    };
    auto command = [&](std::string_view t) -> std::string {
        for (std::size_t i = 0; i < t.size(); ++i)
            for (const auto& c : cues)
                if (c[0].size() <= t.size() - i && iequals(t.substr(i, c[0].size()), c[0]))
                    return std::string(c[1]);
        return {};
    };
    auto quoted = [](std::string_view t) {
        for (std::size_t i = 0; i + 5 <= t.size(); ++i) {
            if ((t[i] != '4' && t[i] != '5') || (i > 0 && t[i - 1] != ' ')) continue;
            if (t[i + 1] < '0' || t[i + 1] > '9' || t[i + 2] < '0' || t[i + 2] > '9') continue;
            if (t[i + 3] != '-' || t[i + 4] != '\'') continue;
            if (reply_code_valid((t[i] - '0') * 100 + (t[i + 1] - '0') * 10 + (t[i + 2] - '0'))) return i;
        }
        return std::string_view::npos;
    };
    const std::string_view pieces[] = {"RCPT TO",
                                       "rcpt",
                                       " to",
                                       "Data",
                                       "END OF ",
                                       "data command",
                                       "Mail",
                                       " from",
                                       "EHLO",
                                       "helo",
                                       ">>> ",
                                       "after ",
                                       "connect",
                                       " to",
                                       "550-'",
                                       "x550-'",
                                       " 421-'",
                                       "599-'",
                                       "5.7.1",
                                       "'",
                                       "-",
                                       " ",
                                       "e",
                                       "R",
                                       "\x1e",
                                       "\xC3\xA4",
                                       "smtp:",
                                       "final ",
                                       "my name was rejected"};
    std::mt19937 rng(17);
    for (int round = 0; round < 5000; ++round) {
        std::string t;
        const std::size_t n = rng() % 10;
        for (std::size_t k = 0; k < n; ++k)
            t += pieces[rng() % std::size(pieces)];
        CHECK_MESSAGE(find_smtp_command(t) == command(t), "text [", t, "]");
        CHECK_MESSAGE(find_quoted_reply(t) == quoted(t), "text [", t, "]");
    }
}
