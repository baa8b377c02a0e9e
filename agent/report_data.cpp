// report_data.cpp — every SQL statement of the report and the metrics (see report_data.hpp). Reads
// only columns of schema versions 1 and 2; a migration that renames or adds statuses changes the
// constants below and nothing else.
#include "agent/report_data.hpp"

#include "agent/dnsbl/interpret.hpp"
#include "agent/dnsbl/query_name.hpp"
#include "agent/scan.hpp"
#include "classifiers/text.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <sqlite3.h>
#include <stdexcept>
#include <tuple>

namespace ndr::agent {

namespace {

// --- the queries (v1/v2 columns only) ---------------------------------------------------------------
// Distinct rejections of an incident, latest first, with how often each was seen.
constexpr std::string_view k_sql_evidence =
    "SELECT MAX(m.event_at) AS last, COUNT(*), MIN(r.recipient_domain), MIN(r.remote_mta), h.rule, "
    "h.evidence, "
    "r.diagnostic FROM list_hits h JOIN recipient_records r ON r.id = h.record_id "
    "JOIN messages m ON m.id = h.message_id WHERE h.incident_id = ? "
    "GROUP BY r.diagnostic, h.evidence, h.rule ORDER BY last DESC LIMIT ?";
constexpr std::string_view k_sql_bounces_per_day =
    "SELECT m.event_at / 86400 AS day, h.list_id, COUNT(DISTINCT h.message_id) FROM list_hits h "
    "JOIN messages m ON m.id = h.message_id WHERE m.event_at > 0 GROUP BY day, h.list_id ORDER BY day, "
    "h.list_id "
    "LIMIT 100000";
constexpr std::string_view k_sql_dnsbl_answers = "SELECT qname, status, answers, fetched_at, expires_at FROM "
                                                 "dnsbl_answers WHERE qtype = 'A' ORDER BY qname "
                                                 "LIMIT 20000";
constexpr std::string_view k_sql_drafts =
    "SELECT d.id, COALESCE(d.incident_id, 0), COALESCE(i.system, ''), COALESCE(i.listed, ''), d.kind, "
    "d.recipient, "
    "d.subject, d.created_at, d.updated_at FROM drafts d LEFT JOIN incidents i ON i.id = d.incident_id "
    "WHERE d.status = 'draft' ORDER BY d.created_at, d.id LIMIT ?";
constexpr std::string_view k_sql_last_success = "SELECT MAX(finished_at) FROM runs WHERE status = 'ok'";
constexpr std::string_view k_sql_messages = "SELECT COUNT(*) FROM messages";
constexpr std::string_view k_sql_ndrs_by_reason =
    "SELECT r.reason, COUNT(*) AS n FROM recipient_records r JOIN messages m ON m.id = r.message_id "
    "WHERE m.is_ndr = 1 GROUP BY 1 ORDER BY n DESC, 1 LIMIT 500";
constexpr std::string_view k_sql_hits_by_list =
    "SELECT list_id, COUNT(*) AS n FROM list_hits GROUP BY 1 ORDER BY n DESC, 1 LIMIT 500";
constexpr std::string_view k_sql_open_incidents_by_status =
    "SELECT status, COUNT(*) AS n FROM incidents WHERE status NOT IN ('resolved', 'dismissed') GROUP BY 1 ORDER BY 1 LIMIT 50";
// -----------------------------------------------------------------------------------------------------

std::string s(std::string_view text) {
    return classifiers::sanitise(text, 512);
}

// A prepared statement over the read-only connection; SQLite errors are thrown as runtime_error.
class Rows {
  public:
    Rows(sqlite3* db, std::string_view sql) : m_db(db) {
        if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("state database: ") + sqlite3_errmsg(db));
    }
    ~Rows() { sqlite3_finalize(m_stmt); }
    Rows(const Rows&) = delete;
    Rows& operator=(const Rows&) = delete;
    Rows& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(m_stmt, i, v);
        return *this;
    }
    bool next() {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error(std::string("state database: ") + sqlite3_errmsg(m_db));
    }
    std::int64_t i64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    bool is_null(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
    std::string text(int col) const {
        const auto* p = sqlite3_column_text(m_stmt, col);
        return p ? std::string(reinterpret_cast<const char*>(p),
                               static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col)))
                 : std::string();
    }

  private:
    sqlite3* m_db;
    sqlite3_stmt* m_stmt = nullptr;
};

