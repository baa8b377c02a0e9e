// test_agent_report_html.cpp — agent/report_html and agent/report_data: the chart's bars, window and
// legend, escaping of hostile text everywhere on the page, the order of incidents, and the data read
// back from a real state database (evidence grouped, DNSBL answers mapped to targets, drafts).
#include "agent/report_data.hpp"
#include "agent/report_html.hpp"
#include "agent/store/store.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <string>
#include <unistd.h>

using namespace ndr::agent;
namespace cl = ndr::classifiers;
namespace rules = ndr::classifiers::rules;

namespace {

constexpr std::int64_t k_day = 86400;
constexpr std::int64_t k_now = 20426 * k_day + 3600; // 2025-12-04T01:00:00Z

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
        ++n;
    return n;
}

struct TempDb {
    std::string dir;
    std::string path;
    std::unique_ptr<store::Store> db;
    TempDb() {
        char tmpl[] = "/tmp/ndr-html-test-XXXXXX";
        const char* d = ::mkdtemp(tmpl);
        REQUIRE(d != nullptr);
        dir = d;
        path = dir + "/state.db";
        db = std::move(*store::Store::open(path));
    }
    ~TempDb() {
        db.reset();
        std::system(("rm -rf '" + dir + "'").c_str());
    }
    void sql(const std::string& text) {
        sqlite3* h = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &h) == SQLITE_OK);
        char* err = nullptr;
        const int rc = sqlite3_exec(h, text.c_str(), nullptr, nullptr, &err);
        CHECK_MESSAGE(rc == SQLITE_OK, (err ? err : ""));
        sqlite3_free(err);
        sqlite3_close(h);
    }
};

void record(store::Store& db, const std::string& raw, const std::string& list, const std::string& listed,
            const std::string& diagnostic, std::int64_t at) {
    cl::DeliveryReport r;
    r.kind = cl::Kind::failed;
    cl::RecipientRecord rec;
    rec.final_recipient = "bob@example.net";
    rec.diagnostic = diagnostic;
    rec.remote_mta = "mx.example.net";
    rec.verdict.reason = cl::Reason::blocked;
    rec.verdict.lists.push_back({list, listed, "postfix-rbl", "blocked using zen.spamhaus.org", 50});
    r.recipients.push_back(rec);
    store::MessageInput in;
    in.fingerprint = store::sha256_hex(raw);
    in.where = {"files", "(command line)", 1, 1, raw};
    in.event_at = at;
    in.seen_at = at;
    in.report = &r;
    db.record_message(in, false);
}

rules::RuleSet zen_rules() {
    rules::Blocklist zen;
    zen.id = "spamhaus-zen";
    zen.name = "Spamhaus ZEN";
    zen.zones.push_back({"zen.spamhaus.org", {rules::QueryForm::ipv4, rules::QueryForm::ipv6}, false, ""});
    zen.codes.push_back(
        {"127.0.0.4", "XBL: infected host", rules::CodeOutcome::listed, "spamhaus-xbl", true, false, "", 0});
    zen.codes.push_back(
        {"127.255.255.254", "public resolver", rules::CodeOutcome::error, "", false, false, "", 0});
    zen.removal.method = rules::RemovalMethod::form;
    zen.removal.url = "https://check.spamhaus.org/";
    rules::RuleSet set;
    set.lists = {zen};
    return set;
}

IncidentReport incident(std::int64_t id, const std::string& system, const std::string& listed, bool fix_first,
                        std::int64_t last_seen) {
    IncidentReport ir;
    ir.incident.id = id;
    ir.incident.system = system;
    ir.incident.listed = listed;
    ir.incident.status = fix_first ? "fix-first" : "open";
    ir.incident.bounces = 3;
    ir.incident.last_seen = last_seen;
    ir.next.fix_first = fix_first;
    ir.next.text = "Fix the cause, then ask " + system + ".";
    return ir;
}

} // namespace

TEST_CASE("report_html: html_escape turns every markup character into an entity") {
    struct Row {
        const char* in;
        const char* want;
    };
    const Row rows[] = {
        {"plain", "plain"},
        {"<script>", "&lt;script&gt;"},
        {"a & b", "a &amp; b"},
        {"\"q\" 'a'", "&quot;q&quot; &#39;a&#39;"},
        {"", ""},
    };
    for (const auto& r : rows) {
        CAPTURE(r.in);
        CHECK(html_escape(r.in) == r.want);
    }
}

