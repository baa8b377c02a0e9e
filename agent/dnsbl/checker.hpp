// checker.hpp — one DNSBL check: targets × lists -> one result per (target, list), with the zone health
// of every zone used. All queries of a check (A and TXT per name, and the RFC 5782 test points of each
// zone) go to the Resolver as one batch, duplicates merged, so checking one IP against every zone takes
// about one round trip.
//
// Input trust: targets are already parsed (query_name.hpp); rules are configuration; answers hostile
// (TXT text is sanitised here before it can reach a terminal, a log or the database). The DQS key is
// never in a result: zones are shown as "<key>.<keyed_name>" and the key is scrubbed from every string.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <vector>

#include "agent/dnsbl/interpret.hpp"
#include "agent/dnsbl/query_name.hpp"
#include "agent/dnsbl/resolver.hpp"
#include "classifiers/rules/model.hpp"

namespace ndr::agent::dnsbl {

struct CheckOptions {
    std::vector<std::string> lists; // list ids to check (--lists); empty: every list with a DNS zone
    std::string dqs_key;            // Spamhaus DQS key; empty: none
    bool probe_health = true;       // query the RFC 5782 test points of every zone used
};

struct CheckResult {
    std::string target;   // normalised target
    std::string list;     // list id
    std::string zone;     // zone queried ("<key>.zen.dq.spamhaus.net" for keyed zones); "" when none
    Outcome outcome = Outcome::not_applicable;
    std::vector<std::string> codes;
    std::vector<std::string> meanings;
    std::vector<std::string> sublists;
    std::vector<std::string> txt; // sanitised TXT records (listed and query-refused answers)
    std::uint32_t ttl = 0;
    bool cached = false;
    bool untrusted = false;       // the zone failed its health probe in a way that voids this answer
    bool allow = false;           // allow-list entry (never a listing)
    bool resolver_rewrites = false;
    bool fix_first = false;
    std::string zone_health;      // "ok", "lists-everything", "lists-nothing", "unknown"; "" when not probed
    std::string note;             // why not applicable, what failed, what the health probe found
};

struct CheckReport {
    std::vector<CheckResult> results; // targets in order given, lists sorted by id
    std::size_t queries = 0;          // distinct queries sent to the resolver (after merging)
};

// A DQS key must be 8..63 letters and digits (it becomes a DNS label; Spamhaus keys have 26).
bool valid_dqs_key(std::string_view key);

// Errors (exit 3): a list id in options.lists that is not loaded, a bad key, too many queries.
std::expected<CheckReport, std::string> run_check(const classifiers::rules::RuleSet& rules,
                                                  std::span<const Target> targets, const CheckOptions& options,
                                                  Resolver& resolver);

// 1 when a trusted listing was found; else 2 when a lookup failed, was refused or is untrusted; else 0.
int check_exit_code(const CheckReport& report);

// A JSON array with one object per result: target, list, zone, outcome, codes, meanings, txt, ttl,
// cached, untrusted, allow, resolver_rewrites, fix_first, sublists, zone_health, note.
std::string format_json(const CheckReport& report);
// A readable table, one line per result (TXT on an indented line below a listing).
std::string format_text(const CheckReport& report);

} // namespace ndr::agent::dnsbl
