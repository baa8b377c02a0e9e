// store.hpp — the state database (SQLite, one file, WAL): checkpoints, messages by fingerprint, their
// recipient records and list hits, incidents, events, drafts, runs, and the DNSBL cache table.
// The schema and its migrations are described in agent/store/schema.md.
//
// Input trust: every text that came from an NDR is passed through sanitise() here, at the one place it
// enters the database; fingerprints are computed by us. The file is created 0600 (an existing file
// that is group- or world-accessible is refused), foreign keys on, prepared statements only. A database
// written by a newer binary (schema version above k_schema_version) is refused. Errors from SQLite are
// thrown as std::runtime_error with SQLite's message; a failed transaction is rolled back first.
//
// Threads: a Store is used by one thread at a time (it may move between threads): its connection is
// opened without SQLite's per-connection mutex.
#pragma once

#include "classifiers/report.hpp"

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

struct sqlite3;

namespace ndr::agent::store {

inline constexpr int k_schema_version = 5;

// Lower-case hex SHA-256 of the bytes (OpenSSL EVP).
std::string sha256_hex(std::string_view bytes);

enum class ParseStatus { parsed, partial, unparsed };
std::string_view to_string(ParseStatus s);

struct Checkpoint {
    std::string source;
    std::string folder;
    std::uint32_t uid_validity = 0;
    std::uint32_t last_uid = 0;
    std::int64_t updated_at = 0;
};

// Where a message sits in a source.
struct Location {
    std::string source;
    std::string folder;
    std::uint32_t uid_validity = 0;
    std::uint32_t uid = 0;
    std::string location; // human-readable, sanitised on insert
};

struct MessageInput {
    std::string fingerprint; // sha256_hex(raw)
    Location where;
    std::string internal_date; // as the source gave it (RFC 3339), may be empty
    std::uint64_t size = 0;    // raw bytes
    std::int64_t seen_at = 0;  // unix seconds: when recorded
    std::int64_t event_at = 0; // unix seconds: the bounce's own date (Date, arrival, internal date)
    ParseStatus status = ParseStatus::parsed;
    const classifiers::DeliveryReport* report = nullptr; // null when unparsed
    std::string error; // why unparsed (the analyser's message), sanitised on insert
    // Provenance (agent/incidents/provenance.hpp): "ours", "backscatter" or "unknown" (no identity
    // configured). The list hits of a backscatter message are recorded without an incident.
    std::string provenance = "unknown";
    std::string provenance_detail; // why (our text; sanitised on insert)
    std::string sending_ip;        // our outbound IP the returned original left from, if seen
    std::string sending_rdns;      // its reverse name as the next hop's Received field gave it
    std::string sending_helo;      // the HELO name that Received field gave
};

struct RecordOutcome {
    std::int64_t message_id = 0;
    bool is_new = false; // false: the fingerprint was already recorded (location added)
};

struct Totals {
    std::int64_t messages = 0;
    std::int64_t ndrs = 0; // kind failed or delayed
    std::int64_t records = 0;
    std::int64_t unparsed = 0;
    std::int64_t partial = 0;
    std::int64_t list_hits = 0;
    std::int64_t incidents = 0;
    std::int64_t open_incidents = 0; // status other than resolved and dismissed
    std::int64_t backscatter = 0;    // NDRs recorded as backscatter (not about us; never acted on)
    std::int64_t drafts = 0;         // drafts waiting for review (status draft or approved)
};

struct RunInfo {
    std::int64_t id = 0;
    std::string command;
    std::string source;
    std::string folder;
    std::int64_t started_at = 0;
    std::int64_t finished_at = 0; // 0 while running (or killed)
    std::string status;           // running | ok | interrupted | error
    std::int64_t messages = 0;
    std::int64_t new_messages = 0;
    std::string error;
};

using Counts = std::vector<std::pair<std::string, std::int64_t>>; // name → count, largest first

struct IncidentSummary {
    std::int64_t id = 0;
    std::string system;               // list or provider id (rules.d file stem)
    std::string listed;               // IP or domain, may be empty
    std::string status;               // open | fix-first | requested | waiting | resolved | dismissed
    std::int64_t bounces = 0;         // messages
    std::int64_t records = 0;         // recipient records
    std::int64_t resolver_errors = 0; // records whose text said the receiver's resolver was refused
    std::int64_t first_seen = 0;      // unix seconds
    std::int64_t last_seen = 0;
    Counts recipient_domains;
    Counts reasons;
    Counts providers; // Verdict::provider of its records, when known
    Counts remote_mtas;
    std::int64_t new_bounces = 0; // filled by incidents(): messages among `recent` ids
    std::string dnsbl_state;      // last DNSBL check: listed | not-listed | lookup-failed | query-refused |
                                  // untrusted | not-applicable; "" never checked
    std::string dnsbl_detail;
    std::int64_t dnsbl_checked_at = 0;
    bool ever_listed = false; // a check ever found it listed (a later not-listed resolves it)
    std::string remediation;  // `incidents fixed --note`, "" when none recorded
    std::int64_t remediated_at = 0;
};

// An incident with its evidence, for drafts and `incidents show`.
struct RejectionLine {
    std::int64_t at = 0; // the bounce's event_at
    std::string recipient_domain;
    std::string remote_mta;
    std::string text; // the record's diagnostic (sanitised on insert)
};

struct IncidentEvent {
    std::int64_t at = 0;
    std::string kind; // opened, reopened, status, dnsbl, remediation, draft, ...
    std::string detail;
};

struct IncidentDetail {
    IncidentSummary summary;
    std::vector<RejectionLine> rejections; // distinct texts, oldest first, at most k_max_rejection_lines
    std::vector<std::string> sending_ips;  // our outbound IPs the originals left from
    std::vector<std::string> sending_rdns;
    std::vector<std::string> sending_helos;
    std::vector<std::string> from_domains; // domains of the originals' From
    std::vector<IncidentEvent> events;     // oldest first
    // Not stored: the live forward-confirmed reverse DNS of the IPs above, one describe() line each
    // (agent/dnsbl/reverse_dns), filled by the incident workflow when it has a resolver.
    std::vector<std::string> reverse_dns;
};
inline constexpr std::size_t k_max_rejection_lines = 20;

struct Draft {
    std::int64_t id = 0;
    std::int64_t incident_id = 0; // 0 when the incident is gone
    std::string kind;      // the action: form | email | postmaster-note | remote-admin-note | resolver-note
    std::string status;    // draft | approved | rejected | sent
    std::string recipient; // To: address, "" for a form
    std::string subject;
    std::string body;
    std::string url;        // the form to paste into, for kind form
    std::string message_id; // RFC 5322 Message-ID of this revision, without <>
    std::int64_t revision = 1;
    bool edited = false;         // changed by the operator: scans no longer rewrite it
    std::string imap_message_id; // Message-ID of the copy in the IMAP Drafts folder, "" none
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    std::int64_t sent_at = 0;
};

struct DraftText {
    std::string kind;
    std::string recipient;
    std::string subject;
    std::string body;
    std::string url;
};

enum class DraftUpsert { created, updated, unchanged, kept }; // kept: reviewed or edited, left alone

class Store {
  public:
    struct OpenOptions {
        int migrate_to = k_schema_version; // tests: stop migrating at an older version
        bool create = true;                // false: a missing file is an error
        // Reading only (no create, no migration, no journal change): for a database on a read-only
        // filesystem or in a directory we cannot write. SQLite's mode=ro, or, when even the -shm file
        // cannot be made, immutable=1 (nothing can write that file then either). The schema must be
        // the current one.
        bool read_only = false;
    };
    // What the reading commands (status, report, incidents, drafts) use: the file opened as usual
    // (never created), else read-only; the first error when neither works. `*read_only` tells which.
    static std::expected<std::unique_ptr<Store>, std::string> open_existing(const std::string& path,
                                                                            bool* read_only = nullptr);

