// cmd_check.cpp — `ndr-triage check TARGET...`: every target (IPv4, IPv6, domain) against the DNS
// lists of rules.d over c-ares, one result per (target, list); see agent/dnsbl/checker.hpp.
//
// Options: --resolver HOST[:PORT] (repeatable), --timeout MS, --tries N, --lists a,b, --json, --state
// FILE (answer cache), --dqs-key-file FILE; [dns] in the config file gives the defaults. Input trust:
// targets are validated before any query (bad ones are usage errors); the DQS key is read from a file
// that must not be group- or world-accessible and is never printed. Exit: 0 nothing listed, 1 something
// listed, 2 a lookup failed or was refused and nothing was listed, 3 usage or configuration error.
#include <sqlite3.h>
#include <sys/stat.h>

#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>

#include "agent/commands.hpp"
#include "agent/config.hpp"
#include "agent/dnsbl/cache.hpp"
#include "agent/dnsbl/cares_resolver.hpp"
#include "agent/dnsbl/checker.hpp"
#include "agent/rules_dirs.hpp"
#include "agent/store/store.hpp"
#include "classifiers/text.hpp"

namespace ndr::agent {
namespace {

struct CheckArgs {
    std::vector<std::string> targets;
    std::vector<std::string> resolvers;
    int timeout_ms = 0; // 0: config or 2000
    int tries = 2;
    std::vector<std::string> lists;
    bool json = false;
    std::string state;
    std::string dqs_key_file;
    bool no_probe = false;
};

constexpr int k_usage = 3;

std::expected<std::string, std::string> read_key_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::unexpected(path + ": cannot read the DQS key file");
    if (!S_ISREG(st.st_mode)) return std::unexpected(path + ": the DQS key file is not a regular file");
    if (st.st_mode & 077)
        return std::unexpected(path + ": the DQS key file must not be group- or world-accessible (chmod 600)");
    if (st.st_size > 256) return std::unexpected(path + ": the DQS key file is too large for a key");
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected(path + ": cannot read the DQS key file");
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string key = ss.str();
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ' || key.back() == '\t'))
        key.pop_back();
    if (!dnsbl::valid_dqs_key(key)) return std::unexpected(path + ": the DQS key must be 8..63 letters and digits");
    return key;
}

int run(const CommandContext& ctx, const CheckArgs& args) {
    // Configuration: --config (or the default file when present) gives [dns] defaults and the state path.
    auto config = load_config_or_default(ctx.global.config_path);
    if (!config) {
        for (const auto& e : config.error()) std::cerr << e << "\n";
        return k_usage;
    }
    const DnsSettings& dns = config->dns;

    std::vector<dnsbl::Target> targets;
    bool bad = false;
    for (const auto& t : args.targets) {
        auto parsed = dnsbl::parse_target(t);
        if (!parsed) {
            std::cerr << "ndr-triage check: " << classifiers::sanitise(t, 100) << ": " << parsed.error() << "\n";
            bad = true;
        } else {
            targets.push_back(std::move(*parsed));
        }
    }
    if (bad) return k_usage;

    auto loaded = load_rule_dirs(ctx.global);
    if (!loaded.errors.empty()) {
        for (const auto& e : loaded.errors) std::cerr << e << "\n";
        std::cerr << loaded.errors.size() << " error(s) in the rule files\n";
        return k_usage;
    }

    dnsbl::CheckOptions options;
    options.lists = args.lists.empty() ? dns.lists : args.lists;
    options.probe_health = !args.no_probe;
    const std::string key_file = !args.dqs_key_file.empty() ? args.dqs_key_file : dns.spamhaus_dqs_key_file;
    if (!key_file.empty()) {
        auto key = read_key_file(key_file);
        if (!key) {
            std::cerr << "ndr-triage check: " << key.error() << "\n";
            return k_usage;
        }
        options.dqs_key = std::move(*key);
    }

    dnsbl::CaresOptions cares;
    cares.servers = args.resolvers.empty() ? dns.resolvers : args.resolvers;
    cares.timeout_ms = args.timeout_ms > 0 ? args.timeout_ms : dns.timeout_ms;
    cares.tries = args.tries;
    auto engine = dnsbl::CaresResolver::create(cares);
    if (!engine) {
        std::cerr << "ndr-triage check: " << engine.error() << "\n";
        return k_usage;
    }

    // The answer cache: --state, else the config's state database when a config file was read.
    std::string state_path = args.state;
    if (state_path.empty() && !config->path.empty())
        state_path = config->state.path.empty() ? std::string(k_default_state_path) : config->state.path;
    sqlite3* db = nullptr;
    std::unique_ptr<dnsbl::AnswerCache> cache;
    std::unique_ptr<dnsbl::CachingResolver> caching;
    dnsbl::Resolver* resolver = engine->get();
    if (!state_path.empty()) {
        // The store creates the file (0600) and runs its migrations, which create dnsbl_answers.
        auto store = store::Store::open(state_path);
        if (!store) {
            std::cerr << "ndr-triage check: warning: no answer cache: " << store.error() << "\n";
        } else {
            store.value().reset(); // closed: the cache uses its own connection to the same file
            if (sqlite3_open_v2(state_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
                sqlite3_busy_timeout(db, 5000);
                cache = std::make_unique<dnsbl::AnswerCache>(db);
                if (auto ok = cache->open(); !ok) {
                    std::cerr << "ndr-triage check: warning: no answer cache: " << ok.error() << "\n";
                    cache.reset();
                } else {
                    caching = std::make_unique<dnsbl::CachingResolver>(
                        **engine, *cache, [] { return static_cast<std::int64_t>(std::time(nullptr)); }, options.dqs_key);
                    resolver = caching.get();
                }
            } else {
                std::cerr << "ndr-triage check: warning: no answer cache: " << sqlite3_errmsg(db) << "\n";
            }
        }
    }

    auto report = dnsbl::run_check(loaded.set, targets, options, *resolver);
    caching.reset();
    cache.reset();
    if (db) sqlite3_close(db);
    if (!report) {
        std::cerr << "ndr-triage check: " << report.error() << "\n";
        return k_usage;
    }
    std::cout << (args.json ? dnsbl::format_json(*report) : dnsbl::format_text(*report));
    return dnsbl::check_exit_code(*report);
}

} // namespace

void add_check_command(CLI::App& app, CommandContext& ctx) {
    auto args = std::make_shared<CheckArgs>();
    auto* sub = app.add_subcommand("check", "Check IPv4/IPv6 addresses and domains against the DNS blocklists of rules.d");
    sub->add_option("targets", args->targets, "IPv4 or IPv6 address or domain name")->required()->type_name("TARGET");
    sub->add_option("--resolver", args->resolvers, "Resolver HOST[:PORT] (repeatable; IPv6 as [::1]:53; default: /etc/resolv.conf)")
        ->type_name("HOST[:PORT]")
        ->allow_extra_args(false);
    sub->add_option("--timeout", args->timeout_ms, "Timeout of the first try per query, in ms (default 2000)")
        ->check(CLI::Range(1, 600000))->type_name("MS");
    sub->add_option("--tries", args->tries, "Tries per query (default 2)")->check(CLI::Range(1, 10));
    sub->add_option("--lists", args->lists, "Only these list ids (comma-separated)")->delimiter(',')->type_name("ID,...")->allow_extra_args(false);
    sub->add_flag("--json", args->json, "One JSON object per (target, list)");
    sub->add_option("--state", args->state, "State database used as the answer cache (default: none, or the config's)")
        ->type_name("FILE");
    sub->add_option("--dqs-key-file", args->dqs_key_file, "File holding the Spamhaus DQS key (mode 0600)")->type_name("FILE");
    sub->add_flag("--no-probe", args->no_probe, "Skip the RFC 5782 zone health probes");
    sub->callback([&ctx, args] { ctx.exit_code = run(ctx, *args); });
}

} // namespace ndr::agent
