// store.cpp — SQLite behind the Store interface: file creation 0600, pragmas, migrations, and the
// one-transaction record of a message. Every NDR-derived text goes through sanitise() before binding.
#include "agent/store/store.hpp"

#include "agent/store/migrations.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <set>
#include <sqlite3.h>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <unordered_set>

namespace ndr::agent::store {

namespace {

// SQLite waits this long for a lock held by another process (e.g. `status` during `run`).
constexpr int k_busy_timeout_ms = 10000;
// Rows kept in the runs table (the service adds one per pass).
constexpr std::int64_t k_max_runs_kept = 1000;
// Anomaly names kept per message.
constexpr std::size_t k_max_stored_anomalies = 64;

std::string clean(std::string_view s) {
    return classifiers::sanitise(s, classifiers::k_max_sanitised_bytes);
}
std::string clean_short(std::string_view s) {
    return classifiers::sanitise(s, 512);
}

std::string domain_of(std::string_view address) {
    const auto at = address.rfind('@');
    if (at == std::string_view::npos) return {};
    return classifiers::to_lower_ascii(classifiers::trim(address.substr(at + 1)));
}

} // namespace

std::string sha256_hex(std::string_view bytes) {
    // Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up in its providers at every
    // EVP_DigestInit_ex, a fifth of the time of hashing a 2 KB message (10,000 such messages: 17.4 ms
    // -> 13.9 ms on one core). Never freed: it lives as long as the process.
    static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (sha256 == nullptr) throw std::runtime_error("OpenSSL: SHA-256 is not available");
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr) throw std::runtime_error("OpenSSL: EVP_MD_CTX_new failed");
    const bool ok = EVP_DigestInit_ex(ctx, sha256, nullptr) == 1 &&
                    EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, digest, &len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) throw std::runtime_error("OpenSSL: SHA-256 failed");
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(k_hex[digest[i] >> 4]);
        out.push_back(k_hex[digest[i] & 0xf]);
    }
    return out;
}

std::string_view to_string(ParseStatus s) {
    switch (s) {
    case ParseStatus::parsed:
        return "parsed";
    case ParseStatus::partial:
        return "partial";
    case ParseStatus::unparsed:
        return "unparsed";
    }
    return "unparsed";
}

namespace {

// Prepared statements kept per connection, keyed by their SQL text: preparing the same few statements
// for every message cost more than running them. A Statement borrows one (or prepares it) and gives
// it back reset and unbound; a statement in use is not in the cache, so two live Statements never
// share one. Store's destructor finalises the connection's cache (release_statements). One mutex:
// a Store may live on another thread than the next one.
class StatementCache {
  public:
    static StatementCache& instance() {
        static StatementCache cache;
        return cache;
    }
    sqlite3_stmt* take(sqlite3* db, std::string_view sql) {
        std::lock_guard lock(m_mutex);
        auto it = m_free.find(View{db, sql}); // no copy of the SQL text per statement run
        if (it == m_free.end()) return nullptr;
        sqlite3_stmt* stmt = it->second;
        m_free.erase(it);
        return stmt;
    }
    void give_back(sqlite3* db, sqlite3_stmt* stmt) {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        std::lock_guard lock(m_mutex);
        if (m_free.size() >= k_max_cached) {
            sqlite3_finalize(stmt);
            return;
        }
        auto [it, inserted] = m_free.emplace(Key{db, sqlite3_sql(stmt)}, stmt);
        if (!inserted) sqlite3_finalize(stmt); // an identical one is already cached
    }
    void release(sqlite3* db) {
        std::lock_guard lock(m_mutex);
        for (auto it = m_free.begin(); it != m_free.end();) {
            if (it->first.first != db) {
                ++it;
                continue;
            }
            sqlite3_finalize(it->second);
            it = m_free.erase(it);
        }
    }

  private:
    using Key = std::pair<sqlite3*, std::string>;
    using View = std::pair<sqlite3*, std::string_view>;
    struct Less {
        using is_transparent = void;
        template <typename A, typename B> bool operator()(const A& a, const B& b) const {
            return a.first != b.first ? std::less<sqlite3*>()(a.first, b.first)
                                      : std::string_view(a.second) < std::string_view(b.second);
        }
    };
    static constexpr std::size_t k_max_cached = 256;
    std::mutex m_mutex;
    std::map<Key, sqlite3_stmt*, Less> m_free;
};

void release_statements(sqlite3* db) {
    StatementCache::instance().release(db);
}

// Stepping a prepared statement and reading its columns (Statement and Run below).
class Stepping {
  public:
    // true: a row is available.
    bool step() {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error(std::string("state database: ") + sqlite3_errmsg(m_db));
    }
    void run() {
        while (step()) {
        }
    }
    std::int64_t i64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    std::string_view view(int col) const {
        const auto* p = sqlite3_column_text(m_stmt, col);
        return p ? std::string_view(reinterpret_cast<const char*>(p),
                                    static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, col)))
                 : std::string_view();
    }
    std::string text(int col) const { return std::string(view(col)); }
    bool is_null(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
    int columns() const { return sqlite3_column_count(m_stmt); }

  protected:
    Stepping(sqlite3* db, sqlite3_stmt* stmt) : m_db(db), m_stmt(stmt) {}
    void check(int rc) {
        if (rc != SQLITE_OK) throw std::runtime_error(std::string("state database: ") + sqlite3_errmsg(m_db));
    }
    sqlite3* m_db;
    sqlite3_stmt* m_stmt;
};

// A prepared statement (from the cache above); given back reset on destruction. Bind indexes are 1-based.
class Statement : public Stepping {
  public:
    Statement(sqlite3* db, std::string_view sql) : Stepping(db, nullptr) {
        m_stmt = StatementCache::instance().take(db, sql);
        if (m_stmt != nullptr) return;
        if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                               &m_stmt, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("state database: ") + sqlite3_errmsg(db));
    }
    ~Statement() {
        if (m_stmt != nullptr) StatementCache::instance().give_back(m_db, m_stmt);
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, std::string_view v) {
        check(sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
        return *this;
    }
    Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
    Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    Statement& bind(int i, std::int64_t v) {
        check(sqlite3_bind_int64(m_stmt, i, v));
        return *this;
    }
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, std::uint32_t v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, std::uint64_t v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, bool v) { return bind(i, static_cast<std::int64_t>(v ? 1 : 0)); }
    Statement& bind_null(int i) {
        check(sqlite3_bind_null(m_stmt, i));
        return *this;
    }
};

// BEGIN IMMEDIATE on construction; ROLLBACK unless commit() was called. Inside a batch
// (Store::begin_batch) it is a SAVEPOINT instead: commit() releases it into the batch, and an
// abandoned one rolls back only its own changes.
class Transaction {
  public:
    explicit Transaction(sqlite3* db) : m_db(db), m_nested(sqlite3_get_autocommit(db) == 0) {
        exec(m_nested ? "SAVEPOINT record" : "BEGIN IMMEDIATE");
    }
    ~Transaction() {
        if (m_done) return;
        if (m_nested) {
            sqlite3_exec(m_db, "ROLLBACK TO record", nullptr, nullptr, nullptr);
            sqlite3_exec(m_db, "RELEASE record", nullptr, nullptr, nullptr);
        } else {
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        }
    }
    void commit() {
        exec(m_nested ? "RELEASE record" : "COMMIT");
        m_done = true;
    }

  private:
    // A prepared statement from the cache: each message of a batch opens and releases a savepoint,
    // which sqlite3_exec() would parse anew every time.
    void exec(const char* sql) { Statement(m_db, sql).run(); }
    sqlite3* m_db;
    bool m_nested = false;
    bool m_done = false;
};

} // namespace

