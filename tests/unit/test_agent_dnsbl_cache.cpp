// test_agent_dnsbl_cache.cpp — the SQLite answer cache (agent/dnsbl/cache) on an in-memory database:
// TTLs, negative caching, failures never cached, key scrubbing, corrupt rows.
#include <doctest/doctest.h>

#include <sqlite3.h>

#include <string>
#include <vector>

#include "agent/dnsbl/cache.hpp"

using namespace ndr::agent::dnsbl;

namespace {

struct Db {
    sqlite3* db = nullptr;
    Db() { sqlite3_open(":memory:", &db); }
    ~Db() { sqlite3_close(db); }
    std::string text(const char* sql) {
        sqlite3_stmt* st = nullptr;
        std::string out;
        sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const auto* t = sqlite3_column_text(st, 0);
            out += t ? reinterpret_cast<const char*>(t) : "";
            out += "\n";
        }
        sqlite3_finalize(st);
        return out;
    }
};

class CountingResolver final : public Resolver {
public:
    std::vector<Answer> answers; // returned for every query, by position modulo size
    std::size_t asked = 0;
    std::vector<Answer> resolve(std::span<const Query> queries) override {
        asked += queries.size();
        std::vector<Answer> out;
        for (std::size_t i = 0; i < queries.size(); ++i) out.push_back(answers[i % answers.size()]);
        return out;
    }
};

Answer make(AnswerStatus s, std::vector<std::string> records, std::uint32_t ttl) {
    Answer a;
    a.status = s;
    a.records = std::move(records);
    a.ttl = ttl;
    return a;
}

} // namespace

TEST_CASE("dnsbl: cache keeps answers for their TTL, negatives for the SOA minimum") {
    Db d;
    AnswerCache cache(d.db);
    REQUIRE(cache.open().has_value());
    const Query listed{"2.0.0.127.bl.test", QueryType::a};
    const Query nx{"1.0.0.127.bl.test", QueryType::a};
    cache.put(listed, make(AnswerStatus::answer, {"127.0.0.2"}, 60), 1000);
    cache.put(nx, make(AnswerStatus::nxdomain, {}, 30), 1000);

    auto hit = cache.get(listed, 1010);
    REQUIRE(hit.has_value());
    CHECK(hit->status == AnswerStatus::answer);
    CHECK(hit->records == std::vector<std::string>{"127.0.0.2"});
    CHECK_MESSAGE(hit->ttl == 50, "got ttl ", hit->ttl, ", want the 50 s left");
    CHECK(hit->cached);
    CHECK(cache.get(nx, 1029).has_value());
    CHECK_FALSE(cache.get(nx, 1030).has_value());
    CHECK_FALSE(cache.get(listed, 1060).has_value());
    CHECK_FALSE(cache.get(Query{listed.name, QueryType::txt}, 1010).has_value());
}

TEST_CASE("dnsbl: cache never stores failures or zero TTLs, caps long TTLs") {
    Db d;
    AnswerCache cache(d.db);
    REQUIRE(cache.open().has_value());
    const AnswerStatus never[] = {AnswerStatus::timeout, AnswerStatus::servfail, AnswerStatus::refused, AnswerStatus::error};
    int i = 0;
    for (auto s : never) cache.put(Query{"q" + std::to_string(i++) + ".bl.test", QueryType::a}, make(s, {}, 600), 1000);
    cache.put(Query{"zero.bl.test", QueryType::a}, make(AnswerStatus::nxdomain, {}, 0), 1000);
    CHECK(d.text("SELECT count(*) FROM dnsbl_answers") == "0\n");
    cache.put(Query{"long.bl.test", QueryType::a}, make(AnswerStatus::answer, {"127.0.0.2"}, 10'000'000), 1000);
    CHECK_MESSAGE(d.text("SELECT expires_at FROM dnsbl_answers") == "87400\n", "TTL not capped at one day");
}

TEST_CASE("dnsbl: caching resolver asks only for misses and scrubs the key") {
    Db d;
    AnswerCache cache(d.db);
    REQUIRE(cache.open().has_value());
    CountingResolver inner;
    inner.answers = {make(AnswerStatus::answer, {"127.0.0.2"}, 300), make(AnswerStatus::timeout, {}, 0)};
    std::int64_t now = 5000;
    const std::string key = "SeCrEtKey123";
    CachingResolver caching(inner, cache, [&now] { return now; }, key);
    std::vector<Query> qs = {{"2.0.0.127.secretkey123.zen.dq.spamhaus.net", QueryType::a},
                             {"3.0.0.127.secretkey123.zen.dq.spamhaus.net", QueryType::a}};
    auto first = caching.resolve(qs);
    CHECK(inner.asked == 2);
    CHECK_FALSE(first[0].cached);
    CHECK_MESSAGE(d.text("SELECT qname FROM dnsbl_answers") == "2.0.0.127.<key>.zen.dq.spamhaus.net\n",
                  "got ", d.text("SELECT qname FROM dnsbl_answers"));
    now += 10;
    auto second = caching.resolve(qs);
    CHECK_MESSAGE(inner.asked == 3, "the timeout must be asked again, the answer served from the cache: asked ", inner.asked);
    CHECK(second[0].cached);
    CHECK(second[0].ttl == 290);
    CHECK(second[1].status == AnswerStatus::answer); // inner's answers restart at position 0
}

TEST_CASE("dnsbl: corrupt cache rows are misses") {
    Db d;
    AnswerCache cache(d.db);
    REQUIRE(cache.open().has_value());
    sqlite3_exec(d.db,
                 "INSERT INTO dnsbl_answers VALUES('a.bl.test','A','answer','not json',60,0,9999999999);"
                 "INSERT INTO dnsbl_answers VALUES('b.bl.test','A','weird','[]',60,0,9999999999);"
                 "INSERT INTO dnsbl_answers VALUES('c.bl.test','A','answer','[1,2]',60,0,9999999999);"
                 "INSERT INTO dnsbl_answers VALUES('d.bl.test','A','answer','[]',60,0,9999999999);",
                 nullptr, nullptr, nullptr);
    for (const char* n : {"a.bl.test", "b.bl.test", "c.bl.test", "d.bl.test"})
        CHECK_MESSAGE(!cache.get(Query{n, QueryType::a}, 100).has_value(), n, ": got a hit, want a miss");
}
