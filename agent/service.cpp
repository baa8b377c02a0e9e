// service.cpp — the service loop of `ndr-triage run` (see service.hpp).
#include "agent/service.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "agent/config.hpp"
#include "agent/incidents/workflow.hpp"
#include "agent/metrics.hpp"
#include "agent/pipeline.hpp"
#include "agent/scan.hpp"
#include "agent/sd_notify.hpp"
#include "agent/sources/imap.hpp"
#include "agent/store/pass_lock.hpp"
#include "agent/store/store.hpp"
#include "classifiers/text.hpp"

namespace ndr::agent {

namespace {

constexpr int k_exit_ok = 0;
constexpr int k_exit_source = 2;
constexpr int k_exit_config = 3;
// IDLE is re-issued at least this often (RFC 2177 asks for less than 29 minutes); each re-issue is
// also a cheap rescan, so a missed notification costs at most this long.
constexpr std::chrono::minutes k_max_idle{5};
// Backoff after a failed pass: first delay, doubled up to the cap.
constexpr std::chrono::seconds k_first_retry{2};
constexpr std::chrono::seconds k_max_retry{300};

std::atomic<bool> g_reload{false};

extern "C" void on_sighup(int) { g_reload.store(true); }

void install_reload_handler() {
    struct sigaction sa {};
    sa.sa_handler = on_sighup;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, nullptr);
}

// One line per event on stderr. Under journald ($JOURNAL_STREAM) the level is a "<N>" prefix and the
// journal adds the time; elsewhere the line starts with the UTC time.
class Logger {
  public:
    explicit Logger(bool verbose) : m_verbose(verbose), m_journal(std::getenv("JOURNAL_STREAM") != nullptr) {}

    void operator()(LogLevel level, std::string_view text) const {
        if (level == LogLevel::debug && !m_verbose) return;
        std::string line;
        if (m_journal) {
            static constexpr const char* k_prio[] = {"<7>", "<6>", "<4>", "<3>"};
            line = k_prio[static_cast<int>(level)];
        } else {
            line = format_utc(std::time(nullptr)) + " ";
        }
        line += std::string(to_string(level)) + ": ";
        // Our own text may quote server or NDR words: sanitise again, it is idempotent.
        line += classifiers::sanitise(text);
        line += "\n";
        std::lock_guard lock(m_mutex);
        std::cerr << line << std::flush;
    }

  private:
    bool m_verbose;
    bool m_journal;
    mutable std::mutex m_mutex;
};

// Pings the watchdog from a thread of its own, but only while the main loop shows signs of life
// (beat() from the scan progress callback and the wait loops): a hung loop stops the pings.
class Watchdog {
  public:
    Watchdog() {
        auto period = sd_watchdog_period();
        if (!period) return;
        m_interval = *period / 2;
        beat();
        m_thread = std::thread([this] { loop(); });
    }
    ~Watchdog() {
        m_done.store(true);
        if (m_thread.joinable()) m_thread.join();
    }
    void beat() { m_last_beat.store(std::chrono::steady_clock::now().time_since_epoch().count()); }

