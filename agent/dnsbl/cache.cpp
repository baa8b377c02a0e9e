// cache.cpp — the SQLite answer cache, with prepared statements only (no SQL built from data).
#include "agent/dnsbl/cache.hpp"

#include <sqlite3.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "classifiers/limits.hpp"

namespace ndr::agent::dnsbl {
namespace {

// The shape is fixed by agent/store/schema.md; the store's migrations normally create it.
constexpr const char* k_create = R"(CREATE TABLE IF NOT EXISTS dnsbl_answers(
  qname      TEXT NOT NULL,
  qtype      TEXT NOT NULL,
  status     TEXT NOT NULL,
  answers    TEXT NOT NULL,
  ttl        INTEGER NOT NULL,
  fetched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY(qname, qtype)
))";

std::optional<AnswerStatus> status_from(std::string_view s) {
    if (s == "answer") return AnswerStatus::answer;
    if (s == "nxdomain") return AnswerStatus::nxdomain;
    if (s == "nodata") return AnswerStatus::nodata;
    return std::nullopt;
}

} // namespace

AnswerCache::AnswerCache(sqlite3* db) : m_db(db) {}

AnswerCache::~AnswerCache() {
    sqlite3_finalize(m_get);
    sqlite3_finalize(m_put);
}

std::expected<void, std::string> AnswerCache::open() {
    if (!m_db) return std::unexpected(std::string("no database"));
    char* err = nullptr;
    if (sqlite3_exec(m_db, k_create, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        return std::unexpected("cannot create dnsbl_answers: " + msg);
    }
    const char* get_sql = "SELECT status, answers, expires_at FROM dnsbl_answers WHERE qname = ?1 AND qtype = ?2 AND expires_at > ?3";
    const char* put_sql = "INSERT OR REPLACE INTO dnsbl_answers(qname, qtype, status, answers, ttl, fetched_at, expires_at) "
                          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    if (sqlite3_prepare_v2(m_db, get_sql, -1, &m_get, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(m_db, put_sql, -1, &m_put, nullptr) != SQLITE_OK)
        return std::unexpected(std::string("cannot prepare cache statements: ") + sqlite3_errmsg(m_db));
    return {};
}

std::optional<Answer> AnswerCache::get(const Query& query, std::int64_t now) {
    if (!m_get) return std::nullopt;
    std::string type(to_string(query.type));
    sqlite3_reset(m_get);
    sqlite3_bind_text(m_get, 1, query.name.c_str(), static_cast<int>(query.name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(m_get, 2, type.c_str(), static_cast<int>(type.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(m_get, 3, now);
    std::optional<Answer> out;
    if (sqlite3_step(m_get) == SQLITE_ROW) {
        const auto* st = reinterpret_cast<const char*>(sqlite3_column_text(m_get, 0));
        const auto* js = reinterpret_cast<const char*>(sqlite3_column_text(m_get, 1));
        std::int64_t expires = sqlite3_column_int64(m_get, 2);
        auto status = status_from(st ? st : "");
        if (status && js) {
            auto parsed = nlohmann::json::parse(js, nullptr, false);
            if (parsed.is_array() && parsed.size() <= classifiers::k_max_dns_answer_records &&
                std::all_of(parsed.begin(), parsed.end(), [](const auto& v) { return v.is_string(); })) {
                Answer a;
                a.status = *status;
                for (const auto& v : parsed) a.records.push_back(v.template get<std::string>());
                std::int64_t left = std::min<std::int64_t>(expires - now, classifiers::k_max_dnsbl_cache_ttl);
                a.ttl = static_cast<std::uint32_t>(std::max<std::int64_t>(left, 0));
                a.cached = true;
                bool consistent = (a.status == AnswerStatus::answer) == !a.records.empty();
                if (consistent) out = std::move(a);
            }
        }
    }
    sqlite3_reset(m_get);
    return out;
}

void AnswerCache::put(const Query& query, const Answer& answer, std::int64_t now) {
    if (!m_put || answer.cached || answer.ttl == 0) return;
    if (answer.status != AnswerStatus::answer && answer.status != AnswerStatus::nxdomain &&
        answer.status != AnswerStatus::nodata)
        return;
    std::uint32_t ttl = std::min(answer.ttl, classifiers::k_max_dnsbl_cache_ttl);
    std::string type(to_string(query.type));
    std::string status(to_string(answer.status));
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& r : answer.records) arr.push_back(r);
    std::string js = arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    sqlite3_reset(m_put);
    sqlite3_bind_text(m_put, 1, query.name.c_str(), static_cast<int>(query.name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(m_put, 2, type.c_str(), static_cast<int>(type.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(m_put, 3, status.c_str(), static_cast<int>(status.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(m_put, 4, js.c_str(), static_cast<int>(js.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(m_put, 5, ttl);
    sqlite3_bind_int64(m_put, 6, now);
    sqlite3_bind_int64(m_put, 7, now + ttl);
    if (sqlite3_step(m_put) != SQLITE_DONE) ++m_errors;
    sqlite3_reset(m_put);
}

void AnswerCache::begin() {
    if (sqlite3_exec(m_db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) ++m_errors;
}

void AnswerCache::commit() {
    if (sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) ++m_errors;
}

CachingResolver::CachingResolver(Resolver& inner, AnswerCache& cache, Clock clock, std::string secret)
    : m_inner(inner), m_cache(cache), m_clock(std::move(clock)), m_secret(std::move(secret)) {}

Query CachingResolver::scrubbed(const Query& q) const {
    if (m_secret.empty()) return q;
    Query out = q;
    std::string needle = m_secret;
    std::transform(needle.begin(), needle.end(), needle.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
    std::size_t pos = 0;
    while ((pos = out.name.find(needle, pos)) != std::string::npos) {
        out.name.replace(pos, needle.size(), "<key>");
        pos += 5;
    }
    return out;
}

std::vector<Answer> CachingResolver::resolve(std::span<const Query> queries) {
    const std::int64_t now = m_clock();
    std::vector<Answer> out(queries.size());
    std::vector<Query> misses;
    std::vector<std::size_t> miss_index;
    for (std::size_t i = 0; i < queries.size(); ++i) {
        if (auto hit = m_cache.get(scrubbed(queries[i]), now)) {
            out[i] = std::move(*hit);
        } else {
            misses.push_back(queries[i]);
            miss_index.push_back(i);
        }
    }
    if (misses.empty()) return out;
    auto answers = m_inner.resolve(misses);
    const std::int64_t stored_at = m_clock();
    m_cache.begin();
    for (std::size_t k = 0; k < misses.size() && k < answers.size(); ++k) {
        m_cache.put(scrubbed(misses[k]), answers[k], stored_at);
        out[miss_index[k]] = std::move(answers[k]);
    }
    m_cache.commit();
    return out;
}

} // namespace ndr::agent::dnsbl
