// cache.hpp — DNSBL answers cached in the state database (table dnsbl_answers, agent/store/schema.md)
// for their TTL; negative answers (NXDOMAIN, NODATA) for the SOA minimum; failures never.
//
// Input trust: cached rows were written by us but the file may have been edited: rows that do not parse
// are treated as misses. TTLs are capped at k_max_dnsbl_cache_ttl. Secrets: a query name containing the
// DQS key is stored with the key replaced by "<key>", so the key never reaches the database.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>

#include "agent/dnsbl/resolver.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ndr::agent::dnsbl {

class AnswerCache {
public:
    // `db` stays owned by the caller and must outlive the cache.
    explicit AnswerCache(sqlite3* db);
    ~AnswerCache();
    AnswerCache(const AnswerCache&) = delete;
    AnswerCache& operator=(const AnswerCache&) = delete;

    // Creates dnsbl_answers when the store's migrations have not (same shape), prepares statements.
    std::expected<void, std::string> open();

    // A live entry (expires_at > now) with ttl = the time left and cached = true, else nullopt.
    std::optional<Answer> get(const Query& query, std::int64_t now);
    // Stores answer/nxdomain/nodata with ttl > 0; anything else is ignored. Errors are swallowed (the
    // cache is an optimisation), counted in errors().
    void put(const Query& query, const Answer& answer, std::int64_t now);
    // Several puts in one transaction.
    void begin();
    void commit();

    std::size_t errors() const { return m_errors; }

private:
    sqlite3* m_db;
    sqlite3_stmt* m_get = nullptr;
    sqlite3_stmt* m_put = nullptr;
    std::size_t m_errors = 0;
};

// A Resolver that answers from the cache where it can and sends only the misses to `inner`.
class CachingResolver final : public Resolver {
public:
    using Clock = std::function<std::int64_t()>; // unix seconds
    // `secret`: a DQS key to scrub from query names before they reach the database ("" for none).
    CachingResolver(Resolver& inner, AnswerCache& cache, Clock clock, std::string secret = {});

    std::vector<Answer> resolve(std::span<const Query> queries) override;

private:
    Query scrubbed(const Query& q) const;

    Resolver& m_inner;
    AnswerCache& m_cache;
    Clock m_clock;
    std::string m_secret;
};

} // namespace ndr::agent::dnsbl
