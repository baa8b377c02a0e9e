// cmd_scan.cpp — `ndr-triage scan`: one pass over one source (IMAP, a maildir, an mbox or .eml files)
// into the state database, then the triage report (text, or --json).
//
// Exit codes: 0 done; 1 usage error; 2 the source could not be read (or some messages could not be
// fetched: they are retried next time); 3 configuration or state database error; 130 interrupted
// (SIGINT/SIGTERM: the message in hand was committed first).
// The state database: --state, else the config's [state] path, else /var/lib/ndr-triage/state.db when
// a config file was read, else ./ndr-triage-state.db.
#include "agent/commands.hpp"
#include "agent/config.hpp"
#include "agent/incidents/workflow.hpp"
#include "agent/lazy_rules.hpp"
#include "agent/metrics.hpp"
#include "agent/pipeline.hpp"
#include "agent/rules_dirs.hpp"
#include "agent/scan.hpp"
#include "agent/sources/files.hpp"
#include "agent/sources/imap.hpp"
#include "agent/sources/maildir.hpp"
#include "agent/sources/mbox.hpp"
#include "agent/store/pass_lock.hpp"
#include "agent/store/store.hpp"
#include "agent/triage_report.hpp"
#include "classifiers/text.hpp"

#include <atomic>
#include <chrono>
#include <ctime>
#include <exception>
#include <future>
#include <iostream>
#include <memory>
#include <optional>
#include <unistd.h>

namespace ndr::agent {

namespace {

constexpr int k_exit_source = 2;
constexpr int k_exit_config = 3;
constexpr int k_exit_usage = 1;
constexpr int k_exit_interrupted = 130;
// How long a scan waits for another pass on its state database (a service's first scan of a large
// mailbox) before it gives up.
constexpr auto k_pass_lock_wait = std::chrono::minutes(5);

struct ScanArgs {
    std::string state;
    std::string folder;
    std::string since;
    bool json = false;
    std::string maildir;
    std::string mbox;
    std::vector<std::string> files;
    std::string host;
    int port = 0;
    std::string tls;
    std::string ca_file;
    std::string user;
    std::string password_file;
};

// "scanning 120/4000" on stderr, at most every 100 ms, only when stderr is a terminal.
class Progress {
  public:
    void operator()(const ScanProgress& p) {
        const auto now = std::chrono::steady_clock::now();
        if (p.done != p.total && now - m_last < std::chrono::milliseconds(100)) return;
        m_last = now;
        std::cerr << "\rscanning " << p.done << "/" << p.total << "   " << std::flush;
        m_shown = true;
    }
    // Erases the indicator line; called before the report is printed.
    void finish() {
        if (m_shown) std::cerr << "\r\033[K" << std::flush;
        m_shown = false;
    }
    ~Progress() { finish(); }

