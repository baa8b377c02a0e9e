// cmd_rules.cpp — `ndr-triage rules lint [DIR...]`, `rules list [--json]`, `rules test [--only ID]`.
//
// Input: rule files (configuration). lint prints every load error ("file:line: message"); test runs every
// sample of every file (or of one) against the whole loaded set and prints each failure as
// "file:line: sample: got ..., want ...". Exit codes: 0 ok, 1 any error or failure.
#include <algorithm>
#include <array>
#include <memory>
#include <iostream>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "agent/commands.hpp"
#include "agent/rules_dirs.hpp"
#include "classifiers/rules/attribution.hpp"
#include "classifiers/rules/matcher.hpp"

namespace ndr::agent {

namespace {

namespace rules = classifiers::rules;

bool print_errors(const rules::LoadResult& loaded) {
    for (const std::string& e : loaded.errors) std::cerr << e << "\n";
    if (!loaded.errors.empty()) std::cerr << loaded.errors.size() << " error(s) in the rule files\n";
    return loaded.errors.empty();
}

int run_lint(const GlobalOptions& global, const std::vector<std::string>& dirs) {
    GlobalOptions options = global;
    if (!dirs.empty()) {
        options.no_site_rules = true;
        options.rules_dirs = dirs;
    }
    rules::LoadResult loaded = load_rule_dirs(options);
    if (!print_errors(loaded)) return 1;
    std::size_t files = 0, patterns = 0, samples = 0;
    for (const rules::Blocklist& b : loaded.set.lists) {
        files += 1 + b.overrides.size();
        patterns += b.patterns.size();
        samples += b.samples.size();
    }
    std::cout << files << " rule files, " << patterns << " patterns, " << samples << " samples: ok\n";
    return 0;
}

std::string zones_of(const rules::Blocklist& b) {
    std::string out;
    for (const rules::Zone& z : b.zones) out += (out.empty() ? "" : ",") + z.name;
    return out.empty() ? "-" : out;
}

std::string removal_of(const rules::Blocklist& b) {
    std::string out(rules::to_string(b.removal.method));
    if (b.removal.method == rules::RemovalMethod::email && !b.removal.address.empty())
        out += " " + b.removal.address;
    else if (!b.removal.url.empty())
        out += " " + b.removal.url;
    if (b.removal.method == rules::RemovalMethod::expiry && b.removal.expiry_hours > 0)
        out += " (" + std::to_string(b.removal.expiry_hours) + " h)";
    return out;
}

int run_list(const GlobalOptions& global, bool json) {
    rules::LoadResult loaded = load_rule_dirs(global);
    if (!print_errors(loaded)) return 1;
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const rules::Blocklist& b : loaded.set.lists) {
            nlohmann::json zones = nlohmann::json::array();
            for (const rules::Zone& z : b.zones) zones.push_back(z.name);
            out.push_back({
                {"id", b.id},
                {"name", b.name},
                {"kind", std::string(rules::to_string(b.kind))},
                {"defunct", b.defunct},
                {"defunct_note", b.defunct_note},
                {"zones", zones},
                {"removal",
                 {{"method", std::string(rules::to_string(b.removal.method))},
                  {"url", b.removal.url},
                  {"address", b.removal.address},
                  {"expiry_hours", b.removal.expiry_hours}}},
                {"file", b.file},
                {"overrides", b.overrides},
            });
        }
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::vector<std::array<std::string, 4>> rows{{"ID", "KIND", "ZONES", "REMOVAL"}};
    for (const rules::Blocklist& b : loaded.set.lists)
        rows.push_back({b.id + (b.defunct ? " (defunct)" : ""), std::string(rules::to_string(b.kind)), zones_of(b),
                        removal_of(b)});
    std::array<std::size_t, 4> width{};
    for (const auto& row : rows)
        for (std::size_t i = 0; i < 3; ++i) width[i] = std::max(width[i], row[i].size());
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < 3; ++i) line += row[i] + std::string(width[i] - row[i].size() + 2, ' ');
        std::cout << line << row[3] << "\n";
    }
    return 0;
}

using Triple = std::tuple<std::string, std::string, std::string>; // list, rule, listed