TEST_CASE(
    "report_html: the chart has one stacked bar per (day, list) with its count, inside the window only") {
    const std::int64_t today = k_now / k_day;
    const std::vector<DayCount> counts{
        {today, "spamhaus-xbl", 4},
        {today, "spamcop", 2},
        {today - 2, "spamcop", 1},
        {today - 40, "spamcop", 9}, // outside a 30-day window
    };
    const auto svg = render_bounce_chart(counts, today, 30);
    CHECK(svg.starts_with("<svg id=\"bounce-chart\""));
    CHECK(occurrences(svg, "<rect class=\"bar\"") == 3);
    const std::string today_text = "2025-12-04";
    CHECK(svg.find("data-day=\"" + today_text + "\" data-list=\"spamhaus-xbl\" data-count=\"4\"") !=
          std::string::npos);
    CHECK(svg.find("data-day=\"2025-12-02\" data-list=\"spamcop\" data-count=\"1\"") != std::string::npos);
    CHECK(svg.find("data-count=\"9\"") == std::string::npos);
    // The legend counts the window only, largest first.
    const auto xbl = svg.find("spamhaus-xbl (4)");
    const auto cop = svg.find("spamcop (3)");
    REQUIRE(xbl != std::string::npos);
    REQUIRE(cop != std::string::npos);
    CHECK(xbl < cop);
    // The y axis tops at the tallest stack (4 + 2).
    CHECK(svg.find(">6</text>") != std::string::npos);
}

TEST_CASE("report_html: more lists than colours fold into \"other\"; list names are escaped in the SVG") {
    const std::int64_t today = k_now / k_day;
    std::vector<DayCount> counts;
    for (int i = 0; i < 12; ++i)
        counts.push_back({today, "list" + std::to_string(i), 20 - i});
    counts.push_back({today, "<evil\"list>", 1});
    const auto svg = render_bounce_chart(counts, today, 7);
    CHECK(occurrences(svg, "<g class=\"legend\">") == k_chart_series);
    CHECK(svg.find("data-list=\"other\"") != std::string::npos);
    CHECK(svg.find("<evil") == std::string::npos);
    // list7.. list11 and the evil one: 13 + 12 + 11 + 10 + 9 + 1
    CHECK(svg.find("other (56)") != std::string::npos);
}

TEST_CASE("report_html: the window ends today, or on the latest bounce when none is recent") {
    const std::int64_t today = k_now / k_day;
    CHECK(chart_end_day({{today - 3, "x", 1}}, k_now, 30) == today);
    CHECK(chart_end_day({{today - 100, "x", 1}, {today - 90, "x", 1}}, k_now, 30) == today - 90);
    CHECK(chart_end_day({}, k_now, 30) == today);
}

