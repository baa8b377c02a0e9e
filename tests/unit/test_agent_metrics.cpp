// test_agent_metrics.cpp — agent/metrics and agent/atomic_file: the Prometheus text format (HELP/TYPE,
// label escaping, every documented family), counts read from a real state database, process counters
// carried over from the previous file, and the atomic replacement of the file.
#include "agent/atomic_file.hpp"
#include "agent/metrics.hpp"
#include "agent/store/store.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace ndr::agent;
namespace cl = ndr::classifiers;

namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/ndr-metrics-test-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    REQUIRE(d != nullptr);
    return d;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

void record(store::Store& db, const std::string& raw, cl::Kind kind, cl::Reason reason,
            const std::string& list) {
    cl::DeliveryReport r;
    r.kind = kind;
    cl::RecipientRecord rec;
    rec.final_recipient = "bob@example.net";
    rec.verdict.reason = reason;
    if (!list.empty()) rec.verdict.lists.push_back({list, "198.51.100.23", "r", "evidence", 50});
    r.recipients.push_back(rec);
    store::MessageInput in;
    in.fingerprint = store::sha256_hex(raw);
    in.where = {"files", "(command line)", 1, 1, raw};
    in.event_at = 1794820323;
    in.seen_at = 1794820400;
    in.report = &r;
    db.record_message(in, false);
}

} // namespace

TEST_CASE("metrics: every family has HELP and TYPE; label values are escaped") {
    StoreMetrics s;
    s.messages = 12;
    s.ndrs_by_reason = {{"blocked", 5}, {"user\"unknown\\\n", 1}};
    s.list_hits_by_list = {{"spamhaus-zen", 3}};
    s.open_incidents_by_status = {{"fix-first", 2}};
    s.last_success = 1794820400;
    metrics::ProcessCounters p;
    p.imap_errors = 4;
    p.dnsbl[static_cast<std::size_t>(dnsbl::Outcome::listed)] = 7;
    const auto text = metrics::render(s, p, 1794820500);
    for (const char* family : {"messages_processed_total", "ndrs_total", "list_hits_total", "open_incidents",
                               "dnsbl_lookups_total", "imap_errors_total", "last_success_timestamp_seconds",
                               "last_pass_timestamp_seconds"}) {
        CAPTURE(family);
        CHECK(text.find(std::string("# HELP ndr_triage_") + family + " ") != std::string::npos);
        CHECK(text.find(std::string("# TYPE ndr_triage_") + family + " ") != std::string::npos);
    }
    CHECK(has_line(text, "ndr_triage_messages_processed_total 12"));
    CHECK(has_line(text, "ndr_triage_ndrs_total{reason=\"blocked\"} 5"));
    CHECK(has_line(text, "ndr_triage_ndrs_total{reason=\"user\\\"unknown\\\\\\n\"} 1"));
    CHECK(has_line(text, "ndr_triage_list_hits_total{list=\"spamhaus-zen\"} 3"));
    CHECK(has_line(text, "ndr_triage_open_incidents{status=\"fix-first\"} 2"));
    CHECK(has_line(text, "ndr_triage_open_incidents{status=\"open\"} 0"));
    CHECK(has_line(text, "ndr_triage_dnsbl_lookups_total{outcome=\"listed\"} 7"));
    CHECK(has_line(text, "ndr_triage_dnsbl_lookups_total{outcome=\"lookup-failed\"} 0"));
    CHECK(has_line(text, "ndr_triage_imap_errors_total 4"));
    CHECK(has_line(text, "ndr_triage_last_success_timestamp_seconds 1794820400"));
    CHECK(has_line(text, "ndr_triage_last_pass_timestamp_seconds 1794820500"));
    CHECK(text.find("counter\n") != std::string::npos);
    CHECK(text.ends_with("\n"));
}

TEST_CASE("metrics: the previous file's process counters are read back, other lines ignored") {
    const auto c = metrics::parse_previous("# HELP x\nndr_triage_imap_errors_total 9\n"
                                           "ndr_triage_dnsbl_lookups_total{outcome=\"listed\"} 3\n"
                                           "ndr_triage_dnsbl_lookups_total{outcome=\"query-refused\"} 2\n"
                                           "ndr_triage_imap_errors_total_x 100\n"
                                           "ndr_triage_messages_processed_total 50\n"
                                           "ndr_triage_dnsbl_lookups_total{outcome=\"not-listed\"} -4\n");
    CHECK(c.imap_errors == 9);
    CHECK(c.dnsbl[static_cast<std::size_t>(dnsbl::Outcome::listed)] == 3);
    CHECK(c.dnsbl[static_cast<std::size_t>(dnsbl::Outcome::query_refused)] == 2);
    CHECK(c.dnsbl[static_cast<std::size_t>(dnsbl::Outcome::not_listed)] == 0);
    CHECK(metrics::parse_previous("garbage\n\n{{{").imap_errors == 0);
}