std::string show(const std::vector<Triple>& hits) {
    if (hits.empty()) return "no hits";
    std::string out;
    for (const auto& [list, rule, listed] : hits) {
        if (!out.empty()) out += ", ";
        out += list + "/" + (rule.empty() ? "(also)" : rule) + " listed=" + (listed.empty() ? "-" : listed);
    }
    return out;
}

int run_test(const GlobalOptions& global, const std::string& only) {
    rules::LoadResult loaded = load_rule_dirs(global);
    if (!print_errors(loaded)) return 1;
    const rules::RuleSet& set = loaded.set;
    if (!only.empty() && !set.find(only)) {
        std::cerr << "ndr-triage: rules test: no rule file with id '" << only << "'\n";
        return 1;
    }
    rules::Matcher matcher(set);
    std::size_t failures = 0, samples = 0;
    auto fail = [&](const std::string& file, int line, const std::string& message) {
        ++failures;
        std::cerr << file << ":" << line << ": " << message << "\n";
    };
    for (const rules::Blocklist& b : set.lists) {
        if (!only.empty() && b.id != only) continue;
        std::set<std::string> covered;
        bool negative = false;
        for (const rules::Sample& s : b.samples) {
            ++samples;
            rules::MatchResult got = matcher.match(rules::mask_sender_controlled(s.text, {}));
            std::vector<Triple> got_hits, want_hits;
            for (const classifiers::ListHit& h : got.hits) got_hits.emplace_back(h.id, h.rule, h.listed);
            for (const rules::SampleExpect& x : s.expect) want_hits.emplace_back(x.list, x.rule, x.listed);
            std::sort(got_hits.begin(), got_hits.end());
            std::sort(want_hits.begin(), want_hits.end());
            if (got_hits != want_hits)
                fail(s.file, s.line, "sample: got " + show(got_hits) + ", want " + show(want_hits));
            if (got.receiver_resolver_error != s.resolver_error)
                fail(s.file, s.line, std::string("sample: got resolver_error = ") + (got.receiver_resolver_error ? "true" : "false") +
                                         ", want " + (s.resolver_error ? "true" : "false"));
            for (const std::string& tie : got.ties) fail(s.file, s.line, "sample: rules tie: " + tie);
            if (s.expect.empty() && !s.resolver_error)
                negative = true;
            else
                for (const std::string& f : got.fired) covered.insert(f);
        }
        for (const rules::Pattern& p : b.patterns)
            if (!covered.count(b.id + "/" + p.id))
                fail(p.file, p.line, "match '" + p.id + "' has no positive sample that fires it");
        if (!negative) fail(b.file, 1, "no negative sample (expect = []) in " + b.id);
    }
    if (failures) {
        std::cerr << failures << " failure(s) in " << samples << " samples\n";
        return 1;
    }
    std::cout << samples << " samples: ok\n";
    return 0;
}

} // namespace

void add_rules_command(CLI::App& app, CommandContext& ctx) {
    auto* sub = app.add_subcommand("rules", "Check, list and test the blocklist rule files (rules.d)");
    sub->require_subcommand(1);

    auto* lint = sub->add_subcommand("lint", "Load the rule files and print every error (file:line: message)");
    auto dirs = std::make_shared<std::vector<std::string>>();
    lint->add_option("DIR", *dirs, "Site rule directories to load on top of the shipped ones (default: the effective set)");
    lint->callback([&ctx, dirs] { ctx.exit_code = run_lint(ctx.global, *dirs); });

    auto* list = sub->add_subcommand("list", "List the loaded systems: id, kind, zones, removal method");
    auto json = std::make_shared<bool>(false);
    list->add_flag("--json", *json, "JSON output");
    list->callback([&ctx, json] { ctx.exit_code = run_list(ctx.global, *json); });

    auto* test = sub->add_subcommand("test", "Run every rule file's samples against the whole rule set");
    auto only = std::make_shared<std::string>();
    test->add_option("--only", *only, "Only the samples of this rule file (its id)");
    test->callback([&ctx, only] { ctx.exit_code = run_test(ctx.global, *only); });
}

} // namespace ndr::agent
