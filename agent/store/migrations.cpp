// migrations.cpp — the SQL of every schema version (see schema.md for the meaning of each column).
#include "agent/store/migrations.hpp"

#include <array>

namespace ndr::agent::store {

namespace {

constexpr std::string_view k_v1 = R"SQL(
CREATE TABLE checkpoints(
  source      TEXT NOT NULL,
  folder      TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  last_uid    INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY(source, folder)
);

CREATE TABLE messages(
  id            INTEGER PRIMARY KEY,
  fingerprint   TEXT NOT NULL UNIQUE CHECK(length(fingerprint) = 64),
  source        TEXT NOT NULL,
  folder        TEXT NOT NULL,
  uidvalidity   INTEGER NOT NULL,
  uid           INTEGER NOT NULL,
  location      TEXT NOT NULL DEFAULT '',
  internal_date TEXT NOT NULL DEFAULT '',
  ndr_date      TEXT NOT NULL DEFAULT '',
  arrival_date  TEXT NOT NULL DEFAULT '',
  event_at      INTEGER NOT NULL,
  seen_at       INTEGER NOT NULL,
  size          INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  is_ndr        INTEGER NOT NULL DEFAULT 0,
  format        TEXT NOT NULL DEFAULT '',
  parse_status  TEXT NOT NULL CHECK(parse_status IN ('parsed', 'partial', 'unparsed')),
  anomalies     TEXT NOT NULL DEFAULT '[]',
  subject       TEXT NOT NULL DEFAULT '',
  ndr_from      TEXT NOT NULL DEFAULT '',
  ndr_message_id TEXT NOT NULL DEFAULT '',
  reporting_mta TEXT NOT NULL DEFAULT '',
  original_message_id TEXT NOT NULL DEFAULT '',
  original_from TEXT NOT NULL DEFAULT '',
  original_subject TEXT NOT NULL DEFAULT '',
  error         TEXT NOT NULL DEFAULT ''
);

CREATE TABLE message_locations(
  message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  source      TEXT NOT NULL,
  folder      TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  uid         INTEGER NOT NULL,
  location    TEXT NOT NULL DEFAULT '',
  seen_at     INTEGER NOT NULL,
  PRIMARY KEY(source, folder, uidvalidity, uid)
);
CREATE INDEX message_locations_message ON message_locations(message_id);

CREATE TABLE recipient_records(
  id                 INTEGER PRIMARY KEY,
  message_id         INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  position           INTEGER NOT NULL,
  final_recipient    TEXT NOT NULL DEFAULT '',
  recipient_domain   TEXT NOT NULL DEFAULT '',
  original_recipient TEXT NOT NULL DEFAULT '',
  action             TEXT NOT NULL DEFAULT '',
  status             TEXT NOT NULL DEFAULT '',
  reply_code         INTEGER NOT NULL DEFAULT 0,
  diagnostic_type    TEXT NOT NULL DEFAULT '',
  diagnostic         TEXT NOT NULL DEFAULT '',
  remote_mta         TEXT NOT NULL DEFAULT '',
  smtp_command       TEXT NOT NULL DEFAULT '',
  last_attempt       TEXT NOT NULL DEFAULT '',
  will_retry_until   TEXT NOT NULL DEFAULT '',
  format             TEXT NOT NULL DEFAULT '',
  reason             TEXT NOT NULL DEFAULT 'undefined',
  hard               INTEGER NOT NULL DEFAULT 0,
  temporary          INTEGER NOT NULL DEFAULT 0,
  provider           TEXT NOT NULL DEFAULT '',
  receiver_resolver_error INTEGER NOT NULL DEFAULT 0,
  UNIQUE(message_id, position)
);

CREATE TABLE incidents(
  id              INTEGER PRIMARY KEY,
  system          TEXT NOT NULL,
  listed          TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL DEFAULT 'open'
                  CHECK(status IN ('open', 'fix-first', 'requested', 'waiting', 'resolved')),
  bounces         INTEGER NOT NULL DEFAULT 0,
  records         INTEGER NOT NULL DEFAULT 0,
  resolver_errors INTEGER NOT NULL DEFAULT 0,
  first_seen      INTEGER NOT NULL,
  last_seen       INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  UNIQUE(system, listed)
);

CREATE TABLE list_hits(
  id          INTEGER PRIMARY KEY,
  record_id   INTEGER NOT NULL REFERENCES recipient_records(id) ON DELETE CASCADE,
  message_id  INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  incident_id INTEGER REFERENCES incidents(id) ON DELETE SET NULL,
  list_id     TEXT NOT NULL,
  listed      TEXT NOT NULL DEFAULT '',
  rule        TEXT NOT NULL DEFAULT '',
  evidence    TEXT NOT NULL DEFAULT '',
  priority    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE dnsbl_answers(
  qname      TEXT NOT NULL,
  qtype      TEXT NOT NULL,
  status     TEXT NOT NULL,
  answers    TEXT NOT NULL,
  ttl        INTEGER NOT NULL,
  fetched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY(qname, qtype)
);

CREATE TABLE events(
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER REFERENCES incidents(id) ON DELETE CASCADE,
  message_id  INTEGER REFERENCES messages(id) ON DELETE SET NULL,
  at          INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_incident ON events(incident_id, at);

CREATE TABLE drafts(
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER REFERENCES incidents(id) ON DELETE SET NULL,
  kind        TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'draft'
              CHECK(status IN ('draft', 'approved', 'rejected', 'sent', 'exported')),
  recipient   TEXT NOT NULL DEFAULT '',
  subject     TEXT NOT NULL DEFAULT '',
  body        TEXT NOT NULL DEFAULT '',
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
)SQL";

constexpr std::string_view k_v2 = R"SQL(
CREATE TABLE runs(
  id           INTEGER PRIMARY KEY,
  command      TEXT NOT NULL,
  source       TEXT NOT NULL,
  folder       TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER NOT NULL DEFAULT 0,
  status       TEXT NOT NULL DEFAULT 'running'
               CHECK(status IN ('running', 'ok', 'interrupted', 'error')),
  messages     INTEGER NOT NULL DEFAULT 0,
  new_messages INTEGER NOT NULL DEFAULT 0,
  error        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recipient_records_message ON recipient_records(message_id);
CREATE INDEX list_hits_incident ON list_hits(incident_id);
CREATE INDEX list_hits_message ON list_hits(message_id);
CREATE INDEX messages_event_at ON messages(event_at);
)SQL";

// v3 (issue 6): incidents get 'dismissed', DNSBL state and remediation; messages their provenance
// (ours / backscatter / unknown) and what the returned original says about the sending host; drafts
// one per (incident, kind) with a Message-ID, revision and the copy in the IMAP Drafts folder.
// SQLite cannot alter a CHECK: incidents is rebuilt (migrate() runs this with foreign keys off, so
// nothing cascades, and checks them before committing).
constexpr std::string_view k_v3 = R"SQL(
CREATE TABLE incidents_v3(
  id              INTEGER PRIMARY KEY,
  system          TEXT NOT NULL,
  listed          TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL DEFAULT 'open'
                  CHECK(status IN ('open', 'fix-first', 'requested', 'waiting', 'resolved', 'dismissed')),
  bounces         INTEGER NOT NULL DEFAULT 0,
  records         INTEGER NOT NULL DEFAULT 0,
  resolver_errors INTEGER NOT NULL DEFAULT 0,
  first_seen      INTEGER NOT NULL,
  last_seen       INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  dnsbl_state     TEXT NOT NULL DEFAULT '',
  dnsbl_detail    TEXT NOT NULL DEFAULT '',
  dnsbl_checked_at INTEGER NOT NULL DEFAULT 0,
  ever_listed     INTEGER NOT NULL DEFAULT 0,
  remediation     TEXT NOT NULL DEFAULT '',
  remediated_at   INTEGER NOT NULL DEFAULT 0,
  UNIQUE(system, listed)
);
INSERT INTO incidents_v3(id, system, listed, status, bounces, records, resolver_errors, first_seen, last_seen,
                         created_at, updated_at)
  SELECT id, system, listed, status, bounces, records, resolver_errors, first_seen, last_seen, created_at, updated_at
  FROM incidents;
DROP TABLE incidents;
ALTER TABLE incidents_v3 RENAME TO incidents;

ALTER TABLE messages ADD COLUMN provenance TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE messages ADD COLUMN provenance_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN sending_ip TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN sending_rdns TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN sending_helo TEXT NOT NULL DEFAULT '';

ALTER TABLE drafts ADD COLUMN url TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE drafts ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;
ALTER TABLE drafts ADD COLUMN imap_message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN sent_at INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX drafts_incident_kind ON drafts(incident_id, kind);
)SQL";

// v4 (issue 5): derived data a later run may reuse, keyed (the rule metadata of a rule-file set; the
// state the incident step last left). Only a cache: dropping every row loses nothing.
constexpr std::string_view k_v4 = R"SQL(
CREATE TABLE derived(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)SQL";

// v5 (issue 5): cheaper recording of a message. messages is rebuilt (same columns, rows and ids) with
// its parse_status CHECK written as comparisons: an IN list made SQLite build a temporary b-tree on
// every INSERT, about a fifth of recording a message. recipient_records(message_id) is dropped: the
// UNIQUE(message_id, position) index serves the same look-ups and cost an index insert per record.
// Takes time in proportion to the messages recorded, once.
constexpr std::string_view k_v5 = R"SQL(
CREATE TABLE messages_v5(
  id            INTEGER PRIMARY KEY,
  fingerprint   TEXT NOT NULL UNIQUE CHECK(length(fingerprint) = 64),
  source        TEXT NOT NULL,
  folder        TEXT NOT NULL,
  uidvalidity   INTEGER NOT NULL,
  uid           INTEGER NOT NULL,
  location      TEXT NOT NULL DEFAULT '',
  internal_date TEXT NOT NULL DEFAULT '',
  ndr_date      TEXT NOT NULL DEFAULT '',
  arrival_date  TEXT NOT NULL DEFAULT '',
  event_at      INTEGER NOT NULL,
  seen_at       INTEGER NOT NULL,
  size          INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  is_ndr        INTEGER NOT NULL DEFAULT 0,
  format        TEXT NOT NULL DEFAULT '',
  parse_status  TEXT NOT NULL
                CHECK(parse_status = 'parsed' OR parse_status = 'partial' OR parse_status = 'unparsed'),
  anomalies     TEXT NOT NULL DEFAULT '[]',
  subject       TEXT NOT NULL DEFAULT '',
  ndr_from      TEXT NOT NULL DEFAULT '',
  ndr_message_id TEXT NOT NULL DEFAULT '',
  reporting_mta TEXT NOT NULL DEFAULT '',
  original_message_id TEXT NOT NULL DEFAULT '',
  original_from TEXT NOT NULL DEFAULT '',
  original_subject TEXT NOT NULL DEFAULT '',
  error         TEXT NOT NULL DEFAULT '',
  provenance    TEXT NOT NULL DEFAULT 'unknown',
  provenance_detail TEXT NOT NULL DEFAULT '',
  sending_ip    TEXT NOT NULL DEFAULT '',
  sending_rdns  TEXT NOT NULL DEFAULT '',
  sending_helo  TEXT NOT NULL DEFAULT ''
);
INSERT INTO messages_v5(id, fingerprint, source, folder, uidvalidity, uid, location, internal_date, ndr_date,
                        arrival_date, event_at, seen_at, size, kind, is_ndr, format, parse_status, anomalies,
                        subject, ndr_from, ndr_message_id, reporting_mta, original_message_id, original_from,
                        original_subject, error, provenance, provenance_detail, sending_ip, sending_rdns,
                        sending_helo)
  SELECT id, fingerprint, source, folder, uidvalidity, uid, location, internal_date, ndr_date, arrival_date,
         event_at, seen_at, size, kind, is_ndr, format, parse_status, anomalies, subject, ndr_from,
         ndr_message_id, reporting_mta, original_message_id, original_from, original_subject, error,
         provenance, provenance_detail, sending_ip, sending_rdns, sending_helo
  FROM messages ORDER BY id;
DROP TABLE messages;
ALTER TABLE messages_v5 RENAME TO messages;
CREATE INDEX messages_event_at ON messages(event_at);
DROP INDEX recipient_records_message;
)SQL";

constexpr std::array<Migration, 5> k_migrations{{
    {1, "checkpoints, messages, locations, records, list hits, DNSBL answers, incidents, events, drafts",
     k_v1},
    {2, "run history; indexes for incident and report queries", k_v2},
    {3, "incident DNSBL state, remediation and 'dismissed'; message provenance; drafts per incident and kind",
     k_v3},
    {4, "derived data: rule metadata and the incident step's last input, reused by a rescan", k_v4},
    {5,
     "cheaper recording: messages' parse_status CHECK without an IN list, no second recipient_records index",
     k_v5},
}};

} // namespace

std::span<const Migration> migrations() {
    return k_migrations;
}

} // namespace ndr::agent::store
