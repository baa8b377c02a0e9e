// test_classifiers_reasons_table.cpp — the RFC 3463 status → reason table and the provider/vendor
// code tables (classifiers/reasons/table.cpp, rhost.cpp, vendor.cpp).
#include <doctest/doctest.h>

#include <string>

#include "classifiers/reasons/rhost.hpp"
#include "classifiers/reasons/table.hpp"
#include "classifiers/reasons/vendor.hpp"

using namespace ndr::classifiers;
using namespace ndr::classifiers::reasons;

TEST_CASE("reasons: status codes map to Sisimai's reasons")
{
    struct Row {
        const char* status;
        std::optional<Reason> want;
    };
    const Row rows[] = {
        {"5.1.1", Reason::userunknown}, {"5.2.2", Reason::mailboxfull}, {"4.2.2", Reason::mailboxfull},
        {"5.1.2", Reason::hostunknown}, {"5.7.26", Reason::authfailure}, {"5.7.25", Reason::requireptr},
        {"4.4.7", Reason::expired},     {"5.3.4", Reason::mesgtoobig},   {"2.1.5", Reason::delivered},
        {"5.0.0", std::nullopt},        {"", std::nullopt},              {"5.1.1x", std::nullopt},
        {"garbage", std::nullopt},
    };
    for (const Row& row : rows) {
        auto got = reason_for_status(row.status);
        std::string g = got ? std::string(to_string(*got)) : "none";
        std::string w = row.want ? std::string(to_string(*row.want)) : "none";
        CHECK_MESSAGE(g == w, row.status, ": got ", g, ", want ", w);
    }
}

TEST_CASE("reasons: provider codes apply only to that provider's hosts")
{
    RecipientRecord orange;
    orange.remote_mta = "smtp-in.orange.fr";
    CHECK(provider_reason(orange, "550 5.5.0 mail rejete. mail rejected. ofr_506 [506]") == Reason::spamdetected);
    RecipientRecord other;
    other.remote_mta = "mx.example.net";
    CHECK_FALSE(provider_reason(other, "550 5.5.0 mail rejete. mail rejected. ofr_506 [506]").has_value());
    RecipientRecord lookalike;
    lookalike.remote_mta = "notorange.fr";
    CHECK_FALSE(provider_reason(lookalike, "ofr_506").has_value());
    // A code the provider's table leaves open is "undefined", not "no opinion".
    CHECK(provider_reason(orange, "service refused, please try later. lpn001_108") == Reason::undefined);
}

TEST_CASE("reasons: without a remote MTA the reporting MTA names the provider")
{
    RecipientRecord rec;
    rec.final_recipient = "user@example.com";
    const char* text = "550 5.1.10 resolver.adr.recipientnotfound; recipient not found by smtp address lookup";
    CHECK_FALSE(provider_reason(rec, text).has_value());
    CHECK(provider_reason(rec, text, "NEKO22.namprd22.prod.outlook.com") == Reason::userunknown);
    rec.remote_mta = "mx.example.com";
    CHECK_FALSE(provider_reason(rec, text, "NEKO22.namprd22.prod.outlook.com").has_value());
}

TEST_CASE("reasons: vendor phrases count only for their own format")
{
    CHECK(vendor_reason("exim", "all relevant mx records point to non-existent hosts") == Reason::hostunknown);
    CHECK(vendor_reason("postfix", "all relevant mx records point to non-existent hosts") == Reason::undefined);
    CHECK(vendor_reason("", "all relevant mx records point to non-existent hosts") == Reason::undefined);
}

TEST_CASE("reasons: vendor tables apply to the format's aliases, in table order, case-insensitively") {
    // "exchange" records take the office365 and exchange2007 rows (Sisimai's names for them).
    for (const VendorPhrase& p : vendor_phrases()) {
        if (p.format != "office365" || p.text.empty()) continue;
        const std::string text = "x " + std::string(p.text) + " y";
        const Reason direct = vendor_reason("office365", text);
        CHECK(vendor_reason("exchange", text) == direct);
        CHECK(vendor_reason("Exchange", text) == direct);
        CHECK(vendor_reason("OFFICE365", text) == direct);
        CHECK(vendor_reason("exchange2003x", text) == Reason::undefined);
    }
    // An expired phrase yields to any other phrase of the format, wherever it is in the table.
    CHECK(vendor_reason("qmail", "sorry, no mailbox here by that name") == Reason::userunknown);
    CHECK(vendor_status_reason("exchange", "5.7.508") == Reason::toomanyconn);
    CHECK(vendor_status_reason("Office365", "4.7.512") == Reason::blocked);
    CHECK(vendor_status_reason("postfix", "4.7.512") == Reason::undefined);
    CHECK(vendor_status_reason("exchange", "") == Reason::undefined);
}

TEST_CASE("reasons: every status row is found by its code, the first of equal codes") {
    for (const char* code : {"4.7.12", "4.7.1", "4.7.2", "5.7.27", "5.7.1", "5.7.10", "2.1.5", "5.1.10"})
        CHECK_MESSAGE(reason_for_status(code).has_value(), code);
    CHECK_FALSE(reason_for_status("4.7.").has_value());
    CHECK_FALSE(reason_for_status("5.7.100").has_value());
    CHECK_FALSE(reason_for_status("9.9.9").has_value());
}