namespace {

// The statements of record_message(), prepared once per Store and kept: a run costs no cache look-up,
// and text is bound without a copy.
enum Hot : std::size_t {
    k_insert_message,    // schema 3 and later
    k_insert_message_v1, // schemas 1 and 2 (tests of migrations)
    k_find_message,
    k_insert_record,
    k_insert_hit,
    k_find_incident,
    k_insert_incident,
    k_incident_opened,
    k_update_incident,
    k_incident_reopened,
    k_insert_location,
    k_update_location,
    k_upsert_checkpoint,
    k_add_to_incident,
    k_reopen_incident,
    k_hot_count
};

#define NDR_MESSAGE_COLUMNS                                                                                  \
    "INSERT INTO messages(fingerprint, source, folder, uidvalidity, uid, location, internal_date, "          \
    "ndr_date, "                                                                                             \
    "arrival_date, event_at, seen_at, size, kind, is_ndr, format, parse_status, anomalies, subject, "        \
    "ndr_from, "                                                                                             \
    "ndr_message_id, reporting_mta, original_message_id, original_from, original_subject, error"

// A fingerprint already recorded inserts nothing (sqlite3_changes() is then 0): one look-up in the
// fingerprint index instead of a SELECT before the INSERT.
constexpr std::string_view k_hot_sql[k_hot_count] = {
    NDR_MESSAGE_COLUMNS ", provenance, provenance_detail, sending_ip, sending_rdns, sending_helo) "
                        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                        "ON CONFLICT(fingerprint) DO NOTHING",
    NDR_MESSAGE_COLUMNS
    ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(fingerprint) DO NOTHING",
    "SELECT id FROM messages WHERE fingerprint = ?",
    "INSERT INTO recipient_records(message_id, position, final_recipient, recipient_domain, "
    "original_recipient, "
    "action, status, reply_code, diagnostic_type, diagnostic, remote_mta, smtp_command, last_attempt, "
    "will_retry_until, format, reason, hard, temporary, provider, receiver_resolver_error) "
    "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "INSERT INTO list_hits(record_id, message_id, incident_id, list_id, listed, rule, evidence, priority) "
    "VALUES(?,?,?,?,?,?,?,?)",
    "SELECT id, status FROM incidents WHERE system = ? AND listed = ?",
    "INSERT INTO incidents(system, listed, status, bounces, records, resolver_errors, first_seen, last_seen, "
    "created_at, updated_at) VALUES(?, ?, 'open', 1, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO events(incident_id, at, kind, detail) VALUES(?, ?, 'opened', '')",
    // bounces, records, resolver errors, earliest and latest event_at, updated_at, id
    "UPDATE incidents SET bounces = bounces + ?, records = records + ?, resolver_errors = resolver_errors + "
    "?, "
    "first_seen = MIN(first_seen, ?), last_seen = MAX(last_seen, ?), updated_at = ?, "
    "status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END WHERE id = ?",
    "INSERT INTO events(incident_id, at, kind, detail) VALUES(?, ?, 'reopened', 'new bounce')",
    // A location seen before is updated by a second statement: an upsert that may change the
    // message_id (a foreign key) runs with a statement journal, copying every page it touches.
    "INSERT INTO message_locations(message_id, source, folder, uidvalidity, uid, location, seen_at) "
    "VALUES(?,?,?,?,?,?,?) ON CONFLICT(source, folder, uidvalidity, uid) DO NOTHING",
    "UPDATE message_locations SET message_id = ?, location = ?, seen_at = ? "
    "WHERE source = ? AND folder = ? AND uidvalidity = ? AND uid = ?",
    "INSERT INTO checkpoints(source, folder, uidvalidity, last_uid, updated_at) VALUES(?, ?, ?, ?, ?) "
    "ON CONFLICT(source, folder) DO UPDATE SET "
    "last_uid = CASE WHEN checkpoints.uidvalidity = excluded.uidvalidity "
    "THEN MAX(checkpoints.last_uid, excluded.last_uid) ELSE excluded.last_uid END, "
    "uidvalidity = excluded.uidvalidity, updated_at = excluded.updated_at",
    // A batch's sums, written by settle(). The status is not touched (a reopening bounce sets it at
    // once, below): an UPDATE of the status column evaluates its CHECK, an IN list that SQLite
    // builds a temporary table for on every run.
    "UPDATE incidents SET bounces = bounces + ?, records = records + ?, resolver_errors = resolver_errors + "
    "?, "
    "first_seen = MIN(first_seen, ?), last_seen = MAX(last_seen, ?), updated_at = ? WHERE id = ?",
    "UPDATE incidents SET status = 'open' WHERE id = ? AND status = 'resolved'",
};
#undef NDR_MESSAGE_COLUMNS

// One run of a kept statement. Text is bound with SQLITE_STATIC: the caller keeps it alive until the
// run is over (the destructor resets the statement and clears its bindings). Bind indexes are 1-based.
class Run : public Stepping {
  public:
    Run(sqlite3* db, sqlite3_stmt* stmt) : Stepping(db, stmt) {}
    ~Run() {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    Run& text(int i, std::string_view v) {
        // A null pointer would bind NULL: an empty text is "".
        check(sqlite3_bind_text(m_stmt, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                                SQLITE_STATIC));
        return *this;
    }
    Run& num(int i, std::int64_t v) {
        check(sqlite3_bind_int64(m_stmt, i, v));
        return *this;
    }
    Run& null(int i) {
        check(sqlite3_bind_null(m_stmt, i));
        return *this;
    }
};

// JSON array of strings, as nlohmann::json::dump() writes it (compact): for printable ASCII only
// '"' and '\' need escaping; anything else goes through nlohmann.
void anomalies_json(const std::vector<std::string>& names, std::size_t count, std::string& out) {
    out.assign("[");
    for (std::size_t i = 0; i < count; ++i) {
        const std::string_view s = names[i];
        if (!classifiers::is_sanitised(s, 512)) {
            nlohmann::json all = nlohmann::json::array();
            for (std::size_t j = 0; j < count; ++j)
                all.push_back(classifiers::sanitise(names[j], 512));
            out = all.dump();
            return;
        }
        if (i > 0) out += ',';
        out += '"';
        for (const char c : s) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += ']';
}

// Orders (system, listed) pairs of strings and of views alike (look-ups without a copy).
struct PairLess {
    using is_transparent = void;
    template <typename A, typename B> bool operator()(const A& a, const B& b) const {
        const std::string_view a1 = a.first, b1 = b.first;
        return a1 != b1 ? a1 < b1 : std::string_view(a.second) < std::string_view(b.second);
    }
};

} // namespace

// What record_message() keeps between calls: its statements, the copies of texts that sanitise()
// changed (alive until the statements have run), and, in a batch without savepoints, the incidents
// met so far and what the batch adds to them, and the checkpoint advance, all written by settle().
struct Store::Recorder {
    struct Incident {
        std::int64_t id = 0;
        bool resolved = false; // its status is 'resolved' (the next bounce reopens it)
        bool dirty = false;    // the sums below are to be added
        std::int64_t bounces = 0, records = 0, resolver_errors = 0;
        std::int64_t first = 0, last = 0, updated = 0;
    };
    struct PendingCheckpoint {
        Location where;
        std::int64_t now = 0;
    };

    sqlite3* db;
    sqlite3_stmt* stmts[k_hot_count] = {};
    std::deque<std::string> copies;
    std::string anomalies;
    std::map<std::pair<std::string, std::string>, Incident, PairLess> incidents;
    std::vector<PendingCheckpoint> checkpoints;

    explicit Recorder(sqlite3* d) : db(d) {}
    ~Recorder() {
        for (auto* s : stmts)
            sqlite3_finalize(s);
    }
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    Run run(Hot h) {
        if (stmts[h] == nullptr) {
            const auto sql = k_hot_sql[h];
            if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                   &stmts[h], nullptr) != SQLITE_OK)
                throw std::runtime_error(std::string("state database: ") + sqlite3_errmsg(db));
        }
        return Run(db, stmts[h]);
    }
    // sanitise(s, cap), without a copy when that is s itself.
    std::string_view clean(std::string_view s, std::size_t cap = classifiers::k_max_sanitised_bytes) {
        if (classifiers::is_sanitised(s, cap)) return s;
        return copies.emplace_back(classifiers::sanitise(s, cap));
    }
    std::string_view keep(std::string s) { return copies.emplace_back(std::move(s)); }
    // Forget what belongs to the transaction (its end, or a failure inside it).
    void forget() {
        incidents.clear();
        checkpoints.clear();
    }
};

std::expected<std::unique_ptr<Store>, std::string> Store::open(const std::string& path) {
    return open(path, OpenOptions{});
}

namespace {

// RFC 8089 / SQLite URI for a local path: every byte but unreserved ones and '/' percent-encoded.
std::string file_uri(const std::string& path, const char* query) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out = "file:";
    for (const unsigned char c : path) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 15];
        }
    }
    return out + "?" + query;
}

// Before SQLite's first use in the process: no memory-status accounting (a global mutex and counters
// around every sqlite3_malloc; nothing here reads them). Too late (SQLite already initialised by
// someone else) changes nothing.
void configure_sqlite() {
    static std::once_flag once;
    std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

// Why an existing file is not used as the state database, if it is not.
std::optional<std::string> refuse_file(const std::string& path, const struct stat& st) {
    if (!S_ISREG(st.st_mode)) return path + ": not a regular file";
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return path + ": state database is group- or world-accessible; refusing it (chmod 600)";
    return std::nullopt;
}

} // namespace