    static std::expected<std::unique_ptr<Store>, std::string> open(const std::string& path);
    static std::expected<std::unique_ptr<Store>, std::string> open(const std::string& path,
                                                                   const OpenOptions& options);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    int schema_version() const;
    const std::string& path() const { return m_path; }

    std::optional<Checkpoint> checkpoint(std::string_view source, std::string_view folder);
    // UIDVALIDITY changed: checkpoint := (uid_validity, 0), locations under other validities dropped.
    void reset_checkpoint(std::string_view source, std::string_view folder, std::uint32_t uid_validity,
                          std::int64_t now);
    // Advance alone (a vanished message). Never moves backwards.
    void advance_checkpoint(const Location& where, std::int64_t now);

    std::optional<std::int64_t> find_message(std::string_view fingerprint);
    // The message recorded at this source, folder, UIDVALIDITY and UID (where.location is ignored).
    std::optional<std::int64_t> message_at(const Location& where);
    // Whether a recorded message is an NDR (kind failed or delayed); false for unknown ids.
    bool message_is_ndr(std::int64_t message_id);
    // ONE transaction: the message, its records, hits, incidents, location and (when advance) the
    // checkpoint. A fingerprint already recorded only adds the location (and advances).
    RecordOutcome record_message(const MessageInput& input, bool advance);

