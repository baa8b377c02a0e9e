// test_agent_incidents_workflow.cpp — agent/incidents/workflow's update_incidents() over a real store
// and a fake resolver: the reverse DNS of an IP named by several incidents is looked up once per pass
// and reaches every incident's draft.
#include "agent/incidents/workflow.hpp"
#include "agent/store/store.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <string>
#include <unistd.h>

using namespace ndr::agent;
namespace cl = ndr::classifiers;

namespace {

class CountingResolver final : public dnsbl::Resolver {
  public:
    int ptr_queries = 0;
    std::vector<dnsbl::Answer> resolve(std::span<const dnsbl::Query> queries) override {
        std::vector<dnsbl::Answer> out;
        for (const auto& q : queries) {
            dnsbl::Answer a;
            a.status = dnsbl::AnswerStatus::answer;
            if (q.type == dnsbl::QueryType::ptr) {
                ++ptr_queries;
                a.records = {"mail.example.com"};
            } else if (q.type == dnsbl::QueryType::a && q.name == "mail.example.com") {
                a.records = {"192.0.2.25"};
            } else {
                a.status = dnsbl::AnswerStatus::nxdomain;
            }
            out.push_back(a);
        }
        return out;
    }
};

cl::DeliveryReport named_by(const std::string& list) {
    cl::DeliveryReport r;
    r.kind = cl::Kind::failed;
    cl::RecipientRecord rec;
    rec.final_recipient = "bob@example.net";
    rec.action = cl::Action::failed;
    rec.diagnostic = "554 5.7.1 Client host [192.0.2.25] blocked by " + list;
    rec.verdict.lists.push_back({list, "192.0.2.25", "zone-reject", "blocked by " + list, 80});
    r.recipients.push_back(rec);
    return r;
}

} // namespace

TEST_CASE("workflow: one reverse lookup per IP and pass, its line in every incident's draft") {
    char tmpl[] = "/tmp/ndr-workflow-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    const std::string dir = tmpl;
    {
        auto db = store::Store::open(dir + "/state.db");
        REQUIRE(db.has_value());
        std::uint32_t uid = 0;
        for (const char* list : {"list-one", "list-two"}) {
            const auto report = named_by(list);
            store::MessageInput in;
            ++uid;
            in.fingerprint = store::sha256_hex("message " + std::to_string(uid));
            in.where = store::Location{"files", "(command line)", 1, uid, "m" + std::to_string(uid)};
            in.seen_at = 1'796'000'000;
            in.event_at = 1'796'000'000 + uid;
            in.report = &report;
            in.provenance = "ours";
            in.sending_ip = "192.0.2.25";
            (*db)->record_message(in, true);
        }
        Config config;
        config.identity.admin_email = "postmaster@example.com";
        CountingResolver dns;
        const auto result = incidents::update_incidents(**db, config, nullptr, &dns, 1'796'100'000);
        CHECK(result.incidents == 2);
        CHECK(dns.ptr_queries == 1);
        const auto drafts = (*db)->drafts();
        REQUIRE(drafts.size() == 2);
        for (const auto& d : drafts)
            CHECK_MESSAGE(
                d.body.find("Reverse DNS (looked up): 192.0.2.25 -> mail.example.com (forward-confirmed)") !=
                    std::string::npos,
                d.body);
    }
    std::system(("rm -rf '" + dir + "'").c_str());
}
