// test_agent_classify_json.cpp — agent/classify_json: the hand-written JSON Lines writer prints what
// nlohmann::json::dump() prints for the same object (key order, escapes, numbers, null), and the values.
#include "agent/classify_json.hpp"
#include "classifiers/text.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

using namespace ndr::agent;
namespace cl = ndr::classifiers;
using nlohmann::json;

namespace {

// nlohmann's own rendering of the text: equal to the text when the writer formats as dump() does.
std::string redumped(const std::string& text) {
    return json::parse(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

cl::DeliveryReport tricky_report() {
    cl::DeliveryReport rep;
    rep.kind = cl::Kind::failed;
    rep.format = "rfc3464";
    rep.reporting_mta = "mx.example.net";
    rep.anomalies = {"truncated_mime", "a \"quoted\" \\ name"};
    cl::RecipientRecord r;
    r.final_recipient = "user@example.com";
    r.action = cl::Action::failed;
    r.status = "5.7.1";
    r.reply_code = 550;
    r.diagnostic = "550 5.7.1 \"blocked\" C:\\path\ttab\x01 caf\xc3\xa9 \xe2\x82\xac";
    r.remote_mta = "[192.0.2.1]";
    r.verdict.reason = cl::Reason::blocked;
    r.verdict.hard = false;
    r.verdict.lists.push_back({"spamhaus-zen", "192.0.2.1", "zen-text", "listed \"here\"", 10});
    r.verdict.lists.push_back({"spamcop", "", "spamcop-url", "bl.spamcop.net", 5});
    r.verdict.provider = "ms-outlookcom";
    r.verdict.receiver_resolver_error = true;
    rep.recipients.push_back(r);
    return rep;
}

} // namespace

TEST_CASE("classify_json: a record prints exactly as nlohmann::json::dump() prints it") {
    auto rep = tricky_report();
    std::string text;
    append_record_json(text, "dir/\"odd\" name.eml", 3, rep, &rep.recipients[0]);
    CHECK(text == redumped(text));
    auto j = json::parse(text);
    CHECK(j["source"] == "dir/\"odd\" name.eml");
    CHECK(j["message"] == 3);
    CHECK(j["kind"] == "failed");
    CHECK(j["recipient"] == "user@example.com");
    CHECK(j["original_recipient"].is_null());
    CHECK(j["action"] == "failed");
    CHECK(j["status"] == "5.7.1");
    CHECK(j["reply_code"] == 550);
    CHECK(j["reason"] == "blocked");
    CHECK(j["hard"] == false);
    // Sanitised: the TAB becomes a space, the control character goes, UTF-8 stays.
    std::string diag = j["diagnostic"];
    CHECK(diag.find('\t') == std::string::npos);
    CHECK(diag.find('\x01') == std::string::npos);
    CHECK(diag.find("caf\xc3\xa9 \xe2\x82\xac") != std::string::npos);
    CHECK(diag.find("C:\\path") != std::string::npos);
    CHECK(j["remote_mta"] == "[192.0.2.1]");
    CHECK(j["reporting_mta"] == "mx.example.net");
    CHECK(j["format"] == "rfc3464");
    REQUIRE(j["lists"].size() == 2);
    CHECK(j["lists"][0]["id"] == "spamhaus-zen");
    CHECK(j["lists"][0]["listed"] == "192.0.2.1");
    CHECK(j["lists"][0]["rule"] == "zen-text");
    CHECK(j["lists"][0]["evidence"] == "listed \"here\"");
    CHECK(j["lists"][1]["listed"].is_null());
    CHECK(j["provider"] == "ms-outlookcom");
    CHECK(j["receiver_resolver_error"] == true);
    CHECK(j["anomalies"] == json::array({"truncated_mime", "a \"quoted\" \\ name"}));
    CHECK(record_json("dir/\"odd\" name.eml", 3, rep, &rep.recipients[0]) == j);
}

TEST_CASE("classify_json: a message without records gives its kind and nulls") {
    cl::DeliveryReport rep;
    rep.kind = cl::Kind::not_ndr;
    std::string text;
    append_record_json(text, "a.eml", 0, rep, nullptr);
    CHECK(text == redumped(text));
    auto j = json::parse(text);
    CHECK(j["kind"] == "not-ndr");
    for (const char* k : {"recipient", "original_recipient", "action", "status", "reply_code", "reason",
                          "diagnostic", "remote_mta", "reporting_mta", "format", "provider"})
        CHECK_MESSAGE(j[k].is_null(), k);
    CHECK(j["hard"] == false);
    CHECK(j["receiver_resolver_error"] == false);
    CHECK(j["lists"] == json::array());
    CHECK(j["anomalies"] == json::array());
}

TEST_CASE("classify_json: records append one after another, each one object") {
    auto rep = tricky_report();
    std::string text;
    append_record_json(text, "a.eml", 0, rep, &rep.recipients[0]);
    auto first = text.size();
    append_record_json(text, "a.eml", 1, rep, nullptr);
    CHECK(json::parse(text.substr(0, first))["message"] == 0);
    CHECK(json::parse(text.substr(first))["message"] == 1);
}

TEST_CASE("classify_json: values that sanitise() would change are sanitised, the others kept as they are") {
    cl::DeliveryReport rep;
    rep.kind = cl::Kind::failed;
    cl::RecipientRecord r;
    r.action = cl::Action::failed;
    // The diagnostic as printed: valid JSON as dump() prints it, holding sanitise(diag).
    auto check_diagnostic = [&](const std::string& diag) {
        r.diagnostic = diag;
        rep.recipients = {r};
        std::string text;
        append_record_json(text, "s.eml", 0, rep, &rep.recipients[0]);
        CHECK(text == redumped(text));
        CHECK(json::parse(text)["diagnostic"] == cl::sanitise(diag, 4096));
    };
    for (const char* diag :
         {"plain text", " leading", "trailing ", "two  spaces", "tab\there", "quote \" and \\", "caf\xc3\xa9",
          "bad \xff byte", "esc \x1b[31m red", "a", "\"", "x\x7f"})
        check_diagnostic(diag);
    // Generated values: spaces, escapes and bytes outside printable ASCII at every offset of the
    // sixteen- and eight-byte words the check reads.
    std::mt19937 rng(7);
    const std::string alphabet = std::string("ab ~\"\\\x1f\x7f\xc3\xa9\t", 11);
    for (int n = 0; n < 3000; ++n) {
        std::string diag(1 + rng() % 70, 'a');
        for (char& c : diag)
            c = rng() % 3 == 0 ? alphabet[rng() % alphabet.size()] : 'x';
        check_diagnostic(diag);
    }
    // Over the cap: sanitise() cuts it.
    check_diagnostic(std::string(5000, 'a'));
}

TEST_CASE(
    "classify_json: the text already in the string is kept, and the string grows as far as a record needs") {
    cl::DeliveryReport rep;
    rep.kind = cl::Kind::failed;
    cl::RecipientRecord r;
    r.action = cl::Action::failed;
    // Every byte escaped: the value takes twice its length, past any room made in advance.
    r.diagnostic = std::string(4000, '"');
    r.verdict.lists.assign(40, {"list", "192.0.2.1", "rule", std::string(1000, '\\'), 1});
    rep.recipients = {r};
    for (std::size_t before : {0u, 1u, 100u, 5000u, 70000u}) {
        std::string text(before, 'x');
        text.shrink_to_fit();
        append_record_json(text, "big.eml", 2, rep, &rep.recipients[0]);
        REQUIRE(text.size() > before);
        CHECK(text.substr(0, before) == std::string(before, 'x'));
        const std::string object = text.substr(before);
        CHECK(object == redumped(object));
        auto j = json::parse(object);
        CHECK(j["diagnostic"] == r.diagnostic);
        REQUIRE(j["lists"].size() == 40);
        CHECK(j["lists"][39]["evidence"] == std::string(1000, '\\'));
        CHECK(j["message"] == 2);
    }
}