TEST_CASE("metrics: write_textfile reads the state database and continues the previous counters") {
    const auto dir = temp_dir();
    const auto state = dir + "/state.db";
    {
        auto db = store::Store::open(state);
        REQUIRE(db.has_value());
        record(**db, "a", cl::Kind::failed, cl::Reason::blocked, "spamhaus-zen");
        record(**db, "b", cl::Kind::failed, cl::Reason::blocked, "spamcop");
        record(**db, "c", cl::Kind::delayed, cl::Reason::expired, "");
        record(**db, "d", cl::Kind::auto_reply, cl::Reason::vacation, "");
        const auto run = (*db)->begin_run("scan", "files", "(command line)", 1794820000);
        (*db)->finish_run(run, "ok", 4, 4, "", 1794820100);
    }
    const auto prom = dir + "/ndr-triage.prom";
    {
        std::ofstream(prom)
            << "ndr_triage_imap_errors_total 5\nndr_triage_dnsbl_lookups_total{outcome=\"listed\"} 2\n";
    }
    metrics::reset_process_counters();
    metrics::count_imap_errors(2);
    metrics::count_dnsbl_lookup(dnsbl::Outcome::listed);
    auto ok = metrics::write_textfile(prom, state, 1794820200);
    REQUIRE_MESSAGE(ok.has_value(), (ok ? "" : ok.error()));
    auto text = slurp(prom);
    CHECK(has_line(text, "ndr_triage_messages_processed_total 4"));
    CHECK(has_line(text, "ndr_triage_ndrs_total{reason=\"blocked\"} 2"));
    CHECK(has_line(text, "ndr_triage_ndrs_total{reason=\"expired\"} 1"));
    CHECK(text.find("reason=\"vacation\"") == std::string::npos); // an auto-reply is no NDR
    CHECK(has_line(text, "ndr_triage_list_hits_total{list=\"spamcop\"} 1"));
    CHECK(has_line(text, "ndr_triage_open_incidents{status=\"open\"} 2"));
    CHECK(has_line(text, "ndr_triage_imap_errors_total 7"));
    CHECK(has_line(text, "ndr_triage_dnsbl_lookups_total{outcome=\"listed\"} 3"));
    CHECK(has_line(text, "ndr_triage_last_success_timestamp_seconds 1794820100"));
    struct stat st {};
    REQUIRE(::stat(prom.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);

    // A second pass in the same process adds only what happened since (the base is read once).
    metrics::count_imap_errors(1);
    ok = metrics::write_textfile(prom, state, 1794820300);
    REQUIRE(ok.has_value());
    text = slurp(prom);
    CHECK(has_line(text, "ndr_triage_imap_errors_total 8"));
    metrics::reset_process_counters();
    std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("metrics: an unwritable directory is an error that names the file; nothing is left behind") {
    const auto dir = temp_dir();
    const auto missing = dir + "/no/such/dir/x.prom";
    const auto r = write_file_atomically(missing, "x\n");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().find(missing) != std::string::npos);

    const auto target = dir + "/out.prom";
    REQUIRE(write_file_atomically(target, "first\n").has_value());
    REQUIRE(write_file_atomically(target, "second\n", 0600).has_value());
    CHECK(slurp(target) == "second\n");
    struct stat st {};
    REQUIRE(::stat(target.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    // Only the target is in the directory: no temporary file survives.
    const auto listing = std::string(dir) + "/listing";
    std::system(("ls -A '" + dir + "' > '" + listing + "'").c_str());
    CHECK(slurp(listing) == "listing\nout.prom\n");
    std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("metrics: a pass counts one IMAP error when it failed, one per failed fetch") {
    ScanResult r;
    CHECK(metrics::imap_errors_of(r) == 0);
    r.fetch_errors = 3;
    CHECK(metrics::imap_errors_of(r) == 3);
    r.source_error = true;
    CHECK(metrics::imap_errors_of(r) == 4);
}