  private:
    void loop() {
        auto next = std::chrono::steady_clock::now();
        while (!m_done.load()) {
            auto now = std::chrono::steady_clock::now();
            if (now >= next) {
                auto last = std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(m_last_beat.load()));
                if (now - last < m_interval * 2) sd_notify("WATCHDOG=1");
                next = now + m_interval;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    std::chrono::microseconds m_interval{0};
    std::atomic<std::chrono::steady_clock::rep> m_last_beat{0};
    std::atomic<bool> m_done{false};
    std::thread m_thread;
};

struct Loaded {
    Config config;
    std::unique_ptr<Pipeline> pipeline;
};

std::optional<Loaded> load(const GlobalOptions& global, const Logger& log) {
    auto config = load_config_or_default(global.config_path);
    if (!config) {
        for (const auto& e : config.error()) log(LogLevel::error, e);
        return std::nullopt;
    }
    if (config->imap.host.empty()) {
        log(LogLevel::error, "run needs an IMAP server: set [imap] host in " +
                                 (config->path.empty() ? std::string(k_default_config_path) : config->path));
        return std::nullopt;
    }
    // A long-running process: every pattern compiled now, so that no rule error waits for a message.
    auto pipeline = make_pipeline(global, classifiers::rules::PatternCheck::compile);
    if (!pipeline) {
        for (const auto& e : pipeline.error()) log(LogLevel::error, e);
        return std::nullopt;
    }
    return Loaded{std::move(*config), std::make_unique<Pipeline>(std::move(*pipeline))};
}

bool same_imap(const ImapSettings& a, const ImapSettings& b) {
    return a.host == b.host && a.port == b.port && a.tls == b.tls && a.tls_set_explicitly == b.tls_set_explicitly &&
           a.ca_file == b.ca_file && a.user == b.user && a.password_file == b.password_file &&
           a.password_env == b.password_env && a.password_credential == b.password_credential && a.folder == b.folder && a.processed_folder == b.processed_folder &&
           a.timeout_seconds == b.timeout_seconds && a.keyword == b.keyword;
}

void log_pass(const ScanResult& r, store::Store& db, const Logger& log) {
    if (r.remarked > 0)
        log(LogLevel::info, std::to_string(r.remarked) + " messages of " + r.folder +
                                " recorded by an earlier pass that stopped before marking them: marked now");
    if (r.new_messages == 0 && !r.uidvalidity_changed) {
        log(LogLevel::debug, "pass over " + r.folder + ": nothing new");
        return;
    }
    if (r.uidvalidity_changed)
        log(LogLevel::warning, "UIDVALIDITY of " + r.folder + " changed: rescanned, known messages recognised by fingerprint");
    log(LogLevel::info, "pass over " + r.folder + ": " + std::to_string(r.messages) + " fetched, " +
                            std::to_string(r.new_messages) + " new, " + std::to_string(r.ndrs) + " NDRs, " +
                            std::to_string(r.records) + " recipient records, " + std::to_string(r.unparsed) + " unparsed");
    if (r.new_message_ids.empty()) return;
    for (const auto& inc : db.incidents(true, r.new_message_ids)) {
        if (inc.new_bounces == 0) continue;
        log(LogLevel::info, "incident " + inc.system + (inc.listed.empty() ? "" : " " + inc.listed) + " (" + inc.status +
                                "): " + std::to_string(inc.new_bounces) + " new bounces, " +
                                std::to_string(inc.bounces) + " in all");
    }
}

} // namespace

int run_service(const GlobalOptions& global, const ServiceOptions& options) {
    const Logger log(options.verbose);
    auto logfn = [&log](LogLevel level, std::string_view text) { log(level, text); };
    install_stop_handlers();
    install_reload_handler();

    auto loaded = load(global, log);
    if (!loaded) return k_exit_config;
    const std::string state_path = !options.state.empty()               ? options.state
                                   : !loaded->config.state.path.empty() ? loaded->config.state.path
                                                                        : std::string(k_default_state_path);
    auto db = store::Store::open(state_path);
    if (!db) {
        log(LogLevel::error, db.error());
        return k_exit_config;
    }

    Watchdog watchdog;
    ImapHooks hooks;
    hooks.log = logfn;
    // Called every ~50 ms while waiting or backing off: also the watchdog's sign of life. A reload
    // request ends the wait too.
    hooks.stop = [&watchdog] {
        watchdog.beat();
        return stop_requested() || g_reload.load();
    };
    std::unique_ptr<ImapSource> source;
    try {
        source = make_imap_source(loaded->config.imap, hooks);
    } catch (const ImapError& e) {
        log(LogLevel::error, e.what());
        return k_exit_config;
    }

    sd_notify("READY=1");
    log(LogLevel::info, "watching " + source->source_name() + " folder " + loaded->config.imap.folder);

    auto retry = std::chrono::duration_cast<std::chrono::milliseconds>(k_first_retry);
    int exit_code = k_exit_ok;
    std::chrono::steady_clock::time_point last_recheck{};
    bool recheck_now = true; // the first pass, and after a reload
    while (!stop_requested()) {
        if (g_reload.exchange(false)) {
            sd_notify("RELOADING=1");
            if (auto fresh = load(global, log)) {
                if (!same_imap(fresh->config.imap, loaded->config.imap)) {
                    try {
                        auto next = make_imap_source(fresh->config.imap, hooks);
                        source->close();
                        source = std::move(next);
                    } catch (const ImapError& e) {
                        log(LogLevel::error, std::string("new [imap] settings refused, keeping the old ones: ") + e.what());
                        fresh->config.imap = loaded->config.imap;
                    }
                }
                loaded = std::move(fresh);
                recheck_now = true; // new rules or identity: incidents and DNSBL state re-checked now
                log(LogLevel::info, "configuration and rules reloaded");
            } else {
                log(LogLevel::error, "reload failed: keeping the configuration and rules in use");
            }
            sd_notify("READY=1");
        }

        ScanOptions scan_options;
        scan_options.run_command = "run";
        const incidents::ProvenanceJudge judge(loaded->config.identity, incidents::make_dkim_check(loaded->config));
        if (judge.configured())
            scan_options.provenance = [&judge](const classifiers::DeliveryReport& r) { return judge.judge(r); };
        scan_options.on_progress = [&watchdog](const ScanProgress&) { watchdog.beat(); };
        const Pipeline& pipeline = *loaded->pipeline;
        const AnalyseFn analyser = [&pipeline](std::string_view raw) { return analyse(raw, pipeline); };
        // One pass at a time on this state: a one-shot `scan` of it runs between our passes.
        auto acquired = store::PassLock::acquire(
            state_path, store::PassLock::k_forever,
            [&log, &state_path](const std::string& holder) {
                log(LogLevel::info, "waiting for another ndr-triage pass" + (holder.empty() ? "" : " (" + holder + ")") +
                                        " on " + state_path);
            },
            [&hooks] { return hooks.stop(); });
        if (!acquired) {
            if (stop_requested()) break;
            if (g_reload.load()) continue;
            log(LogLevel::error, acquired.error());
            exit_code = k_exit_config;
            break;
        }
        std::optional<store::PassLock> pass_lock(std::move(*acquired));
        ScanResult result;
        try {
            result = scan_source(*source, **db, analyser, scan_options);
        } catch (const std::exception& e) {
            log(LogLevel::error, std::string("state database ") + state_path + ": " + e.what());
            exit_code = k_exit_config;
            break;
        }
        watchdog.beat();
        log_pass(result, **db, log);
        // Incidents after a pass with new mail, and every recheck_minutes: DNSBL state (cleared
        // listings move to resolved), status rules, drafts and their IMAP Drafts copies.
        const auto now_steady = std::chrono::steady_clock::now();
        if (result.new_messages > 0 || recheck_now ||
            now_steady - last_recheck >= std::chrono::minutes(loaded->config.service.recheck_minutes)) {
            try {
                const auto flow = incidents::after_pass(**db, loaded->config, loaded->pipeline->rules.get(), true,
                                                        std::time(nullptr));
                for (const auto& line : flow.log) log(LogLevel::info, line);
            } catch (const std::exception& e) {
                log(LogLevel::error, std::string("incidents: ") + e.what());
            }
            last_recheck = now_steady;
            recheck_now = false;
            watchdog.beat();
        }
        pass_lock.reset(); // the wait below is not a pass
        metrics::count_imap_errors(metrics::imap_errors_of(result));
        if (!loaded->config.metrics.textfile.empty()) {
            if (auto ok = metrics::write_textfile(loaded->config.metrics.textfile, state_path, std::time(nullptr)); !ok)
                log(LogLevel::warning, "metrics not written: " + ok.error());
        }
        if (result.source_error) {
            log(LogLevel::error, result.error.empty() ? "the IMAP source failed" : result.error);
            if (options.once) {
                exit_code = k_exit_source;
                break;
            }
            log(LogLevel::info, "next attempt in " + std::to_string(retry.count() / 1000) + " s");
            for (auto slept = std::chrono::milliseconds(0); slept < retry && !hooks.stop();
                 slept += std::chrono::milliseconds(50))
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            retry = std::min(retry * 2, std::chrono::duration_cast<std::chrono::milliseconds>(k_max_retry));
            continue;
        }
        retry = std::chrono::duration_cast<std::chrono::milliseconds>(k_first_retry);
        if (result.fetch_errors > 0)
            log(LogLevel::warning, std::to_string(result.fetch_errors) + " messages could not be fetched; retried next pass");
        if (options.once || stop_requested()) break;

        const auto wait = source->can_idle()
                              ? std::chrono::duration_cast<std::chrono::milliseconds>(k_max_idle)
                              : std::chrono::milliseconds(std::chrono::seconds(loaded->config.service.poll_seconds));
        try {
            auto r = source->wait_for_change(wait);
            if (r == ImapSource::WaitResult::changed) log(LogLevel::debug, "new mail announced by IDLE");
        } catch (const ImapError& e) {
            metrics::count_imap_errors();
            log(LogLevel::warning, std::string(e.what()) + "; reconnecting on the next pass");
        }
    }
    if (stop_requested()) log(LogLevel::info, "stopping on request");
    sd_notify("STOPPING=1");
    source->close();
    return exit_code;
}

} // namespace ndr::agent
