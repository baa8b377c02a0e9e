// scan.hpp — the scan loop: drives any MailSource, analyses each new message and records it in the
// store in one transaction with the checkpoint, then asks the source to mark it processed.
//
// Input trust: message bytes are hostile (the analyser copes with anything; an exception from it only
// makes the message "unparsed"). The source may fail: a failed open() is an error for the caller; a
// failed fetch() is counted and freezes the checkpoint for the rest of the pass (the next pass retries;
// fingerprints keep it from counting twice). Stops early, after committing the message in hand, when a
// stop was requested (SIGTERM/SIGINT through install_stop_handlers(), or request_stop()).
//
// Threads: scan_source() runs a fetch thread (source.fetch(), UID after UID; INTERNALDATE, --since,
// fingerprint) and an analysis thread (`analyse`) ahead of the calling thread, which records in UID order and
// calls mark_processed(); bounded queues between them keep memory bounded. The source is never called from
// two threads at once; `analyse` is called from the analysis thread only, every other callback from
// the calling thread. A stop request stops the fetching; what was already fetched is still recorded.
#pragma once

#include "agent/incidents/provenance.hpp"
#include "agent/sources/source.hpp"
#include "classifiers/report.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::agent {

namespace store {
class Store;
}

// raw bytes → analysed report (parse → classify → attribute). May throw; the loop copes. The bytes
// come with CR and CRLF line ends already turned to LF (after the fingerprint) when
// classifiers::parse_message() would do that first: no NUL, within k_max_message_bytes.
using AnalyseFn = std::function<classifiers::DeliveryReport(std::string_view raw)>;

// Failed or delayed: what counts as an NDR in reports and for MailSource::mark_processed().
bool is_ndr(classifiers::Kind kind);

struct ScanProgress {
    std::size_t done = 0;  // UIDs handled in this pass so far
    std::size_t total = 0; // UIDs listed for this pass
};

struct ScanOptions {
    std::optional<std::int64_t> since; // unix seconds: messages dated before are skipped, not recorded
    std::string run_command = "scan";  // recorded in the runs table ("scan", "run")
    bool record_run = true;            // write a row to the runs table for this pass
    // Called after each UID (from the scanning thread). Empty: nothing.
    std::function<void(const ScanProgress&)> on_progress;
    // Consecutive fetch failures after which the pass gives up (source_error set).
    std::size_t max_consecutive_fetch_errors = 5;
    // Ours or backscatter (agent/incidents/provenance.hpp) for each newly parsed NDR; empty: every
    // bounce is "unknown" and counts as evidence. May do DNS (DKIM keys); must not throw.
    std::function<incidents::Provenance(const classifiers::DeliveryReport&)> provenance;
    // Called once, from the analysis thread, before the first message is analysed (a pass with
    // nothing to analyse never calls it): e.g. compiling the rules. An exception from it fails the
    // pass at that message, as a store error does (nothing of it recorded).
    std::function<void()> before_analysis;
};

struct ScanResult {
    std::string source; // FolderState::source
    std::string folder;
    std::size_t messages = 0;      // fetched in this pass
    std::size_t new_messages = 0;  // recorded in this pass (not seen before by fingerprint)
    std::size_t duplicates = 0;    // fetched but already recorded (e.g. after a UIDVALIDITY change)
    std::size_t ndrs = 0;          // new messages that are NDRs (is_ndr)
    std::size_t records = 0;       // recipient records in new messages
    std::size_t unparsed = 0;      // new messages the analyser threw on
    std::size_t partial = 0;       // new messages parsed with anomalies
    std::size_t backscatter = 0;   // new NDRs judged backscatter (recorded, not acted on)
    std::size_t skipped_since = 0; // dated before --since
    std::size_t vanished = 0;      // listed but gone when fetched
    std::size_t remarked = 0;      // recorded earlier but left unmarked (a killed scan): marked now
    std::size_t fetch_errors = 0;
    bool uidvalidity_changed = false;          // a checkpoint existed with another UIDVALIDITY
    bool interrupted = false;                  // stopped early by a stop request
    bool source_error = false;                 // the source failed (open, list, or too many fetches)
    std::string error;                         // what failed, for the user (no secrets: the source's words)
    std::vector<std::int64_t> new_message_ids; // store ids of the messages recorded in this pass
    std::int64_t run_id = 0;                   // runs table row, 0 when not recorded
    std::int64_t started_at = 0;               // unix seconds
    std::int64_t finished_at = 0;
};

// One pass over `source`. Exceptions from the source's open()/list_after() are caught and reported
// in ScanResult::source_error/error; store errors (disk full, corrupt file) propagate as
// std::runtime_error after the transaction in hand has been rolled back.
ScanResult scan_source(MailSource& source, store::Store& store, const AnalyseFn& analyse,
                       const ScanOptions& options = {});

// Stop requests: SIGTERM and SIGINT set a flag the loop checks between messages; a second SIGINT
// kills the process the default way. The service loop (cmd_run) uses the same flag.
void install_stop_handlers();
bool stop_requested();
void request_stop();
void clear_stop_request();

// Dates as found in mail: RFC 5322 ("Mon, 23 Nov 2026 18:25:49 +0000", obsolete zones too), RFC 3339
// ("2026-11-23T18:25:49Z"), a plain date ("2026-11-23", midnight UTC) or asctime as in an mbox From_
// line ("Mon Nov 23 18:25:49 2026", UTC). nullopt when it is none of these. Bounded; never throws.
std::optional<std::int64_t> parse_mail_date(std::string_view text);
// Unix seconds → "2026-11-23T18:25:49Z".
std::string format_utc(std::int64_t unix_seconds);

} // namespace ndr::agent
