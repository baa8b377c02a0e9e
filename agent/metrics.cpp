// metrics.cpp — the Prometheus textfile (see metrics.hpp).
#include "agent/metrics.hpp"

#include "agent/atomic_file.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>

namespace ndr::agent::metrics {

namespace {

// Largest previous file read back for the process counters.
constexpr std::size_t k_max_previous_bytes = 1024 * 1024;

std::atomic<std::uint64_t> g_imap_errors{0};
std::array<std::atomic<std::uint64_t>, k_outcomes> g_dnsbl{};
std::mutex g_base_mutex;
bool g_base_loaded = false;
ProcessCounters g_base; // from the previous file

constexpr std::array<dnsbl::Outcome, k_outcomes> k_all_outcomes{
    dnsbl::Outcome::listed, dnsbl::Outcome::not_listed, dnsbl::Outcome::lookup_failed,
    dnsbl::Outcome::query_refused, dnsbl::Outcome::not_applicable};

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += "# HELP ndr_triage_" + std::string(name) + " " + std::string(help) + "\n";
    out += "# TYPE ndr_triage_" + std::string(name) + " " + std::string(type) + "\n";
}

void sample(std::string& out, std::string_view name, std::string_view label, std::string_view value,
            std::uint64_t n) {
    out += "ndr_triage_" + std::string(name);
    if (!label.empty()) out += "{" + std::string(label) + "=\"" + escape_label(value) + "\"}";
    out += " " + std::to_string(n) + "\n";
}

std::uint64_t to_u64(std::int64_t v) {
    return v < 0 ? 0 : static_cast<std::uint64_t>(v);
}

// The number at the end of a sample line, if the line is exactly `prefix` + " " + digits.
std::optional<std::uint64_t> value_after(std::string_view line, std::string_view prefix) {
    if (!line.starts_with(prefix) || line.size() <= prefix.size() + 1 || line[prefix.size()] != ' ')
        return std::nullopt;
    const auto digits = line.substr(prefix.size() + 1);
    if (digits.size() > 19 || digits.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    return std::strtoull(std::string(digits).c_str(), nullptr, 10);
}

} // namespace

void count_imap_errors(std::uint64_t n) {
    g_imap_errors.fetch_add(n);
}

void count_dnsbl_lookup(dnsbl::Outcome outcome) {
    const auto i = static_cast<std::size_t>(outcome);
    if (i < k_outcomes) g_dnsbl[i].fetch_add(1);
}

ProcessCounters process_counters() {
    ProcessCounters c;
    c.imap_errors = g_imap_errors.load();
    for (std::size_t i = 0; i < k_outcomes; ++i)
        c.dnsbl[i] = g_dnsbl[i].load();
    return c;
}

void reset_process_counters() {
    g_imap_errors.store(0);
    for (auto& c : g_dnsbl)
        c.store(0);
    std::lock_guard lock(g_base_mutex);
    g_base_loaded = false;
    g_base = {};
}

std::uint64_t imap_errors_of(const ScanResult& pass) {
    return (pass.source_error ? 1u : 0u) + static_cast<std::uint64_t>(pass.fetch_errors);
}

std::string escape_label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string render(const StoreMetrics& store, const ProcessCounters& process, std::int64_t pass_finished_at) {
    std::string out;
    header(out, "messages_processed_total", "counter", "Messages recorded in the state database.");
    sample(out, "messages_processed_total", "", "", to_u64(store.messages));

    header(out, "ndrs_total", "counter", "Recipient records of NDRs (failed or delayed) by reason.");
    for (const auto& [reason, n] : store.ndrs_by_reason)
        sample(out, "ndrs_total", "reason", reason, to_u64(n));

    header(out, "list_hits_total", "counter",
           "Rejections attributed to a blocklist or provider, by list id.");
    for (const auto& [list, n] : store.list_hits_by_list)
        sample(out, "list_hits_total", "list", list, to_u64(n));

    header(out, "open_incidents", "gauge", "Incidents that are neither resolved nor dismissed, by status.");
    std::set<std::string> seen;
    for (const auto& [status, n] : store.open_incidents_by_status) {
        sample(out, "open_incidents", "status", status, to_u64(n));
        seen.insert(status);
    }
    // The usual statuses are always present, so that an alert on them has a series to look at.
    for (const char* status : {"open", "fix-first", "requested", "waiting"})
        if (!seen.count(status)) sample(out, "open_incidents", "status", status, 0);

    header(out, "dnsbl_lookups_total", "counter", "DNSBL look-ups (target, list) by outcome.");
    for (const auto outcome : k_all_outcomes)
        sample(out, "dnsbl_lookups_total", "outcome", dnsbl::to_string(outcome),
               process.dnsbl[static_cast<std::size_t>(outcome)]);

    header(out, "imap_errors_total", "counter", "Failed IMAP connections, passes and message fetches.");
    sample(out, "imap_errors_total", "", "", process.imap_errors);

    header(out, "last_success_timestamp_seconds", "gauge",
           "End of the last pass that finished ok (unix time; 0: none).");
    sample(out, "last_success_timestamp_seconds", "", "", to_u64(store.last_success.value_or(0)));

    header(out, "last_pass_timestamp_seconds", "gauge", "End of the pass that wrote this file (unix time).");
    sample(out, "last_pass_timestamp_seconds", "", "", to_u64(pass_finished_at));
    return out;
}

ProcessCounters parse_previous(std::string_view text) {
    ProcessCounters c;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        const auto line = text.substr(start, end - start);
        start = end + 1;
        if (auto v = value_after(line, "ndr_triage_imap_errors_total")) c.imap_errors = *v;
        for (const auto outcome : k_all_outcomes) {
            const std::string prefix =
                "ndr_triage_dnsbl_lookups_total{outcome=\"" + std::string(dnsbl::to_string(outcome)) + "\"}";
            if (auto v = value_after(line, prefix)) c.dnsbl[static_cast<std::size_t>(outcome)] = *v;
        }
    }
    return c;
}

std::expected<void, std::string> write_textfile(const std::string& path, const std::string& state_path,
                                                std::int64_t pass_finished_at) {
    ProcessCounters base;
    {
        std::lock_guard lock(g_base_mutex);
        if (!g_base_loaded) {
            g_base_loaded = true;
            std::ifstream in(path, std::ios::binary);
            if (in) {
                std::string text(k_max_previous_bytes, '\0');
                in.read(text.data(), static_cast<std::streamsize>(text.size()));
                text.resize(static_cast<std::size_t>(in.gcount()));
                g_base = parse_previous(text);
            }
        }
        base = g_base;
    }
    auto queries = ReportQueries::open(state_path);
    if (!queries) return std::unexpected(queries.error());
    StoreMetrics store;
    try {
        store = queries->metrics();
    } catch (const std::exception& e) {
        return std::unexpected(state_path + ": " + e.what());
    }
    auto process = process_counters();
    process.imap_errors += base.imap_errors;
    for (std::size_t i = 0; i < k_outcomes; ++i)
        process.dnsbl[i] += base.dnsbl[i];
    return write_file_atomically(path, render(store, process, pass_finished_at), 0644);
}

} // namespace ndr::agent::metrics