  private:
    std::chrono::steady_clock::time_point m_last{};
    bool m_shown = false;
};

// The metrics file after a pass (or a failed connection); a write failure is a warning only.
void write_metrics(const Config& config, const std::string& state_path) {
    if (config.metrics.textfile.empty()) return;
    if (auto ok = metrics::write_textfile(config.metrics.textfile, state_path, std::time(nullptr)); !ok)
        std::cerr << "ndr-triage scan: warning: metrics not written: " << ok.error() << "\n";
}

constexpr std::string_view k_rule_metadata_key = "rule_metadata";
constexpr std::string_view k_incident_inputs_key = "incident_inputs";

// The cached rule metadata of the rule files with this key, if the database holds it.
// A cache only: an unreadable row means compiling the rules, as without it.
std::optional<std::string> cached_rule_metadata(store::Store& db, const std::string& rules_key) {
    try {
        auto value = db.derived(k_rule_metadata_key);
        if (!value || !value->starts_with(rules_key + " ")) return std::nullopt;
        return value->substr(rules_key.size() + 1);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// After a pass that compiled the rules: their metadata for the next rescan (unless it was cached).
// A cache only: a failure to write it is no error.
void remember_rule_metadata(store::Store& db, LazyRules& rules, bool was_cached) {
    if (was_cached || !rules.compiled()) return;
    try {
        db.set_derived(k_rule_metadata_key, rules.key() + " " + rule_metadata_json(*rules.metadata()));
    } catch (const std::exception&) {
    }
}

// What the incident step reads besides the store: the rule files and the identity (plans, drafts).
std::string incident_inputs(const LazyRules& rules, const IdentitySettings& id) {
    std::string text = rules.key();
    for (const auto* list : {&id.outbound_ips, &id.domains, &id.dkim_selectors, &id.helo_names}) {
        text += "\n" + std::to_string(list->size());
        for (const auto& v : *list)
            text += " " + std::to_string(v.size()) + ":" + v;
    }
    text += "\n" + std::to_string(id.admin_name.size()) + ":" + id.admin_name;
    text += "\n" + std::to_string(id.admin_email.size()) + ":" + id.admin_email;
    for (const auto& [k, v] : id.dkim_key_files)
        text += "\n" + k + "=" + v;
    return store::sha256_hex(text);
}

// The incident step after a pass. Skipped (rules not compiled) when the pass recorded nothing new,
// no DNSBL re-check is configured ([dns] resolvers) and nothing it reads has changed since it last
// ran: it would find nothing to do. Drafts not yet copied to the IMAP Drafts folder are still tried.
incidents::WorkflowResult incident_step(store::Store& db, const Config& config, LazyRules& rules,
                                        const ScanResult& pass, bool imap_scan) {
    const std::string inputs = incident_inputs(rules, config.identity);
    const bool may_skip = pass.new_messages == 0 && config.dns.resolvers.empty();
    if (may_skip && db.derived(k_incident_inputs_key) == inputs + " " + db.incident_inputs_digest()) {
        incidents::WorkflowResult out;
        if (imap_scan) out.log = incidents::sync_drafts_to_imap(db, config, std::time(nullptr));
        out.log.push_back(
            "nothing new and no incident changed since the last pass: incidents not re-evaluated");
        return out;
    }
    auto out = incidents::after_pass(db, config, rules.pipeline().rules.get(), imap_scan, std::time(nullptr));
    try {
        db.set_derived(k_incident_inputs_key, inputs + " " + db.incident_inputs_digest());
    } catch (const std::exception&) {
        // Not remembered: the next pass runs the step again.
    }
    return out;
}

int run_scan(const CommandContext& ctx, const ScanArgs& args) {
    const int sources = (!args.maildir.empty()) + (!args.mbox.empty()) + (!args.files.empty());
    if (sources > 1) {
        std::cerr << "ndr-triage scan: give one of --maildir, --mbox or FILE.eml...\n";
        return k_exit_usage;
    }
    std::optional<std::int64_t> since;
    if (!args.since.empty()) {
        since = parse_mail_date(args.since);
        if (!since) {
            std::cerr << "ndr-triage scan: --since: not a date (want YYYY-MM-DD or RFC 3339): " << args.since << "\n";
            return k_exit_usage;
        }
    }

    auto config = load_config_or_default(ctx.global.config_path);
    if (!config) {
        for (const auto& e : config.error()) std::cerr << e << "\n";
        return k_exit_config;
    }
    // IMAP flags override the config.
    ImapSettings imap = config->imap;
    if (!args.host.empty()) imap.host = args.host;
    if (args.port != 0) imap.port = args.port;
    if (!args.tls.empty()) {
        if (args.tls == "implicit") imap.tls = TlsMode::implicit;
        else if (args.tls == "starttls") imap.tls = TlsMode::starttls;
        else imap.tls = TlsMode::none;
        imap.tls_set_explicitly = true;
    }
    if (!args.ca_file.empty()) imap.ca_file = args.ca_file;
    if (!args.user.empty()) imap.user = args.user;
    if (!args.password_file.empty()) {
        imap.password_file = args.password_file;
        imap.password_env.clear();
        imap.password_credential.clear();
    }
    if (!args.folder.empty()) imap.folder = args.folder;

    std::unique_ptr<MailSource> source;
    if (!args.maildir.empty()) source = std::make_unique<MaildirSource>(args.maildir, args.folder);
    else if (!args.mbox.empty()) source = std::make_unique<MboxSource>(args.mbox);
    else if (!args.files.empty()) source = std::make_unique<FilesSource>(args.files);
    else if (!imap.host.empty()) {
        try {
            ImapHooks hooks;
            hooks.stop = [] { return stop_requested(); };
            source = make_imap_source(imap, std::move(hooks));
        } catch (const std::exception& e) {
            std::cerr << "ndr-triage scan: " << classifiers::sanitise(e.what()) << "\n";
            return k_exit_config;
        }
    } else {
        std::cerr << "ndr-triage scan: nothing to scan: give --maildir DIR, --mbox FILE, FILE.eml... or an IMAP "
                     "server (--host or [imap] host in the configuration)\n";
        return k_exit_usage;
    }

    // A state database that does not exist yet holds no checkpoint and no cached rule metadata: its
    // first scan lists the whole folder and compiles the rules, both started before it is created.
    const std::string state_path = resolve_state_path(args.state, *config);
    const bool new_state = ::access(state_path.c_str(), F_OK) != 0 && errno == ENOENT;

    // The IMAP connect, login and SELECT (round trips) run while the rules load (CPU, when needed);
    // their errors are reported in the order they always were: rules, state database, then IMAP.
    install_stop_handlers();
    auto* imap_source = dynamic_cast<ImapSource*>(source.get());
    std::future<std::exception_ptr> imap_opened; // destroyed (joined) before the source
    const auto open_imap = [imap_source, new_state]() -> std::exception_ptr {
        try {
            // A new state lists the whole folder: the listing goes out with the SELECT, and the
            // scan's own open() and listing reuse both (a refused listing is the scan's to meet again).
            if (new_state)
                imap_source->open_listing(0);
            else
                imap_source->open();
        } catch (...) {
            return std::current_exception();
        }
        return nullptr;
    };
    if (imap_source != nullptr)
        imap_opened = std::async(std::launch::async | std::launch::deferred, open_imap);

    // The rule files are read now (cheap); they are compiled only when a message needs analysis or
    // the incident step runs, unless the state database holds no metadata of exactly these files.
    auto files = read_rule_dirs(ctx.global);
    if (!files.errors.empty()) {
        for (const auto& e : load_rule_files(files).errors)
            std::cerr << e << "\n";
        return k_exit_config;
    }
    std::string rules_key = rule_files_key(files);
    LazyRules rules(std::move(files), std::move(rules_key));
    // A new state's rules load on a thread of their own while the database is created and locked;
    // report_rule_errors() below waits for them (LazyRules is guarded by its mutex). The same thread
    // then compiles every pattern's matching form while the IMAP login and the first fetch are under
    // way, when a core is idle, instead of the analysis thread compiling each on its first match:
    // paired first scans of the 10,000-message lab mailbox, 21 rounds, wall 380 -> 361 ms (faster in
    // 17), CPU 402 -> 399 ms. It stops when the pass ends first (a small mailbox).
    std::atomic<bool> warm_up_stop{false};
    std::future<void> rules_loading; // destroyed (joined) before the rules
    struct StopWarmUp {              // destroyed before rules_loading: an early return does not wait
        std::atomic<bool>& stop;
        ~StopWarmUp() { stop = true; }
    } stop_warm_up{warm_up_stop};
    if (new_state)
        rules_loading = std::async(std::launch::async, [&rules, &warm_up_stop] {
            const auto loaded = rules.load();
            if (loaded && (*loaded)->matcher) (*loaded)->matcher->warm_up(warm_up_stop);
        });
    const auto report_rule_errors = [&rules] {
        auto loaded = rules.load();
        if (loaded) return false;
        for (const auto& e : loaded.error())
            std::cerr << e << "\n";
        return true;
    };

    auto db = store::Store::open(state_path);
    if (!db) {
        if (report_rule_errors()) return k_exit_config;
        std::cerr << "ndr-triage scan: " << db.error() << "\n";
        return k_exit_config;
    }
    // One pass at a time on a state database: a service (`run`) pass in progress is waited for.
    auto pass_lock = store::PassLock::acquire(
        state_path, k_pass_lock_wait,
        [&state_path](const std::string& holder) {
            std::cerr << "ndr-triage scan: waiting for another ndr-triage pass" << (holder.empty() ? "" : " (" + holder + ")")
                      << " on " << state_path << "\n";
        },
        [] { return stop_requested(); });
    if (!pass_lock) {
        std::cerr << "ndr-triage scan: " << classifiers::sanitise(pass_lock.error()) << "\n";
        return stop_requested() ? k_exit_interrupted : k_exit_source;
    }
    const auto cached_metadata = cached_rule_metadata(**db, rules.key());
    const bool metadata_cached = cached_metadata && rules.use_metadata(*cached_metadata);
    if (!metadata_cached && report_rule_errors()) return k_exit_config;

    // IMAP: connect first so that a configuration problem (password file, CA file, plaintext not
    // allowed) is told apart from an unreachable server; scan_source() then reuses the connection.
    if (imap_source != nullptr) {
        try {
            if (const auto failure = imap_opened.get()) std::rethrow_exception(failure);
        } catch (const ImapError& e) {
            std::cerr << "ndr-triage scan: " << classifiers::sanitise(e.what()) << "\n";
            metrics::count_imap_errors();
            write_metrics(*config, state_path);
            return e.kind() == ImapError::Kind::config ? k_exit_config : k_exit_source;
        } catch (const std::exception& e) {
            std::cerr << "ndr-triage scan: " << classifiers::sanitise(e.what()) << "\n";
            metrics::count_imap_errors();
            write_metrics(*config, state_path);
            return k_exit_source;
        }
    }
    ScanOptions options;
    options.since = since;
    const incidents::ProvenanceJudge judge(config->identity, incidents::make_dkim_check(*config));
    if (judge.configured())
        options.provenance = [&judge](const classifiers::DeliveryReport& r) { return judge.judge(r); };
    Progress progress;
    if (::isatty(STDERR_FILENO)) options.on_progress = [&progress](const ScanProgress& p) { progress(p); };
    options.before_analysis = [&rules] { rules.pipeline(); };
    const AnalyseFn analyser = [&rules](std::string_view raw) { return analyse(raw, rules.pipeline()); };

    ScanResult result;
    try {
        result = scan_source(*source, **db, analyser, options);
        warm_up_stop = true;
    } catch (const std::exception& e) {
        std::cerr << "ndr-triage scan: " << state_path << ": " << classifiers::sanitise(e.what()) << "\n";
        return k_exit_config;
    }
    // The IMAP connection closes (the last keyword STOREs, LOGOUT: round trips to the server) while
    // the incident step and the report run; joined before the source is destroyed, and so before
    // the scan exits.
    std::future<void> imap_closed;
    if (auto* imap_source = dynamic_cast<ImapSource*>(source.get())) {
        imap_closed = std::async(std::launch::async, [imap_source] { imap_source->close(); });
        metrics::count_imap_errors(metrics::imap_errors_of(result));
    }
    progress.finish();
    write_metrics(*config, state_path);

    if (result.source_error && result.run_id == 0) {
        std::cerr << "ndr-triage scan: cannot read the source: " << result.error << "\n";
        return k_exit_source;
    }
    const bool imap_scan = dynamic_cast<ImapSource*>(source.get()) != nullptr;
    // The report's parts that the incident step leaves as they are (the pass's reasons, the message
    // counts, the incidents' breakdowns) are read on a second, read-only connection while the step
    // runs; without them (that connection failed) the report reads everything after the step.
    auto report_parts =
        std::async(std::launch::async, [&state_path, &result]() -> std::optional<TriageReportParts> {
            try {
                auto reader = store::Store::open(
                    state_path, store::Store::OpenOptions{store::k_schema_version, false, true});
                if (!reader) return std::nullopt;
                return read_triage_report_parts(result, **reader);
            } catch (const std::exception&) {
                return std::nullopt;
            }
        });
    try {
        // Incidents: DNSBL state, status rules and drafts; the IMAP Drafts copy only for an IMAP scan.
        const auto flow = incident_step(**db, *config, rules, result, imap_scan);
        if (!args.json)
            for (const auto& line : flow.log) // one write per line (the IMAP close may log meanwhile)
                std::cerr << ("ndr-triage scan: " + classifiers::sanitise(line) + "\n");
    } catch (const std::exception& e) {
        std::cerr << ("ndr-triage scan: incidents: " + classifiers::sanitise(e.what()) + "\n");
    }
    remember_rule_metadata(**db, rules, metadata_cached);
    if (!args.json && !rules.compiled())
        std::cerr << "ndr-triage scan: nothing to analyse: rules not compiled (their metadata is cached)\n";
    const auto parts = report_parts.get();
    const auto report = build_triage_report(&result, **db, rules.metadata(), parts ? &*parts : nullptr);
    if (args.json) std::cout << to_json(report).dump(2) << "\n";
    else std::cout << render_text(report);
    if (result.source_error || result.fetch_errors > 0) {
        if (!result.error.empty())
            std::cerr << ("ndr-triage scan: " + result.error + "\n");
        else
            std::cerr << ("ndr-triage scan: " + std::to_string(result.fetch_errors) +
                          " message(s) could not be fetched; the next scan tries them again\n");
        return k_exit_source;
    }
    return result.interrupted ? k_exit_interrupted : 0;
}

} // namespace

void add_scan_command(CLI::App& app, CommandContext& ctx) {
    auto args = std::make_shared<ScanArgs>();
    auto* sub = app.add_subcommand("scan", "One pass over a mailbox, maildir, mbox or .eml files, then the triage "
                                           "report");
    sub->footer("Exit: 0 done, 1 usage, 2 source unreadable, 3 configuration or state error, 130 interrupted.\n"
                "State: --state, else [state] path, else /var/lib/ndr-triage/state.db with a config file, else "
                "./ndr-triage-state.db.");
    sub->add_option("--state", args->state, "State database (see below)")->type_name("FILE");
    sub->add_option("--folder", args->folder, "IMAP folder (default [imap] folder) or Maildir++ subfolder")
        ->type_name("NAME");
    sub->add_option("--since", args->since, "Skip messages dated before DATE (YYYY-MM-DD or RFC 3339)")
        ->type_name("DATE");
    sub->add_flag("--json", args->json, "Print the report as JSON");
    auto* maildir = sub->add_option("--maildir", args->maildir, "Scan a maildir instead of IMAP")->type_name("DIR");
    auto* mbox = sub->add_option("--mbox", args->mbox, "Scan an mbox file instead of IMAP")->type_name("FILE");
    auto* files = sub->add_option("files", args->files, "Scan these .eml files instead of IMAP")->type_name("FILE.eml");
    maildir->excludes(mbox)->excludes(files);
    mbox->excludes(files);
    sub->add_option("--host", args->host, "IMAP server (overrides [imap] host)");
    sub->add_option("--port", args->port, "IMAP port")->check(CLI::Range(1, 65535));
    sub->add_option("--tls", args->tls, "implicit | starttls | none")
        ->check(CLI::IsMember({"implicit", "starttls", "none"}));
    sub->add_option("--ca-file", args->ca_file, "CA bundle to verify the server with")->type_name("FILE");
    sub->add_option("--user", args->user, "IMAP user");
    sub->add_option("--password-file", args->password_file, "File holding the IMAP password (mode 0600)")
        ->type_name("FILE");
    sub->callback([&ctx, args] { ctx.exit_code = run_scan(ctx, *args); });
}

} // namespace ndr::agent