std::expected<std::unique_ptr<Store>, std::string> Store::open_existing(const std::string& path,
                                                                        bool* read_only) {
    if (read_only != nullptr) *read_only = false;
    auto db = open(path, OpenOptions{k_schema_version, false, false});
    if (db) return db;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return db; // missing: the first error says so
    auto ro = open(path, OpenOptions{k_schema_version, false, true});
    if (!ro) return db;
    if (read_only != nullptr) *read_only = true;
    return ro;
}

std::expected<std::unique_ptr<Store>, std::string> Store::open(const std::string& path,
                                                               const OpenOptions& options) {
    if (path.empty()) return std::unexpected(std::string("state database: no path given"));
    if (options.read_only) return open_read_only(path);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (auto refused = refuse_file(path, st)) return std::unexpected(*refused);
    } else if (errno == ENOENT && options.create) {
        // Create it 0600 ourselves so SQLite never creates it with the umask's mode; SQLite gives the
        // -wal and -shm files the same mode as the database file.
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0 && errno != EEXIST)
            return std::unexpected(path + ": cannot create: " + std::strerror(errno));
        if (fd >= 0) {
            ::fchmod(fd, 0600);
            ::close(fd);
        }
    } else {
        return std::unexpected(path + ": " + std::strerror(errno));
    }

    configure_sqlite();
    sqlite3* db = nullptr;
    // NOMUTEX: a Store is used by one thread at a time (the scan records on one thread), so the
    // connection's own mutex, taken by every SQLite call, only cost time.
    const int rc = sqlite3_open_v2(
        path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        return std::unexpected(path + ": " + message);
    }
    std::unique_ptr<Store> store(new Store(db, path));
    try {
        sqlite3_busy_timeout(db, k_busy_timeout_ms);
        sqlite3_extended_result_codes(db, 1);
        // SQLite opens a file it cannot write read-only without a word; with a WAL left behind
        // (below) it would even read it. A writable open of a read-only file is an error here, so
        // that open_existing() says it is read-only and a scan fails at once.
        if (sqlite3_db_readonly(db, "main") == 1) throw std::runtime_error("state database: read-only file");
        // No checkpoint when the connection closes: the WAL left behind (at most the frames since the
        // last automatic checkpoint, ~4 MiB) is a valid state that the next writer checkpoints. The
        // checkpoint at close copied them into the database file and synced it, ~15 ms at the end
        // of every scan.
        sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
        store->exec("PRAGMA foreign_keys = ON");
        {
            Statement journal(db, "PRAGMA journal_mode = WAL");
            if (!journal.step() || journal.text(0) != "wal")
                throw std::runtime_error("cannot switch to WAL journal mode");
        }
        // WAL + NORMAL: a killed process never loses a committed transaction; a power cut may lose the
        // last ones, together with their checkpoint advance, so the next run redoes them.
        store->exec("PRAGMA synchronous = NORMAL");
        // The report and the incident step after a pass read every incident's hits; with SQLite's
        // default 2 MiB page cache a 10,000-message state file (11 MiB) was read from the file again
        // and again (7,000 preads in a rescan). 16 MiB: pages are cached only as they are used.
        store->exec("PRAGMA cache_size = -16384");
        // Each message of a batch is a savepoint: SQLite keeps the original of every page it changes
        // in a sub-journal, by default a temporary file (/var/tmp/etilqs_*): a first scan of 10,000
        // messages wrote 225,000 pages there. In memory it is emptied at each savepoint's release;
        // the transaction's durability still rests on the WAL alone (a killed process loses the
        // uncommitted batch either way).
        store->exec("PRAGMA temp_store = MEMORY");
        store->migrate(options.migrate_to);
    } catch (const std::exception& e) {
        return std::unexpected(path + ": " + e.what());
    }
    return store;
}

std::expected<std::unique_ptr<Store>, std::string> Store::open_read_only(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return std::unexpected(path + ": " + std::strerror(errno));
    if (auto refused = refuse_file(path, st)) return std::unexpected(*refused);
    std::string error;
    for (const char* query : {"mode=ro", "mode=ro&immutable=1"}) {
        // immutable reads the database file alone. A writer closes without a checkpoint (Store::open),
        // so a WAL left beside the file may hold the last passes: read without it, the counts would
        // be stale without a word. Then the error of mode=ro stands.
        if (std::strstr(query, "immutable") != nullptr) {
            struct stat wal {};
            if (::stat((path + "-wal").c_str(), &wal) == 0 && wal.st_size > 0) {
                if (error.empty()) error = "cannot read it read-only";
                return std::unexpected(path + ": " + error +
                                       "; its write-ahead log (-wal) holds changes not yet in the file, "
                                       "readable only with write access to the -shm file or its folder");
            }
        }
        sqlite3* db = nullptr;
        configure_sqlite();
        const int rc = sqlite3_open_v2(
            file_uri(path, query).c_str(), &db,
            SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, nullptr);
        if (rc != SQLITE_OK) {
            if (error.empty()) error = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
            sqlite3_close(db);
            continue;
        }
        std::unique_ptr<Store> store(new Store(db, path));
        try {
            sqlite3_busy_timeout(db, k_busy_timeout_ms);
            sqlite3_extended_result_codes(db, 1);
            const int version = store->schema_version(); // the first read: fails here without a -shm
            if (version != k_schema_version)
                return std::unexpected(path + ": read-only state database at schema version " +
                                       std::to_string(version) + ", this ndr-triage reads " +
                                       std::to_string(k_schema_version) + " (a writable run migrates it)");
            return store;
        } catch (const std::exception& e) {
            if (error.empty()) error = e.what();
        }
    }
    return std::unexpected(path + ": " + error);
}

Store::Store(sqlite3* db, std::string path)
    : m_db(db), m_path(std::move(path)), m_rec(std::make_unique<Recorder>(db)) {}

Store::~Store() {
    wait_checkpoint();
    if (sqlite3_get_autocommit(m_db) == 0) sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    m_rec.reset();
    release_statements(m_db);
    sqlite3_close_v2(m_db);
}

// SQLite rolls a whole transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR, ...).
// A batch that vanished that way must not look committed: the scan would then mark messages
// processed on the server whose rows were never written. So the batch state is our own flag, and a
// batch that SQLite dropped is an error at the next begin or commit.
constexpr const char* k_batch_lost = "state database: the open batch was rolled back by SQLite (disk full or "
                                     "I/O error); none of it was recorded";

constexpr const char* k_batch_spoiled =
    "state database: a message of the open batch could not be recorded; the batch must be rolled back";

void Store::begin_batch(bool savepoints) {
    if (m_batch) {
        if (sqlite3_get_autocommit(m_db) == 0) return;
        m_batch = false;
        m_spoiled = false;
        m_rec->forget();
        throw std::runtime_error(k_batch_lost);
    }
    m_rec->forget();
    wait_checkpoint();
    exec("BEGIN IMMEDIATE");
    m_batch = true;
    m_savepoints = savepoints;
    m_spoiled = false;
}

void Store::commit_batch() {
    if (!m_batch) return;
    m_batch = false;
    if (sqlite3_get_autocommit(m_db) != 0) {
        m_spoiled = false;
        m_rec->forget();
        throw std::runtime_error(k_batch_lost);
    }
    try {
        if (m_spoiled) throw std::runtime_error(k_batch_spoiled);
        settle(); // the incident counters and checkpoint of a batch without savepoints
        exec("COMMIT");
    } catch (...) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        m_spoiled = false;
        m_rec->forget();
        throw;
    }
    m_rec->forget();
}

namespace {

// A PASSIVE checkpoint of the database at `path` on a connection of its own: it copies what the WAL
// holds into the database file without waiting for readers or writers (those of the Store go on).
void checkpoint_file(const std::string& path) noexcept {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
                        nullptr) == SQLITE_OK) {
        sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
        // As the Store's own connection: the database file is synced, the WAL is not synced again.
        sqlite3_exec(db, "PRAGMA synchronous = NORMAL; PRAGMA wal_checkpoint(PASSIVE)", nullptr, nullptr,
                     nullptr);
    }
    sqlite3_close_v2(db);
}

} // namespace

