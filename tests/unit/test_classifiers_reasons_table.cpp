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
