// report_data.hpp — what the administrator's report (`ndr-triage report`) and the Prometheus metrics
// read from the state database, beyond the triage report of agent/triage_report.hpp: the evidence of
// each incident, bounces per day per list, the DNSBL state per IP (from the dnsbl_answers cache),
// drafts awaiting review, and the counters the metrics file exports.
//
// Every SQL statement of the report and the metrics lives in report_data.cpp, and reads only columns
// of schema versions 1 and 2 (agent/store/schema.md), so a later migration needs changes there only.
// Input trust: the database is ours but may have been edited: every text is sanitised again when
// read, JSON columns that do not parse are treated as empty, and every list is capped (k_max_*).
// The database is opened read-only; nothing here writes.
#pragma once

#include "agent/config.hpp"
#include "agent/store/store.hpp"
#include "agent/triage_report.hpp"
#include "classifiers/rules/model.hpp"

#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace ndr::agent {

inline constexpr std::size_t k_max_evidence_lines = 5; // distinct rejections per incident
inline constexpr std::size_t k_max_dnsbl_rows = 500;   // DNSBL state rows in one report
inline constexpr std::size_t k_max_draft_rows = 200;   // drafts awaiting review in one report
inline constexpr int k_max_chart_days = 366;

// One distinct rejection behind an incident: the line the remote server wrote and the span the rule
// matched in it, with how many records carried it.
struct EvidenceLine {
    std::int64_t at = 0;          // the latest bounce's own time (messages.event_at)
    std::int64_t count = 0;       // records with this rejection
    std::string recipient_domain; // one of them (the first by name)
    std::string remote_mta;
    std::string rule;
    std::string evidence;   // list_hits.evidence
    std::string diagnostic; // recipient_records.diagnostic
};

// Bounces (distinct messages) attributed to one list on one UTC day.
struct DayCount {
    std::int64_t day = 0; // days since 1970-01-01 (UTC)
    std::string list;
    std::int64_t bounces = 0;
};

// The cached DNSBL answer for one (target, list) pair.
struct DnsblState {
    std::string target; // IPv4, IPv6 (RFC 5952) or domain
    std::string list;   // list id; "" for an outbound IP with nothing cached
    std::string zone;
    std::string outcome; // listed | not-listed | query-refused | not-checked
    std::vector<std::string> codes;
    std::vector<std::string> meanings;
    std::int64_t fetched_at = 0;
    std::int64_t expires_at = 0;
    bool stale = false; // the cached answer's TTL has run out
};

struct DraftRow {
    std::int64_t id = 0;
    std::int64_t incident_id = 0; // 0 when the incident is gone
    std::string system;           // the incident's list or provider, may be empty
    std::string listed;
    std::string kind;
    std::string recipient;
    std::string subject;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
};

struct ReportData {
    std::string state_path;
    int schema_version = 0;
    std::int64_t generated_at = 0;
    TriageReport triage; // totals and open incidents with next steps
    std::optional<store::RunInfo> last_run;
    std::optional<std::int64_t> last_success;                   // finished_at of the last pass that ended ok
    std::map<std::int64_t, std::vector<EvidenceLine>> evidence; // by incident id
    std::vector<DayCount> bounces_per_day; // every day with a bounce attributed to a list
    std::vector<DnsblState> dnsbl;         // by target, then list
    std::vector<DraftRow> drafts;          // status 'draft', oldest first
};

// The counters and gauges of the metrics file that come from the database.
struct StoreMetrics {
    std::int64_t messages = 0;    // messages recorded
    store::Counts ndrs_by_reason; // recipient records of failed/delayed messages by reason
    store::Counts list_hits_by_list;
    store::Counts open_incidents_by_status;   // every status but resolved
    std::optional<std::int64_t> last_success; // unix seconds
};

// A read-only connection to the state database, with every query of the report and the metrics.
class ReportQueries {
  public:
    // Opens `path` read-only (it must exist). Errors name the file.
    static std::expected<ReportQueries, std::string> open(const std::string& path);
    ReportQueries(ReportQueries&& other) noexcept;
    ReportQueries& operator=(ReportQueries&&) = delete;
    ~ReportQueries();

    std::vector<EvidenceLine> evidence(std::int64_t incident_id, std::size_t limit = k_max_evidence_lines);
    std::vector<DayCount> bounces_per_day();
    // Cached A answers mapped back to (target, list) through the zones of `rules`; RFC 5782 test
    // points and names no zone of `rules` explains are left out.
    std::vector<DnsblState> dnsbl_state(const classifiers::rules::RuleSet& rules, std::int64_t now);
    std::vector<DraftRow> drafts_awaiting_review();
    std::optional<std::int64_t> last_success();
    StoreMetrics metrics();

  private:
    explicit ReportQueries(sqlite3* db) : m_db(db) {}
    sqlite3* m_db = nullptr;
};

// Everything the report shows. `rules` may be null (no next-step details, no DNSBL state); `config`
// gives the outbound IPs shown as "not checked" when nothing is cached for them. Errors (exit 3)
// name the file.
std::expected<ReportData, std::string> load_report_data(const std::string& state_path,
                                                        const classifiers::rules::RuleSet* rules,
                                                        const Config& config, std::int64_t now);

// Keys: the triage report's (to_json), plus state, schema_version, generated_at, last_run,
// last_success, evidence {incident id: [...]}, bounces_per_day [{day, list, bounces}], dnsbl [...],
// drafts [...].
nlohmann::json report_json(const ReportData& data);

} // namespace ndr::agent