    // Batches (the scan loop): one outer transaction around several record_message() /
    // advance_checkpoint() calls, each of which then runs as a savepoint inside it. Each message's
    // rows and its checkpoint advance still commit together (with the rest of the batch), so a killed
    // process loses the whole uncommitted batch, checkpoint included, and the next run redoes it.
    // begin_batch() when a batch is open and commit_batch()/rollback_batch() when none is do nothing.
    // With savepoints = false (the scan loop) a message takes no savepoint of its own: much cheaper
    // (no page copies into a sub-journal), but a record_message() or advance_checkpoint() that throws
    // then spoils the whole batch: commit_batch() refuses it (rolls it back and throws) and the caller
    // must rollback_batch() and redo the batch, e.g. with savepoints, message by message. In such a
    // batch the incidents' counters and the checkpoint advance are written once, by commit_batch()
    // (still inside the transaction); reading them through the Store before writes them first.
    void begin_batch(bool savepoints = true);
    void commit_batch();
    void rollback_batch();
    bool in_batch() const;
    // The last commit of a pass: commit_batch() without the WAL checkpoint SQLite runs in a commit that
    // leaves the WAL past wal_autocheckpoint pages (copying every page written since the last one into
    // the database file and syncing it: 11 ms at the end of a first scan of 10,000 messages, every
    // other core idle). That checkpoint runs on a connection of its own instead, beside what the
    // caller does next (the incident step, the report). The next begin_batch() and the destructor
    // wait for it, and the automatic checkpoint is back from then on. A checkpoint that fails leaves
    // the WAL to the next automatic one, as a crash would.
    void commit_batch_checkpoint_behind();

    std::int64_t begin_run(std::string_view command, std::string_view source, std::string_view folder,
                           std::int64_t now);
    void finish_run(std::int64_t run_id, std::string_view status, std::int64_t messages,
                    std::int64_t new_messages, std::string_view error, std::int64_t now);

    Totals totals();
    // totals() in two parts: the counts that only messages, records and hits give (nothing after a
    // pass's recording changes them: the incident step may read them on another connection), then
    // the incident and draft counts added to those.
    Totals message_totals();
    void add_incident_totals(Totals& totals);
    std::vector<Checkpoint> checkpoints();
    std::optional<RunInfo> last_run();
    // Incidents, most recently seen first; `recent` message ids give new_bounces. open_only: not
    // resolved and not dismissed.
    std::vector<IncidentSummary> incidents(bool open_only, const std::vector<std::int64_t>& recent = {});
    // The same rows without the breakdowns (recipient_domains, reasons, providers, remote_mtas stay
    // empty) and without new_bounces: for callers that only walk the incidents.
    std::vector<IncidentSummary> incident_rows(bool open_only);
    // What incidents() adds to such a row: its breakdowns and, with `recent` message ids, new_bounces.
    void fill_incident_breakdowns(IncidentSummary& incident, const std::vector<std::int64_t>& recent = {});
    std::optional<IncidentSummary> incident(std::int64_t id);
    std::optional<IncidentDetail> incident_detail(std::int64_t id);
    // Status change with an event "status" ("old -> new: detail"); no-op (false) when unchanged.
    bool set_incident_status(std::int64_t id, std::string_view status, std::string_view detail,
                             std::int64_t now);
    // DNSBL state; an event "dnsbl" when the state changes. Sets ever_listed on "listed".
    void set_dnsbl_state(std::int64_t id, std::string_view state, std::string_view detail, std::int64_t now);
    // What the operator did (sanitised), with an event "remediation".
    void record_remediation(std::int64_t id, std::string_view note, std::int64_t now);
    void add_event(std::int64_t incident_id, std::string_view kind, std::string_view detail,
                   std::int64_t now);