void Store::commit_batch_checkpoint_behind() {
    if (!m_batch) return; // nothing written: no checkpoint to move
    wait_checkpoint();
    const int pages = static_cast<int>(query_int("PRAGMA wal_autocheckpoint"));
    sqlite3_wal_autocheckpoint(m_db, 0);
    m_autocheckpoint = pages;
    try {
        commit_batch();
    } catch (...) {
        wait_checkpoint();
        throw;
    }
    if (pages <= 0) {
        wait_checkpoint();
        return;
    }
    try {
        m_checkpointer = std::thread([path = m_path] { checkpoint_file(path); });
    } catch (const std::system_error&) {
        wait_checkpoint(); // no thread: the next commit checkpoints, as before
    }
}

void Store::wait_checkpoint() noexcept {
    if (m_checkpointer.joinable()) m_checkpointer.join();
    if (m_autocheckpoint >= 0) {
        sqlite3_wal_autocheckpoint(m_db, m_autocheckpoint);
        m_autocheckpoint = -1;
    }
}

void Store::rollback_batch() {
    m_batch = false;
    m_spoiled = false;
    m_rec->forget();
    if (sqlite3_get_autocommit(m_db) == 0) sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
}

bool Store::in_batch() const {
    return m_batch;
}

void Store::exec(std::string_view sql) {
    char* err = nullptr;
    const std::string text(sql);
    if (sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string message = err ? err : "unknown error";
        sqlite3_free(err);
        throw std::runtime_error("state database: " + message);
    }
}

std::int64_t Store::query_int(std::string_view sql) {
    settle();
    Statement s(m_db, sql);
    return s.step() ? s.i64(0) : 0;
}