store::Counts counts(sqlite3* db, std::string_view sql) {
    Rows q(db, sql);
    store::Counts out;
    while (q.next())
        out.emplace_back(s(q.text(0)), q.i64(1));
    return out;
}

bool is_decimal_octet(std::string_view label) {
    if (label.empty() || label.size() > 3 || label.find_first_not_of("0123456789") != std::string_view::npos)
        return false;
    if (label.size() > 1 && label.front() == '0') return false;
    return std::stoi(std::string(label)) <= 255;
}

std::vector<std::string_view> split_labels(std::string_view name) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (out.size() <= 64) {
        const auto dot = name.find('.', start);
        out.push_back(
            name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return out;
}

// The target a query-name prefix stands for: reversed IPv4, IPv6 nibbles, or a domain name. nullopt for
// test points and for anything else.
std::optional<std::string> target_of(std::string_view prefix) {
    const auto labels = split_labels(prefix);
    if (labels.size() == 4 && std::all_of(labels.begin(), labels.end(), is_decimal_octet)) {
        const std::string ip = std::string(labels[3]) + "." + std::string(labels[2]) + "." +
                               std::string(labels[1]) + "." + std::string(labels[0]);
        if (ip == "127.0.0.1" || ip == "127.0.0.2") return std::nullopt;
        return ip;
    }
    if (labels.size() == 32 && std::all_of(labels.begin(), labels.end(), [](std::string_view l) {
            return l.size() == 1 && std::isxdigit(static_cast<unsigned char>(l[0]));
        })) {
        in6_addr a{};
        for (int i = 0; i < 16; ++i) {
            const auto hex = [](char c) {
                return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10;
            };
            // Least significant nibble first: byte i's high nibble is label 31 - 2i, its low one 30 - 2i.
            const int high = hex(labels[static_cast<std::size_t>(31 - 2 * i)][0]);
            const int low = hex(labels[static_cast<std::size_t>(30 - 2 * i)][0]);
            a.s6_addr[i] = static_cast<std::uint8_t>(high * 16 + low);
        }
        char buf[INET6_ADDRSTRLEN] = {};
        if (inet_ntop(AF_INET6, &a, buf, sizeof buf) == nullptr) return std::nullopt;
        const std::string ip(buf);
        if (ip == "::ffff:127.0.0.1" || ip == "::ffff:127.0.0.2") return std::nullopt;
        return ip;
    }
    auto parsed = dnsbl::parse_target(prefix);
    if (!parsed || parsed->kind != dnsbl::TargetKind::domain) return std::nullopt;
    return parsed->text;
}

std::vector<std::string> json_strings(const std::string& text) {
    std::vector<std::string> out;
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_array()) return out;
    for (const auto& item : j) {
        if (out.size() >= 32) break;
        if (item.is_string()) out.push_back(s(item.get<std::string>()));
    }
    return out;
}

std::string when(std::int64_t t) {
    return t > 0 ? format_utc(t) : "";
}

} // namespace

std::expected<ReportQueries, std::string> ReportQueries::open(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::string message = path + ": " + (db ? sqlite3_errmsg(db) : "cannot open");
        sqlite3_close(db);
        return std::unexpected(message);
    }
    sqlite3_busy_timeout(db, 5000);
    return ReportQueries(db);
}

ReportQueries::ReportQueries(ReportQueries&& other) noexcept : m_db(other.m_db) {
    other.m_db = nullptr;
}

ReportQueries::~ReportQueries() {
    if (m_db) sqlite3_close(m_db);
}

std::vector<EvidenceLine> ReportQueries::evidence(std::int64_t incident_id, std::size_t limit) {
    Rows q(m_db, k_sql_evidence);
    q.bind(1, incident_id).bind(2, static_cast<std::int64_t>(limit));
    std::vector<EvidenceLine> out;
    while (q.next())
        out.push_back(EvidenceLine{q.i64(0), q.i64(1), s(q.text(2)), s(q.text(3)), s(q.text(4)), s(q.text(5)),
                                   s(q.text(6))});
    return out;
}