    // Drafts: one per (incident, kind). A scan's text replaces the stored one only while the draft is
    // unreviewed (status draft) and not edited; then revision and Message-ID change.
    std::pair<std::int64_t, DraftUpsert> upsert_draft(std::int64_t incident_id, const DraftText& text,
                                                      std::string_view message_id_domain, std::int64_t now);
    std::vector<Draft> drafts(bool all = false); // all: also rejected and sent
    std::optional<Draft> draft(std::int64_t id);
    std::vector<Draft> drafts_of(std::int64_t incident_id);
    // The operator's edit: new text, revision + 1, new Message-ID, edited = 1, status back to draft.
    void edit_draft(std::int64_t id, const DraftText& text, std::string_view message_id_domain,
                    std::int64_t now);
    void set_draft_status(std::int64_t id, std::string_view status, std::int64_t now);
    void set_draft_imap_copy(std::int64_t id, std::string_view message_id);
    // Reason breakdown over the records of these messages (all messages when `all`).
    Counts reasons(const std::vector<std::int64_t>& message_ids, bool all = false);

    // Derived data (a cache: the caller can always recompute it). nullopt when absent.
    std::optional<std::string> derived(std::string_view key);
    void set_derived(std::string_view key, std::string_view value);
    // SHA-256 (hex) over what the incident step reads from the store: every incident's and draft's
    // state and the newest message id. Equal digests: nothing the step reads has changed.
    std::string incident_inputs_digest();

    // Tests: called between the steps of record_message(); throwing from it aborts the transaction.
    void set_fault_hook(std::function<void(std::string_view step)> hook) { m_fault_hook = std::move(hook); }
    // Applies the migrations above the current version up to `target`, each in its own transaction
    // (open() calls it). Safe against another process migrating the same file meanwhile.
    void migrate(int target);
    // Tests and status: run one query returning a single integer.
    std::int64_t query_int(std::string_view sql);

  private:
    static std::expected<std::unique_ptr<Store>, std::string> open_read_only(const std::string& path);
    Store(sqlite3* db, std::string path);
    void exec(std::string_view sql);
    void fault(std::string_view step);
    std::int64_t upsert_incident(std::string_view system, std::string_view listed, std::int64_t at,
                                 std::int64_t records, std::int64_t resolver_errors);
    // In a batch without savepoints: the incident's counters summed in memory, the checkpoint advance
    // kept; settle() writes both.
    std::int64_t add_to_incident(std::string_view system, std::string_view listed, std::int64_t at,
                                 std::int64_t records, std::int64_t resolver_errors);
    void defer_checkpoint(const Location& where, std::int64_t now);
    RecordOutcome record_rows(const MessageInput& input, bool advance, bool deferred);
    void write_checkpoint(const Location& where, std::int64_t now);
    // The counters and checkpoint a batch without savepoints keeps in memory: written now.
    void settle();
    // Joins the checkpoint commit_batch_checkpoint_behind() started and restores the automatic one.
    void wait_checkpoint() noexcept;

    struct Recorder; // record_message()'s prepared statements, buffers and per-batch state (store.cpp)

    sqlite3* m_db = nullptr;
    std::string m_path;
    int m_version = 0;    // schema version after migrate()
    bool m_batch = false; // begin_batch() opened a transaction that commit/rollback_batch() has not closed
    bool m_savepoints = true; // the open batch takes a savepoint per message
    bool m_spoiled = false;   // a message of the open batch (without savepoints) failed: only rollback
    std::unique_ptr<Recorder> m_rec;
    std::function<void(std::string_view)> m_fault_hook;
    std::thread m_checkpointer; // commit_batch_checkpoint_behind()'s checkpoint, until joined
    int m_autocheckpoint = -1;  // wal_autocheckpoint to restore when it is joined (-1: none)
};

} // namespace ndr::agent::store
