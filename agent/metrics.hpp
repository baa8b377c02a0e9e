// metrics.hpp — metrics for monitoring in the Prometheus text exposition format (version 0.0.4),
// written as a node_exporter textfile-collector file after each pass of `scan` and `run` ([metrics]
// textfile in agent.toml; the file is replaced atomically, so the collector never reads half of it).
//
// What is exported (all names start with ndr_triage_):
//   messages_processed_total            counter  messages recorded in the state database
//   ndrs_total{reason}                  counter  recipient records of NDRs (failed/delayed) by reason
//   list_hits_total{list}               counter  list hits by list or provider id
//   open_incidents{status}              gauge    incidents by status, every status but resolved
//   dnsbl_lookups_total{outcome}        counter  DNSBL (target, list) look-ups by outcome
//   imap_errors_total                   counter  failed IMAP connections, passes and fetches
//   last_success_timestamp_seconds      gauge    end of the last pass that finished ok (0: none yet)
//   last_pass_timestamp_seconds         gauge    end of the pass that wrote the file
// The first four come from the state database, so they survive restarts. The two process counters
// (DNSBL look-ups, IMAP errors) start from the values in the previous file, so one-shot scans from cron
// add up too; deleting the file resets them, which Prometheus treats as a counter reset.
//
// Input trust: label values come from the database (sanitised there) and are escaped as the format
// requires (backslash, double quote, newline). The previous file is read with a size cap and only
// lines of our own two process counters are taken from it; anything else in it is ignored.
#pragma once

#include "agent/dnsbl/interpret.hpp"
#include "agent/report_data.hpp"
#include "agent/scan.hpp"

#include <array>
#include <cstdint>
#include <expected>
#include <string>

namespace ndr::agent::metrics {

inline constexpr std::size_t k_outcomes = 5; // dnsbl::Outcome values

struct ProcessCounters {
    std::uint64_t imap_errors = 0;
    std::array<std::uint64_t, k_outcomes> dnsbl{}; // indexed by dnsbl::Outcome
};

// Thread-safe; counted from anywhere in the process.
void count_imap_errors(std::uint64_t n = 1);
void count_dnsbl_lookup(dnsbl::Outcome outcome);
ProcessCounters process_counters();
// Tests: back to zero, and the previous file read again on the next write.
void reset_process_counters();

// The IMAP errors of one pass over an IMAP source: a failed pass counts one, each failed fetch one.
std::uint64_t imap_errors_of(const ScanResult& pass);

// Label value escaping of the text format: \ → \\, " → \", newline → \n.
std::string escape_label(std::string_view value);

// The whole file.
std::string render(const StoreMetrics& store, const ProcessCounters& process, std::int64_t pass_finished_at);

// The two process counters as found in a previous file (missing ones are 0).
ProcessCounters parse_previous(std::string_view text);

// Reads the state database (read-only), renders and replaces `path` atomically (mode 0644). On the
// first call in a process the previous file's process counters are added to this process's.
std::expected<void, std::string> write_textfile(const std::string& path, const std::string& state_path,
                                                std::int64_t pass_finished_at);

} // namespace ndr::agent::metrics