std::vector<DayCount> ReportQueries::bounces_per_day() {
    Rows q(m_db, k_sql_bounces_per_day);
    std::vector<DayCount> out;
    while (q.next())
        out.push_back(DayCount{q.i64(0), s(q.text(1)), q.i64(2)});
    return out;
}

std::vector<DnsblState> ReportQueries::dnsbl_state(const classifiers::rules::RuleSet& rules,
                                                   std::int64_t now) {
    struct ZoneRef {
        std::string suffix; // ".zen.spamhaus.org", ".<key>.zen.dq.spamhaus.net"
        std::string shown;
        const classifiers::rules::Blocklist* list;
    };
    std::vector<ZoneRef> zones;
    for (const auto& list : rules.lists)
        for (const auto& zone : list.zones) {
            zones.push_back({"." + zone.name, zone.name, &list});
            if (!zone.keyed_name.empty())
                zones.push_back({".<key>." + zone.keyed_name, "<key>." + zone.keyed_name, &list});
        }
    // Longest suffix first, so that a zone inside another zone wins.
    std::stable_sort(zones.begin(), zones.end(),
                     [](const auto& a, const auto& b) { return a.suffix.size() > b.suffix.size(); });

    std::vector<DnsblState> out;
    Rows q(m_db, k_sql_dnsbl_answers);
    while (q.next() && out.size() < k_max_dnsbl_rows) {
        const std::string qname = q.text(0);
        const ZoneRef* ref = nullptr;
        for (const auto& z : zones)
            if (qname.size() > z.suffix.size() && qname.ends_with(z.suffix)) {
                ref = &z;
                break;
            }
        if (ref == nullptr) continue;
        const auto target = target_of(std::string_view(qname).substr(0, qname.size() - ref->suffix.size()));
        if (!target) continue;
        DnsblState st;
        st.target = s(*target);
        st.list = ref->list->id;
        st.zone = ref->shown;
        st.fetched_at = q.i64(3);
        st.expires_at = q.i64(4);
        st.stale = st.expires_at <= now;
        const std::string status = q.text(1);
        if (status == "answer") {
            dnsbl::Answer answer;
            answer.status = dnsbl::AnswerStatus::answer;
            answer.records = json_strings(q.text(2));
            const auto i = dnsbl::interpret_answer(*ref->list, answer);
            st.outcome = std::string(dnsbl::to_string(i.outcome));
            for (const auto& c : i.codes)
                st.codes.push_back(s(c));
            for (const auto& m : i.meanings)
                st.meanings.push_back(s(m));
        } else if (status == "nxdomain" || status == "nodata") {
            st.outcome = "not-listed";
        } else {
            continue;
        }
        out.push_back(std::move(st));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return std::tie(a.target, a.list) < std::tie(b.target, b.list);
    });
    return out;
}

std::vector<DraftRow> ReportQueries::drafts_awaiting_review() {
    Rows q(m_db, k_sql_drafts);
    q.bind(1, static_cast<std::int64_t>(k_max_draft_rows));
    std::vector<DraftRow> out;
    while (q.next())
        out.push_back(DraftRow{q.i64(0), q.i64(1), s(q.text(2)), s(q.text(3)), s(q.text(4)), s(q.text(5)),
                               s(q.text(6)), q.i64(7), q.i64(8)});
    return out;
}

std::optional<std::int64_t> ReportQueries::last_success() {
    Rows q(m_db, k_sql_last_success);
    if (!q.next() || q.is_null(0)) return std::nullopt;
    return q.i64(0);
}

StoreMetrics ReportQueries::metrics() {
    StoreMetrics m;
    {
        Rows q(m_db, k_sql_messages);
        if (q.next()) m.messages = q.i64(0);
    }
    m.ndrs_by_reason = counts(m_db, k_sql_ndrs_by_reason);
    m.list_hits_by_list = counts(m_db, k_sql_hits_by_list);
    m.open_incidents_by_status = counts(m_db, k_sql_open_incidents_by_status);
    m.last_success = last_success();
    return m;
}