TEST_CASE(
    "report_html: the page is self-contained, escapes hostile text and puts fix-first incidents first") {
    ReportData data;
    data.state_path = "/var/lib/ndr-triage/state.db";
    data.generated_at = k_now;
    data.triage.incidents.push_back(incident(1, "gmail", "198.51.100.23", false, k_now));
    data.triage.incidents.push_back(
        incident(2, "spamhaus-xbl", "<img src=x onerror=alert(1)>", true, k_now - k_day));
    data.evidence[2] = {{k_now - k_day, 4, "example.net", "mx.example.net", "rule\"1",
                         "blocked using <b>xbl</b>",
                         "554 5.7.1 Client host blocked using <b>xbl</b> </pre><script>"}};
    data.bounces_per_day = {{k_now / k_day, "spamhaus-xbl", 4}};
    data.dnsbl = {{"198.51.100.23",
                   "spamhaus-zen",
                   "zen.spamhaus.org",
                   "listed",
                   {"127.0.0.4"},
                   {"XBL <infected>"},
                   k_now - 60,
                   k_now + 600,
                   false}};
    data.drafts = {{7, 2, "spamhaus-xbl", "198.51.100.23", "removal-form", "a@example.net", "Subject <&>",
                    k_now, k_now}};
    const auto page = render_html(data);

    CHECK(page.starts_with("<!DOCTYPE html>"));
    CHECK(page.find("<script") == std::string::npos);
    CHECK(page.find("<img") == std::string::npos);
    CHECK(page.find("</pre><script>") == std::string::npos);
    CHECK(page.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
    // No external resource: nothing is loaded from anywhere (links to removal forms are plain <a>).
    CHECK(page.find(" src=\"") == std::string::npos);
    CHECK(page.find("<link") == std::string::npos);
    CHECK(page.find("default-src 'none'") != std::string::npos);
    // The evidence: the matched span marked inside the rejection line, the count shown.
    CHECK(page.find("<mark>blocked using &lt;b&gt;xbl&lt;/b&gt;</mark>") != std::string::npos);
    CHECK(page.find(">4×<") != std::string::npos);
    // Order: incidents (fix-first one first), then the chart, then DNSBL state, then drafts.
    const auto xbl = page.find("id=\"incident-2\"");
    const auto gmail = page.find("id=\"incident-1\"");
    const auto chart = page.find("<svg id=\"bounce-chart\"");
    const auto dnsbl = page.find("<section id=\"dnsbl\"");
    const auto drafts = page.find("<section id=\"drafts\"");
    REQUIRE(xbl != std::string::npos);
    REQUIRE(gmail != std::string::npos);
    CHECK(xbl < gmail);
    CHECK(gmail < chart);
    CHECK(chart < dnsbl);
    CHECK(dnsbl < drafts);
    CHECK(page.find("XBL &lt;infected&gt;") != std::string::npos);
    CHECK(page.find("Subject &lt;&amp;&gt;") != std::string::npos);
    CHECK(page.find("href=\"#incident-2\"") != std::string::npos);
}

TEST_CASE("report_data: evidence, bounces per day, DNSBL state and drafts come back from the database") {
    TempDb t;
    const std::int64_t day0 = (k_now / k_day - 2) * k_day + 3600;
    record(*t.db, "m1", "spamhaus-zen", "198.51.100.23", "554 blocked using zen.spamhaus.org", day0);
    record(*t.db, "m2", "spamhaus-zen", "198.51.100.23", "554 blocked using zen.spamhaus.org", day0 + 60);
    record(*t.db, "m3", "spamhaus-zen", "198.51.100.23", "550 other text blocked using zen.spamhaus.org",
           day0 + k_day);
    const std::string fetched = std::to_string(k_now - 100), expires = std::to_string(k_now + 3600);
    t.sql(
        "INSERT INTO dnsbl_answers "
        "VALUES('23.100.51.198.zen.spamhaus.org','A','answer','[\"127.0.0.4\"]',3600," +
        fetched + "," + expires +
        ");"
        // the RFC 5782 test point is a health probe, not one of our IPs
        "INSERT INTO dnsbl_answers VALUES('2.0.0.127.zen.spamhaus.org','A','answer','[\"127.0.0.2\"]',3600," +
        fetched + "," + expires +
        ");"
        // IPv6 2001:db8::25, not listed, expired
        "INSERT INTO dnsbl_answers "
        "VALUES('5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org',"
        "'A','nxdomain','[]',60," +
        fetched + "," + std::to_string(k_now - 1) +
        ");"
        // a zone no rule file names
        "INSERT INTO dnsbl_answers "
        "VALUES('23.100.51.198.unknown.example','A','answer','[\"127.0.0.2\"]',60," +
        fetched + "," + expires +
        ");"
        "INSERT INTO drafts(incident_id, kind, status, recipient, subject, created_at, updated_at) "
        "SELECT id, 'removal-form', 'draft', 'x@example.net', 'please', 1, 2 FROM incidents;"
        "INSERT INTO drafts(incident_id, kind, status, recipient, subject, created_at, updated_at) "
        "SELECT id, 'postmaster-note', 'sent', 'x@example.net', 'done', 1, 2 FROM incidents;");
    const auto set = zen_rules();
    Config config;
    config.identity.outbound_ips = {"198.51.100.23", "203.0.113.7", "192.0.2.0/24"};
    const auto data = load_report_data(t.path, &set, config, k_now);
    REQUIRE_MESSAGE(data.has_value(), (data ? "" : data.error()));

    REQUIRE(data->triage.incidents.size() == 1);
    const auto id = data->triage.incidents[0].incident.id;
    REQUIRE(data->evidence.count(id) == 1);
    const auto& ev = data->evidence.at(id);
    REQUIRE(ev.size() == 2); // two distinct rejection lines
    CHECK(ev[0].diagnostic == "550 other text blocked using zen.spamhaus.org");
    CHECK(ev[0].count == 1);
    CHECK(ev[1].count == 2);
    CHECK(ev[1].at == day0 + 60);

    REQUIRE(data->bounces_per_day.size() == 2);
    CHECK(data->bounces_per_day[0].day == day0 / k_day);
    CHECK(data->bounces_per_day[0].bounces == 2);
    CHECK(data->bounces_per_day[1].bounces == 1);

    // 198.51.100.23 listed (XBL code), 2001:db8::25 not listed and stale, 203.0.113.7 not checked;
    // no test point, no unknown zone, no CIDR.
    REQUIRE(data->dnsbl.size() == 3);
    CHECK(data->dnsbl[0].target == "198.51.100.23");
    CHECK(data->dnsbl[0].list == "spamhaus-zen");
    CHECK(data->dnsbl[0].outcome == "listed");
    REQUIRE(data->dnsbl[0].meanings.size() == 1);
    CHECK(data->dnsbl[0].meanings[0] == "XBL: infected host");
    CHECK_FALSE(data->dnsbl[0].stale);
    CHECK(data->dnsbl[1].target == "2001:db8::25");
    CHECK(data->dnsbl[1].outcome == "not-listed");
    CHECK(data->dnsbl[1].stale);
    CHECK(data->dnsbl[2].target == "203.0.113.7");
    CHECK(data->dnsbl[2].outcome == "not-checked");

    REQUIRE(data->drafts.size() == 1); // the sent one is not awaiting review
    CHECK(data->drafts[0].subject == "please");
    CHECK(data->drafts[0].system == "spamhaus-zen");

    const auto json = report_json(*data);
    CHECK(json["dnsbl"][0]["outcome"] == "listed");
    CHECK(json["drafts"].size() == 1);
    CHECK(json["evidence"][std::to_string(id)].size() == 2);
}

TEST_CASE("report_data: a missing state database is an error naming it") {
    const auto data = load_report_data("/nonexistent/state.db", nullptr, Config{}, k_now);
    REQUIRE_FALSE(data.has_value());
    CHECK(data.error().find("/nonexistent/state.db") != std::string::npos);
}