int Store::schema_version() const {
    Statement s(m_db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    return s.step() ? static_cast<int>(s.i64(0)) : 0;
}

void Store::migrate(int target) {
    exec("CREATE TABLE IF NOT EXISTS schema_version("
         "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)");
    const int current = schema_version();
    if (current > k_schema_version)
        throw std::runtime_error("schema version " + std::to_string(current) +
                                 " is newer than this ndr-triage understands (" +
                                 std::to_string(k_schema_version) + "); upgrade ndr-triage");
    // Table rebuilds (v3) must not cascade: foreign keys are off while migrating (the pragma is a
    // no-op inside a transaction) and checked before each commit.
    exec("PRAGMA foreign_keys = OFF");
    struct Restore {
        Store* self;
        ~Restore() {
            try {
                self->exec("PRAGMA foreign_keys = ON");
            } catch (const std::exception&) {
            }
        }
    } restore{this};
    fault("migrate");
    for (const auto& m : migrations()) {
        if (m.version <= current || m.version > target) continue;
        Transaction tx(m_db);
        // Another process on the same state file may have applied it since `current` was read: the
        // version is read again under the write lock that BEGIN IMMEDIATE holds.
        if (schema_version() >= m.version) continue;
        exec(m.sql);
        {
            Statement check(m_db, "PRAGMA foreign_key_check");
            if (check.step())
                throw std::runtime_error("migration " + std::to_string(m.version) + " broke a foreign key");
        }
        Statement(
            m_db,
            "INSERT INTO schema_version(version, description, applied_at) VALUES(?, ?, strftime('%s','now'))")
            .bind(1, m.version)
            .bind(2, m.description)
            .run();
        tx.commit();
    }
    m_version = schema_version();
    m_rec = std::make_unique<Recorder>(m_db); // statements of the schema as it is now
}

void Store::fault(std::string_view step) {
    if (m_fault_hook) m_fault_hook(step);
}

std::optional<Checkpoint> Store::checkpoint(std::string_view source, std::string_view folder) {
    settle();
    Statement s(m_db,
                "SELECT uidvalidity, last_uid, updated_at FROM checkpoints WHERE source = ? AND folder = ?");
    s.bind(1, source).bind(2, folder);
    if (!s.step()) return std::nullopt;
    return Checkpoint{std::string(source), std::string(folder), static_cast<std::uint32_t>(s.i64(0)),
                      static_cast<std::uint32_t>(s.i64(1)), s.i64(2)};
}

void Store::reset_checkpoint(std::string_view source, std::string_view folder, std::uint32_t uid_validity,
                             std::int64_t now) {
    settle();
    Transaction tx(m_db);
    Statement(m_db, "DELETE FROM message_locations WHERE source = ? AND folder = ? AND uidvalidity <> ?")
        .bind(1, source)
        .bind(2, folder)
        .bind(3, uid_validity)
        .run();
    Statement(
        m_db,
        "INSERT INTO checkpoints(source, folder, uidvalidity, last_uid, updated_at) VALUES(?, ?, ?, 0, ?) "
        "ON CONFLICT(source, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = 0, "
        "updated_at = excluded.updated_at")
        .bind(1, source)
        .bind(2, folder)
        .bind(3, uid_validity)
        .bind(4, now)
        .run();
    tx.commit();
}

void Store::advance_checkpoint(const Location& where, std::int64_t now) {
    if (m_batch && !m_savepoints) {
        if (m_spoiled) throw std::runtime_error(k_batch_spoiled);
        try {
            defer_checkpoint(where, now);
        } catch (...) {
            m_spoiled = true;
            throw;
        }
        return;
    }
    Transaction tx(m_db);
    write_checkpoint(where, now);
    tx.commit();
}

std::optional<std::int64_t> Store::find_message(std::string_view fingerprint) {
    Statement s(m_db, "SELECT id FROM messages WHERE fingerprint = ?");
    s.bind(1, fingerprint);
    if (!s.step()) return std::nullopt;
    return s.i64(0);
}

std::optional<std::int64_t> Store::message_at(const Location& where) {
    Statement s(m_db, "SELECT message_id FROM message_locations WHERE source = ? AND folder = ? AND "
                      "uidvalidity = ? AND uid = ?");
    s.bind(1, where.source).bind(2, where.folder).bind(3, static_cast<std::int64_t>(where.uid_validity));
    s.bind(4, static_cast<std::int64_t>(where.uid));
    if (!s.step()) return std::nullopt;
    return s.i64(0);
}

bool Store::message_is_ndr(std::int64_t message_id) {
    Statement s(m_db, "SELECT is_ndr FROM messages WHERE id = ?");
    s.bind(1, message_id);
    return s.step() && s.i64(0) != 0;
}

void Store::write_checkpoint(const Location& w, std::int64_t now) {
    m_rec->run(k_upsert_checkpoint)
        .text(1, w.source)
        .text(2, w.folder)
        .num(3, w.uid_validity)
        .num(4, w.uid)
        .num(5, now)
        .run();
}

void Store::settle() {
    auto& rec = *m_rec;
    if (m_spoiled || (rec.checkpoints.empty() && rec.incidents.empty())) return;
    struct Spoil { // a failure here spoils the batch as a failed message does
        Store& s;
        int exceptions = std::uncaught_exceptions();
        ~Spoil() {
            if (std::uncaught_exceptions() > exceptions && s.m_batch) s.m_spoiled = true;
        }
    } spoil{*this};
    for (auto& [key, i] : rec.incidents) {
        if (!i.dirty) continue;
        rec.run(k_add_to_incident)
            .num(1, i.bounces)
            .num(2, i.records)
            .num(3, i.resolver_errors)
            .num(4, i.first)
            .num(5, i.last)
            .num(6, i.updated)
            .num(7, i.id)
            .run();
        i = Recorder::Incident{i.id, false, false};
    }
    for (const auto& c : rec.checkpoints)
        write_checkpoint(c.where, c.now);
    rec.checkpoints.clear();
}

std::int64_t Store::upsert_incident(std::string_view system, std::string_view listed, std::int64_t at,
                                    std::int64_t records, std::int64_t resolver_errors) {
    auto& rec = *m_rec;
    std::int64_t id = 0;
    bool resolved = false;
    {
        auto q = rec.run(k_find_incident);
        q.text(1, system).text(2, listed);
        if (q.step()) {
            id = q.i64(0);
            resolved = q.view(1) == "resolved";
        }
    }
    if (id == 0) {
        rec.run(k_insert_incident)
            .text(1, system)
            .text(2, listed)
            .num(3, records)
            .num(4, resolver_errors)
            .num(5, at)
            .num(6, at)
            .num(7, at)
            .num(8, at)
            .run();
        id = sqlite3_last_insert_rowid(m_db);
        rec.run(k_incident_opened).num(1, id).num(2, at).run();
        return id;
    }
    rec.run(k_update_incident)
        .num(1, 1)
        .num(2, records)
        .num(3, resolver_errors)
        .num(4, at)
        .num(5, at)
        .num(6, at)
        .num(7, id)
        .run();
    if (resolved) rec.run(k_incident_reopened).num(1, id).num(2, at).run();
    return id;
}

RecordOutcome Store::record_message(const MessageInput& in, bool advance) {
    struct Copies { // the texts copied for this message live until its statements have run
        Recorder& rec;
        ~Copies() { rec.copies.clear(); }
    } copies{*m_rec};
    if (m_batch && !m_savepoints) {
        if (m_spoiled) throw std::runtime_error(k_batch_spoiled);
        try {
            return record_rows(in, advance, true);
        } catch (...) {
            m_spoiled = true;
            throw;
        }
    }
    Transaction tx(m_db);
    const auto out = record_rows(in, advance, false);
    tx.commit();
    return out;
}

RecordOutcome Store::record_rows(const MessageInput& in, bool advance, bool deferred) {
    auto& rec = *m_rec;
    RecordOutcome out;
    const auto& w = in.where;
    fault("begin");
    const std::string_view location = rec.clean(w.location);
    {
        const auto* r = in.report;
        const std::size_t anomalies = r ? std::min(r->anomalies.size(), k_max_stored_anomalies) : 0;
        if (r != nullptr)
            anomalies_json(r->anomalies, anomalies, rec.anomalies);
        else
            rec.anomalies.assign("[]");
        const bool ndr =
            r != nullptr && (r->kind == classifiers::Kind::failed || r->kind == classifiers::Kind::delayed);
        // A store opened at an older schema (tests of migrations) has no provenance columns yet.
        const bool v3 = m_version >= 3;
        auto m = rec.run(v3 ? k_insert_message : k_insert_message_v1);
        const auto short_of = [&](const std::string& s) {
            return r ? rec.clean(s, 512) : std::string_view();
        };
        const auto long_of = [&](const std::string& s) { return r ? rec.clean(s) : std::string_view(); };
        m.text(1, in.fingerprint).text(2, w.source).text(3, w.folder).num(4, w.uid_validity).num(5, w.uid);
        m.text(6, location).text(7, rec.clean(in.internal_date, 512));
        m.text(8, r ? short_of(r->date) : "").text(9, r ? short_of(r->arrival_date) : "");
        m.num(10, in.event_at).num(11, in.seen_at).num(12, static_cast<std::int64_t>(in.size));
        m.text(13, r ? classifiers::to_string(r->kind) : std::string_view("unknown")).num(14, ndr);
        m.text(15, r ? short_of(r->format) : "").text(16, to_string(in.status));
        m.text(17, rec.anomalies);
        m.text(18, r ? long_of(r->subject) : "").text(19, r ? long_of(r->from) : "");
        m.text(20, r ? long_of(r->message_id) : "").text(21, r ? long_of(r->reporting_mta) : "");
        m.text(22, r ? long_of(r->original.message_id) : "");
        m.text(23, r ? long_of(r->original.from) : "");
        m.text(24, r ? long_of(r->original.subject) : "");
        m.text(25, rec.clean(in.error));
        if (v3) {
            m.text(26, rec.clean(in.provenance, 512)).text(27, rec.clean(in.provenance_detail));
            m.text(28, rec.clean(in.sending_ip, 512)).text(29, rec.clean(in.sending_rdns, 512));
            m.text(30, rec.clean(in.sending_helo, 512));
        }
        m.run();
    }
    if (sqlite3_changes(m_db) == 0) { // the fingerprint is recorded already: only the location is new
        auto q = rec.run(k_find_message);
        q.text(1, in.fingerprint);
        if (!q.step()) throw std::runtime_error("state database: a recorded fingerprint went missing");
        out.message_id = q.i64(0);
    } else {
        out.message_id = sqlite3_last_insert_rowid(m_db);
        out.is_new = true;
    }
    if (out.is_new) fault("message");

    if (const auto* r = in.report; out.is_new && r != nullptr) {
        struct Key {
            std::int64_t records = 0;
            std::int64_t resolver_errors = 0;
            std::vector<std::pair<std::int64_t, const classifiers::ListHit*>> hits; // record id, hit
        };
        std::map<std::pair<std::string_view, std::string_view>, Key> incidents;
        for (std::size_t i = 0; i < r->recipients.size(); ++i) {
            const auto& rr = r->recipients[i];
            {
                auto s = rec.run(k_insert_record);
                s.num(1, out.message_id)
                    .num(2, static_cast<std::int64_t>(i))
                    .text(3, rec.clean(rr.final_recipient, 512));
                s.text(4, rec.clean(rec.keep(domain_of(rr.final_recipient)), 512))
                    .text(5, rec.clean(rr.original_recipient, 512));
                s.text(6, classifiers::to_string(rr.action))
                    .text(7, rec.clean(rr.status, 512))
                    .num(8, rr.reply_code);
                s.text(9, rec.clean(rr.diagnostic_type, 512)).text(10, rec.clean(rr.diagnostic));
                s.text(11, rec.clean(rr.remote_mta, 512)).text(12, rec.clean(rr.smtp_command, 512));
                s.text(13, rec.clean(rr.last_attempt, 512)).text(14, rec.clean(rr.will_retry_until, 512));
                s.text(15, rec.clean(rr.format, 512)).text(16, classifiers::to_string(rr.verdict.reason));
                s.num(17, rr.verdict.hard)
                    .num(18, rr.verdict.temporary)
                    .text(19, rec.clean(rr.verdict.provider, 512));
                s.num(20, rr.verdict.receiver_resolver_error);
                s.run();
            }
            const std::int64_t record_id = sqlite3_last_insert_rowid(m_db);
            std::set<std::pair<std::string_view, std::string_view>> keys_of_record;
            for (const auto& hit : rr.verdict.lists) {
                const auto key = std::make_pair(rec.clean(hit.id, 512), rec.clean(hit.listed, 512));
                auto& k = incidents[key];
                k.hits.emplace_back(record_id, &hit);
                if (keys_of_record.insert(key).second) {
                    ++k.records;
                    if (rr.verdict.receiver_resolver_error) ++k.resolver_errors;
                }
            }
        }
        fault("records");
        // Backscatter is recorded (its hits too) but is no evidence about us: no incident.
        const bool evidence = in.provenance != "backscatter";
        for (const auto& [key, k] : incidents) {
            std::int64_t incident_id = 0;
            if (evidence)
                incident_id =
                    deferred
                        ? add_to_incident(key.first, key.second, in.event_at, k.records, k.resolver_errors)
                        : upsert_incident(key.first, key.second, in.event_at, k.records, k.resolver_errors);
            for (const auto& [record_id, hit] : k.hits) {
                auto hs = rec.run(k_insert_hit);
                hs.num(1, record_id).num(2, out.message_id);
                if (incident_id != 0)
                    hs.num(3, incident_id);
                else
                    hs.null(3);
                hs.text(4, key.first).text(5, key.second).text(6, rec.clean(hit->rule, 512));
                hs.text(7, rec.clean(hit->evidence)).num(8, hit->priority).run();
            }
        }
        fault("incidents");
    }
    rec.run(k_insert_location)
        .num(1, out.message_id)
        .text(2, w.source)
        .text(3, w.folder)
        .num(4, w.uid_validity)
        .num(5, w.uid)
        .text(6, location)
        .num(7, in.seen_at)
        .run();
    if (sqlite3_changes(m_db) == 0)
        rec.run(k_update_location)
            .num(1, out.message_id)
            .text(2, location)
            .num(3, in.seen_at)
            .text(4, w.source)
            .text(5, w.folder)
            .num(6, w.uid_validity)
            .num(7, w.uid)
            .run();
    fault("location");
    if (advance) {
        if (deferred)
            defer_checkpoint(w, in.seen_at);
        else
            write_checkpoint(w, in.seen_at);
        fault("checkpoint");
    }
    return out;
}

std::int64_t Store::add_to_incident(std::string_view system, std::string_view listed, std::int64_t at,
                                    std::int64_t records, std::int64_t resolver_errors) {
    auto& rec = *m_rec;
    auto it = rec.incidents.find(std::make_pair(system, listed));
    if (it == rec.incidents.end()) {
        Recorder::Incident found;
        {
            auto q = rec.run(k_find_incident);
            q.text(1, system).text(2, listed);
            if (q.step()) {
                found.id = q.i64(0);
                found.resolved = q.view(1) == "resolved";
            }
        }
        if (found.id == 0) { // opened by this bounce: written at once, as its event
            const auto id = upsert_incident(system, listed, at, records, resolver_errors);
            rec.incidents.emplace(std::make_pair(std::string(system), std::string(listed)),
                                  Recorder::Incident{id});
            return id;
        }
        it = rec.incidents.emplace(std::make_pair(std::string(system), std::string(listed)), found).first;
    }
    auto& i = it->second;
    if (i.resolved) { // reopened by this bounce
        rec.run(k_reopen_incident).num(1, i.id).run();
        rec.run(k_incident_reopened).num(1, i.id).num(2, at).run();
        i.resolved = false;
    }
    if (!i.dirty) {
        i.dirty = true;
        i.first = i.last = at;
    }
    ++i.bounces;
    i.records += records;
    i.resolver_errors += resolver_errors;
    i.first = std::min(i.first, at);
    i.last = std::max(i.last, at);
    i.updated = at;
    return i.id;
}

void Store::defer_checkpoint(const Location& w, std::int64_t now) {
    auto& pending = m_rec->checkpoints;
    for (auto& c : pending) {
        if (c.where.source != w.source || c.where.folder != w.folder) continue;
        if (c.where.uid_validity == w.uid_validity) {
            c.where.uid = std::max(c.where.uid, w.uid);
        } else { // another UIDVALIDITY: what was pending is written first, as it would have been
            write_checkpoint(c.where, c.now);
            c.where.uid_validity = w.uid_validity;
            c.where.uid = w.uid;
        }
        c.now = now;
        return;
    }
    pending.push_back({Location{w.source, w.folder, w.uid_validity, w.uid, {}}, now});
}

std::int64_t Store::begin_run(std::string_view command, std::string_view source, std::string_view folder,
                              std::int64_t now) {
    // The service records a run per pass: keep the history bounded.
    Statement(m_db, "DELETE FROM runs WHERE id <= (SELECT MAX(id) FROM runs) - ?")
        .bind(1, k_max_runs_kept)
        .run();
    Statement(m_db, "INSERT INTO runs(command, source, folder, started_at) VALUES(?, ?, ?, ?)")
        .bind(1, command)
        .bind(2, clean(source))
        .bind(3, clean(folder))
        .bind(4, now)
        .run();
    return sqlite3_last_insert_rowid(m_db);
}

void Store::finish_run(std::int64_t run_id, std::string_view status, std::int64_t messages,
                       std::int64_t new_messages, std::string_view error, std::int64_t now) {
    Statement(
        m_db,
        "UPDATE runs SET status = ?, messages = ?, new_messages = ?, error = ?, finished_at = ? WHERE id = ?")
        .bind(1, status)
        .bind(2, messages)
        .bind(3, new_messages)
        .bind(4, clean(error))
        .bind(5, now)
        .bind(6, run_id)
        .run();
}

Totals Store::totals() {
    Totals t = message_totals();
    add_incident_totals(t);
    return t;
}

Totals Store::message_totals() {
    settle();
    Totals t;
    // One statement: the messages table (wide rows) is read once for its five counts, not once per
    // count; the other tables' counts are scalar subqueries beside them.
    Statement s(m_db,
                "SELECT COUNT(*), TOTAL(is_ndr = 1), TOTAL(parse_status = 'unparsed'), "
                "TOTAL(parse_status = 'partial'), TOTAL(is_ndr = 1 AND provenance = 'backscatter'), "
                "(SELECT COUNT(*) FROM recipient_records), (SELECT COUNT(*) FROM list_hits) FROM messages");
    if (s.step()) {
        t.messages = s.i64(0);
        t.ndrs = s.i64(1);
        t.unparsed = s.i64(2);
        t.partial = s.i64(3);
        t.backscatter = s.i64(4);
        t.records = s.i64(5);
        t.list_hits = s.i64(6);
    }
    return t;
}

void Store::add_incident_totals(Totals& t) {
    settle();
    Statement s(m_db, "SELECT (SELECT COUNT(*) FROM incidents), "
                      "(SELECT COUNT(*) FROM incidents WHERE status NOT IN ('resolved', 'dismissed')), "
                      "(SELECT COUNT(*) FROM drafts WHERE status IN ('draft', 'approved'))");
    if (!s.step()) return;
    t.incidents = s.i64(0);
    t.open_incidents = s.i64(1);
    t.drafts = s.i64(2);
}

std::vector<Checkpoint> Store::checkpoints() {
    settle();
    std::vector<Checkpoint> out;
    Statement s(
        m_db,
        "SELECT source, folder, uidvalidity, last_uid, updated_at FROM checkpoints ORDER BY source, folder");
    while (s.step())
        out.push_back({s.text(0), s.text(1), static_cast<std::uint32_t>(s.i64(2)),
                       static_cast<std::uint32_t>(s.i64(3)), s.i64(4)});
    return out;
}

std::optional<RunInfo> Store::last_run() {
    Statement s(
        m_db, "SELECT id, command, source, folder, started_at, finished_at, status, messages, new_messages, "
              "error FROM runs ORDER BY id DESC LIMIT 1");
    if (!s.step()) return std::nullopt;
    return RunInfo{s.i64(0), s.text(1), s.text(2), s.text(3), s.i64(4),
                   s.i64(5), s.text(6), s.i64(7),  s.i64(8),  s.text(9)};
}

namespace {

Counts collect_counts(Statement& s) {
    Counts out;
    while (s.step())
        out.emplace_back(s.text(0), s.i64(1));
    return out;
}

constexpr std::string_view k_incident_columns =
    "SELECT id, system, listed, status, bounces, records, resolver_errors, first_seen, last_seen, "
    "dnsbl_state, "
    "dnsbl_detail, dnsbl_checked_at, ever_listed, remediation, remediated_at FROM incidents";

IncidentSummary read_incident(const Statement& s) {
    IncidentSummary i;
    i.id = s.i64(0);
    i.system = s.text(1);
    i.listed = s.text(2);
    i.status = s.text(3);
    i.bounces = s.i64(4);
    i.records = s.i64(5);
    i.resolver_errors = s.i64(6);
    i.first_seen = s.i64(7);
    i.last_seen = s.i64(8);
    i.dnsbl_state = s.text(9);
    i.dnsbl_detail = s.text(10);
    i.dnsbl_checked_at = s.i64(11);
    i.ever_listed = s.i64(12) != 0;
    i.remediation = s.text(13);
    i.remediated_at = s.i64(14);
    return i;
}

void fill_breakdowns(sqlite3* db, IncidentSummary& i) {
    // Per column: the incident's distinct records per non-empty value, most first, then by value
    // (byte order, as SQLite's BINARY), at most 50 -- what one GROUP BY query per column gave, with
    // the incident's records read once instead of four times.
    constexpr std::size_t k_columns = 4;
    constexpr std::size_t k_max_rows = 50;
    // A record with several hits of the incident counts once: its id is the DISTINCT, kept here
    // rather than in a temporary b-tree of SQLite's.
    Statement s(db, "SELECT r.id, r.recipient_domain, r.reason, r.provider, r.remote_mta FROM list_hits h "
                    "JOIN recipient_records r ON r.id = h.record_id WHERE h.incident_id = ?");
    s.bind(1, i.id);
    std::map<std::string, std::int64_t, std::less<>> counts[k_columns];
    std::unordered_set<std::int64_t> records;
    while (s.step()) {
        if (!records.insert(s.i64(0)).second) continue;
        for (std::size_t c = 0; c < k_columns; ++c) {
            const auto value = s.view(static_cast<int>(c) + 1);
            if (value.empty()) continue;
            auto& by_value = counts[c];
            if (auto it = by_value.find(value); it != by_value.end())
                ++it->second;
            else
                by_value.emplace(std::string(value), 1);
        }
    }
    const auto top = [](const std::map<std::string, std::int64_t, std::less<>>& by_value) {
        Counts out(by_value.begin(), by_value.end());
        std::stable_sort(out.begin(), out.end(),
                         [](const auto& a, const auto& b) { return a.second > b.second; });
        if (out.size() > k_max_rows) out.resize(k_max_rows);
        return out;
    };
    i.recipient_domains = top(counts[0]);
    i.reasons = top(counts[1]);
    i.providers = top(counts[2]);
    i.remote_mtas = top(counts[3]);
}

} // namespace

std::vector<IncidentSummary> Store::incident_rows(bool open_only) {
    settle();
    std::vector<IncidentSummary> out;
    Statement s(m_db, std::string(k_incident_columns) +
                          (open_only ? " WHERE status NOT IN ('resolved', 'dismissed')" : "") +
                          " ORDER BY last_seen DESC, id");
    while (s.step())
        out.push_back(read_incident(s));
    return out;
}

namespace {

void count_new_bounces(sqlite3* db, IncidentSummary& i, const std::unordered_set<std::int64_t>& recent) {
    if (recent.empty()) return;
    std::unordered_set<std::int64_t> counted; // the incident's messages, each counted once
    Statement s(db, "SELECT message_id FROM list_hits WHERE incident_id = ?");
    s.bind(1, i.id);
    while (s.step())
        if (const auto m = s.i64(0); recent.contains(m) && counted.insert(m).second) ++i.new_bounces;
}

} // namespace

std::vector<IncidentSummary> Store::incidents(bool open_only, const std::vector<std::int64_t>& recent) {
    std::vector<IncidentSummary> out = incident_rows(open_only);
    const std::unordered_set<std::int64_t> recent_set(recent.begin(), recent.end());
    for (auto& i : out) {
        fill_breakdowns(m_db, i);
        count_new_bounces(m_db, i, recent_set);
    }
    return out;
}

void Store::fill_incident_breakdowns(IncidentSummary& incident, const std::vector<std::int64_t>& recent) {
    settle();
    fill_breakdowns(m_db, incident);
    count_new_bounces(m_db, incident, std::unordered_set<std::int64_t>(recent.begin(), recent.end()));
}

Counts Store::reasons(const std::vector<std::int64_t>& message_ids, bool all) {
    if (all) {
        Statement s(m_db,
                    "SELECT reason, COUNT(*) AS n FROM recipient_records GROUP BY 1 ORDER BY n DESC, 1");
        return collect_counts(s);
    }
    // One query per run of consecutive ids (a pass records its messages under consecutive ids, so a
    // first scan of 10,000 messages is one range instead of 10,000 look-ups).
    std::vector<std::int64_t> ids(message_ids);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::map<std::string, std::int64_t, std::less<>> counts;
    for (std::size_t i = 0; i < ids.size();) {
        std::size_t j = i + 1;
        while (j < ids.size() && ids[j] == ids[j - 1] + 1)
            ++j;
        Statement q(m_db, "SELECT reason FROM recipient_records WHERE message_id BETWEEN ? AND ?");
        q.bind(1, ids[i]).bind(2, ids[j - 1]);
        while (q.step()) {
            const auto reason = q.view(0);
            if (auto it = counts.find(reason); it != counts.end())
                ++it->second;
            else
                counts.emplace(reason, 1);
        }
        i = j;
    }
    Counts out(counts.begin(), counts.end());
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return out;
}

std::optional<IncidentSummary> Store::incident(std::int64_t id) {
    settle();
    Statement s(m_db, std::string(k_incident_columns) + " WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    auto i = read_incident(s);
    fill_breakdowns(m_db, i);
    return i;
}

std::optional<IncidentDetail> Store::incident_detail(std::int64_t id) {
    auto summary = incident(id);
    if (!summary) return std::nullopt;
    IncidentDetail d;
    d.summary = std::move(*summary);
    {
        Statement s(
            m_db, "SELECT MIN(m.event_at), r.recipient_domain, r.remote_mta, r.diagnostic FROM list_hits h "
                  "JOIN recipient_records r ON r.id = h.record_id JOIN messages m ON m.id = h.message_id "
                  "WHERE h.incident_id = ? AND r.diagnostic <> '' GROUP BY r.diagnostic, r.recipient_domain "
                  "ORDER BY 1, 2 LIMIT ?");
        s.bind(1, id).bind(2, static_cast<std::int64_t>(k_max_rejection_lines));
        while (s.step())
            d.rejections.push_back({s.i64(0), s.text(1), s.text(2), s.text(3)});
    }
    {
        // One pass over the incident's messages, in hit order: our outbound IPs, their names and
        // HELOs (the first 10 distinct non-empty values in byte order each, as SQLite's SELECT
        // DISTINCT ... ORDER BY 1 LIMIT 10 gave them) and the originals' From (the first 50 distinct
        // values in hit order, as its SELECT DISTINCT ... LIMIT 50, without ORDER BY, read them
        // through the list_hits(incident_id) index).
        constexpr std::size_t k_max_values = 10;
        constexpr std::size_t k_max_froms = 50;
        std::set<std::string, std::less<>> sorted[3];
        std::vector<std::string> froms;
        std::set<std::string, std::less<>> from_seen;
        Statement s(m_db,
                    "SELECT m.sending_ip, m.sending_rdns, m.sending_helo, m.original_from FROM list_hits h "
                    "JOIN messages m ON m.id = h.message_id WHERE h.incident_id = ? ORDER BY h.id");
        s.bind(1, id);
        while (s.step()) {
            for (int c = 0; c < 3; ++c) {
                const auto value = s.view(c);
                auto& values = sorted[c];
                if (value.empty() || values.contains(value)) continue;
                if (values.size() == k_max_values) {
                    if (value >= *values.rbegin()) continue;
                    values.erase(std::prev(values.end()));
                }
                values.emplace(value);
            }
            if (froms.size() < k_max_froms) {
                const auto from = s.view(3);
                if (from_seen.emplace(from).second) froms.emplace_back(from);
            }
        }
        d.sending_ips.assign(sorted[0].begin(), sorted[0].end());
        d.sending_rdns.assign(sorted[1].begin(), sorted[1].end());
        d.sending_helos.assign(sorted[2].begin(), sorted[2].end());
        std::set<std::string> seen;
        for (auto from : froms) {
            if (const auto lt = from.rfind('<'); lt != std::string::npos) from = from.substr(lt + 1);
            if (const auto gt = from.find('>'); gt != std::string::npos) from.resize(gt);
            const auto domain = domain_of(from);
            if (!domain.empty() && seen.insert(domain).second) d.from_domains.push_back(domain);
        }
    }
    {
        Statement s(m_db, "SELECT at, kind, detail FROM events WHERE incident_id = ? ORDER BY at, id");
        s.bind(1, id);
        while (s.step())
            d.events.push_back({s.i64(0), s.text(1), s.text(2)});
    }
    return d;
}

void Store::add_event(std::int64_t incident_id, std::string_view kind, std::string_view detail,
                      std::int64_t now) {
    Statement(m_db, "INSERT INTO events(incident_id, at, kind, detail) VALUES(?, ?, ?, ?)")
        .bind(1, incident_id)
        .bind(2, now)
        .bind(3, clean_short(kind))
        .bind(4, clean(detail))
        .run();
}

bool Store::set_incident_status(std::int64_t id, std::string_view status, std::string_view detail,
                                std::int64_t now) {
    settle();
    Transaction tx(m_db);
    std::string old;
    {
        Statement s(m_db, "SELECT status FROM incidents WHERE id = ?");
        s.bind(1, id);
        if (!s.step()) return false;
        old = s.text(0);
    }
    if (old == status) return false;
    Statement(m_db, "UPDATE incidents SET status = ?, updated_at = ? WHERE id = ?")
        .bind(1, status)
        .bind(2, now)
        .bind(3, id)
        .run();
    add_event(id, "status",
              old + " -> " + std::string(status) + (detail.empty() ? "" : ": " + std::string(detail)), now);
    tx.commit();
    return true;
}

void Store::set_dnsbl_state(std::int64_t id, std::string_view state, std::string_view detail,
                            std::int64_t now) {
    settle();
    Transaction tx(m_db);
    std::string old;
    {
        Statement s(m_db, "SELECT dnsbl_state FROM incidents WHERE id = ?");
        s.bind(1, id);
        if (!s.step()) return;
        old = s.text(0);
    }
    Statement(m_db, "UPDATE incidents SET dnsbl_state = ?, dnsbl_detail = ?, dnsbl_checked_at = ?, "
                    "ever_listed = MAX(ever_listed, ?) WHERE id = ?")
        .bind(1, state)
        .bind(2, clean(detail))
        .bind(3, now)
        .bind(4, state == "listed")
        .bind(5, id)
        .run();
    if (old != state)
        add_event(id, "dnsbl",
                  (old.empty() ? std::string("checked") : old + " ->") + " " + std::string(state) +
                      (detail.empty() ? "" : ": " + std::string(detail)),
                  now);
    tx.commit();
}

void Store::record_remediation(std::int64_t id, std::string_view note, std::int64_t now) {
    settle();
    Transaction tx(m_db);
    Statement(m_db, "UPDATE incidents SET remediation = ?, remediated_at = ?, updated_at = ? WHERE id = ?")
        .bind(1, clean(note))
        .bind(2, now)
        .bind(3, now)
        .bind(4, id)
        .run();
    add_event(id, "remediation", note, now);
    tx.commit();
}

namespace {

std::string new_message_id(std::int64_t draft_id, std::int64_t revision, std::string_view domain) {
    unsigned char random[8];
    if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("OpenSSL: RAND_bytes failed");
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string tag;
    for (const auto b : random) {
        tag.push_back(k_hex[b >> 4]);
        tag.push_back(k_hex[b & 0xf]);
    }
    return "ndr-triage.draft" + std::to_string(draft_id) + ".r" + std::to_string(revision) + "." + tag + "@" +
           std::string(domain.empty() ? "localhost" : domain);
}

constexpr std::string_view k_draft_columns = "SELECT id, COALESCE(incident_id, 0), kind, status, recipient, "
                                             "subject, body, url, message_id, revision, edited, "
                                             "imap_message_id, created_at, updated_at, sent_at FROM drafts";

Draft read_draft(const Statement& s) {
    Draft d;
    d.id = s.i64(0);
    d.incident_id = s.i64(1);
    d.kind = s.text(2);
    d.status = s.text(3);
    d.recipient = s.text(4);
    d.subject = s.text(5);
    d.body = s.text(6);
    d.url = s.text(7);
    d.message_id = s.text(8);
    d.revision = s.i64(9);
    d.edited = s.i64(10) != 0;
    d.imap_message_id = s.text(11);
    d.created_at = s.i64(12);
    d.updated_at = s.i64(13);
    d.sent_at = s.i64(14);
    return d;
}

// Draft texts are built by us from sanitised store data, but the operator's edit is free text: keep
// line structure in the body, nothing else that could reach a terminal.
std::string clean_body(std::string_view body) {
    std::string out;
    std::size_t start = 0;
    while (start <= body.size()) {
        const auto nl = body.find('\n', start);
        const auto line =
            body.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        if (!out.empty() || start > 0) out += "\n";
        out += classifiers::sanitise(line, classifiers::k_max_sanitised_bytes);
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    return out;
}

} // namespace

std::pair<std::int64_t, DraftUpsert> Store::upsert_draft(std::int64_t incident_id, const DraftText& text,
                                                         std::string_view domain, std::int64_t now) {
    Transaction tx(m_db);
    const auto recipient = clean_short(text.recipient);
    const auto subject = clean_short(text.subject);
    const auto body = clean_body(text.body);
    const auto url = clean_short(text.url);
    std::optional<Draft> existing;
    {
        Statement s(m_db, std::string(k_draft_columns) + " WHERE incident_id = ? AND kind = ?");
        s.bind(1, incident_id).bind(2, text.kind);
        if (s.step()) existing = read_draft(s);
    }
    if (!existing) {
        Statement(m_db,
                  "INSERT INTO drafts(incident_id, kind, status, recipient, subject, body, url, created_at, "
                  "updated_at) VALUES(?, ?, 'draft', ?, ?, ?, ?, ?, ?)")
            .bind(1, incident_id)
            .bind(2, clean_short(text.kind))
            .bind(3, recipient)
            .bind(4, subject)
            .bind(5, body)
            .bind(6, url)
            .bind(7, now)
            .bind(8, now)
            .run();
        const std::int64_t id = sqlite3_last_insert_rowid(m_db);
        Statement(m_db, "UPDATE drafts SET message_id = ? WHERE id = ?")
            .bind(1, new_message_id(id, 1, domain))
            .bind(2, id)
            .run();
        add_event(incident_id, "draft", "draft " + std::to_string(id) + " (" + text.kind + ") created", now);
        tx.commit();
        return {id, DraftUpsert::created};
    }
    if (existing->status != "draft" || existing->edited) return {existing->id, DraftUpsert::kept};
    if (existing->recipient == recipient && existing->subject == subject && existing->body == body &&
        existing->url == url)
        return {existing->id, DraftUpsert::unchanged};
    const auto revision = existing->revision + 1;
    Statement(
        m_db,
        "UPDATE drafts SET recipient = ?, subject = ?, body = ?, url = ?, revision = ?, message_id = ?, "
        "updated_at = ? WHERE id = ?")
        .bind(1, recipient)
        .bind(2, subject)
        .bind(3, body)
        .bind(4, url)
        .bind(5, revision)
        .bind(6, new_message_id(existing->id, revision, domain))
        .bind(7, now)
        .bind(8, existing->id)
        .run();
    add_event(incident_id, "draft",
              "draft " + std::to_string(existing->id) + " updated (revision " + std::to_string(revision) +
                  ")",
              now);
    tx.commit();
    return {existing->id, DraftUpsert::updated};
}

std::vector<Draft> Store::drafts(bool all) {
    std::vector<Draft> out;
    Statement s(m_db, std::string(k_draft_columns) + (all ? "" : " WHERE status IN ('draft', 'approved')") +
                          " ORDER BY id");
    while (s.step())
        out.push_back(read_draft(s));
    return out;
}

std::optional<Draft> Store::draft(std::int64_t id) {
    Statement s(m_db, std::string(k_draft_columns) + " WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_draft(s);
}

std::vector<Draft> Store::drafts_of(std::int64_t incident_id) {
    std::vector<Draft> out;
    Statement s(m_db, std::string(k_draft_columns) + " WHERE incident_id = ? ORDER BY id");
    s.bind(1, incident_id);
    while (s.step())
        out.push_back(read_draft(s));
    return out;
}

void Store::edit_draft(std::int64_t id, const DraftText& text, std::string_view domain, std::int64_t now) {
    Transaction tx(m_db);
    const auto existing = draft(id);
    if (!existing) throw std::runtime_error("no draft " + std::to_string(id));
    const auto revision = existing->revision + 1;
    Statement(
        m_db,
        "UPDATE drafts SET recipient = ?, subject = ?, body = ?, revision = ?, message_id = ?, edited = 1, "
        "status = 'draft', updated_at = ? WHERE id = ?")
        .bind(1, clean_short(text.recipient))
        .bind(2, clean_short(text.subject))
        .bind(3, clean_body(text.body))
        .bind(4, revision)
        .bind(5, new_message_id(id, revision, domain))
        .bind(6, now)
        .bind(7, id)
        .run();
    if (existing->incident_id != 0)
        add_event(existing->incident_id, "draft",
                  "draft " + std::to_string(id) + " edited (revision " + std::to_string(revision) + ")", now);
    tx.commit();
}

void Store::set_draft_status(std::int64_t id, std::string_view status, std::int64_t now) {
    Transaction tx(m_db);
    const auto existing = draft(id);
    if (!existing) throw std::runtime_error("no draft " + std::to_string(id));
    Statement(m_db, "UPDATE drafts SET status = ?, updated_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? "
                    "ELSE sent_at END "
                    "WHERE id = ?")
        .bind(1, status)
        .bind(2, now)
        .bind(3, status)
        .bind(4, now)
        .bind(5, id)
        .run();
    if (existing->incident_id != 0)
        add_event(existing->incident_id, "draft", "draft " + std::to_string(id) + " " + std::string(status),
                  now);
    tx.commit();
}

void Store::set_draft_imap_copy(std::int64_t id, std::string_view message_id) {
    Statement(m_db, "UPDATE drafts SET imap_message_id = ? WHERE id = ?")
        .bind(1, message_id)
        .bind(2, id)
        .run();
}

std::optional<std::string> Store::derived(std::string_view key) {
    Statement q(m_db, "SELECT value FROM derived WHERE key = ?");
    q.bind(1, key);
    if (!q.step()) return std::nullopt;
    return q.text(0);
}

void Store::set_derived(std::string_view key, std::string_view value) {
    Statement(
        m_db,
        "INSERT INTO derived(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, key)
        .bind(2, value)
        .run();
}

std::string Store::incident_inputs_digest() {
    settle();
    std::string text =
        "messages " + std::to_string(query_int("SELECT COALESCE(MAX(id), 0) FROM messages")) + "\n";
    // Every column, in schema order: a changed value, row or column changes the digest.
    for (const char* table : {"incidents", "drafts"}) {
        Statement q(m_db, std::string("SELECT * FROM ") + table + " ORDER BY id");
        text += table;
        text += "\n";
        while (q.step()) {
            for (int c = 0, n = q.columns(); c < n; ++c) {
                const std::string v = q.text(c);
                text += std::to_string(v.size()) + ":" + v;
            }
            text += "\n";
        }
    }
    return sha256_hex(text);
}

} // namespace ndr::agent::store