std::expected<ReportData, std::string> load_report_data(const std::string& state_path,
                                                        const classifiers::rules::RuleSet* rules,
                                                        const Config& config, std::int64_t now) {
    auto db = store::Store::open_existing(state_path);
    if (!db) return std::unexpected(db.error());
    auto queries = ReportQueries::open(state_path);
    if (!queries) return std::unexpected(queries.error());
    ReportData data;
    data.state_path = state_path;
    data.generated_at = now;
    try {
        data.schema_version = (*db)->schema_version();
        data.triage = build_triage_report(nullptr, **db, rules);
        data.last_run = (*db)->last_run();
        data.last_success = queries->last_success();
        for (const auto& ir : data.triage.incidents)
            data.evidence[ir.incident.id] = queries->evidence(ir.incident.id);
        data.bounces_per_day = queries->bounces_per_day();
        if (rules != nullptr) data.dnsbl = queries->dnsbl_state(*rules, now);
        data.drafts = queries->drafts_awaiting_review();
    } catch (const std::exception& e) {
        return std::unexpected(state_path + ": " + e.what());
    }
    // Our own single addresses with nothing cached: shown, so that a missing check is visible.
    for (const auto& ip : config.identity.outbound_ips) {
        if (ip.find('/') != std::string::npos) continue;
        auto parsed = dnsbl::parse_target(ip);
        if (!parsed) continue;
        const bool known = std::any_of(data.dnsbl.begin(), data.dnsbl.end(),
                                       [&](const DnsblState& d) { return d.target == parsed->text; });
        if (!known)
            data.dnsbl.push_back(DnsblState{parsed->text, "", "", "not-checked", {}, {}, 0, 0, false});
    }
    return data;
}

nlohmann::json report_json(const ReportData& data) {
    nlohmann::json out = to_json(data.triage);
    out["state"] = s(data.state_path);
    out["schema_version"] = data.schema_version;
    out["generated_at"] = when(data.generated_at);
    if (data.last_run) {
        const auto& r = *data.last_run;
        out["last_run"] = {{"command", r.command},
                           {"source", s(r.source)},
                           {"folder", s(r.folder)},
                           {"started_at", when(r.started_at)},
                           {"finished_at", when(r.finished_at)},
                           {"status", r.status},
                           {"messages", r.messages},
                           {"new", r.new_messages}};
    } else {
        out["last_run"] = nullptr;
    }
    out["last_success"] =
        data.last_success ? nlohmann::json(when(*data.last_success)) : nlohmann::json(nullptr);
    nlohmann::json evidence = nlohmann::json::object();
    for (const auto& [id, lines] : data.evidence) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& e : lines)
            arr.push_back({{"last_seen", when(e.at)},
                           {"count", e.count},
                           {"recipient_domain", e.recipient_domain},
                           {"remote_mta", e.remote_mta},
                           {"rule", e.rule},
                           {"evidence", e.evidence},
                           {"diagnostic", e.diagnostic}});
        evidence[std::to_string(id)] = std::move(arr);
    }
    out["evidence"] = std::move(evidence);
    nlohmann::json days = nlohmann::json::array();
    for (const auto& d : data.bounces_per_day)
        days.push_back(
            {{"day", format_utc(d.day * 86400).substr(0, 10)}, {"list", d.list}, {"bounces", d.bounces}});
    out["bounces_per_day"] = std::move(days);
    nlohmann::json dnsbl = nlohmann::json::array();
    for (const auto& d : data.dnsbl)
        dnsbl.push_back({{"target", d.target},
                         {"list", d.list},
                         {"zone", d.zone},
                         {"outcome", d.outcome},
                         {"codes", d.codes},
                         {"meanings", d.meanings},
                         {"fetched_at", when(d.fetched_at)},
                         {"expires_at", when(d.expires_at)},
                         {"stale", d.stale}});
    out["dnsbl"] = std::move(dnsbl);
    nlohmann::json drafts = nlohmann::json::array();
    for (const auto& d : data.drafts)
        drafts.push_back({{"id", d.id},
                          {"incident", d.incident_id},
                          {"list", d.system},
                          {"listed", d.listed},
                          {"kind", d.kind},
                          {"recipient", d.recipient},
                          {"subject", d.subject},
                          {"created_at", when(d.created_at)},
                          {"updated_at", when(d.updated_at)}});
    out["drafts"] = std::move(drafts);
    return out;
}

} // namespace ndr::agent
