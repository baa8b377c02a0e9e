// model.hpp — a blocklist, reputation system or large receiver, as declared by one rules.d/*.toml file.
//
// The loader (loader.hpp) builds these from TOML and rejects bad files with file:line errors; nothing
// here is filled from NDR text. The DNSBL checker (agent/dnsbl) reads zones, codes and policy; the
// matcher (matcher.hpp) reads patterns; the planner reads removal and fix_first.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::classifiers::rules {

enum class ListKind { ip_dnsbl, domain_dnsbl, reputation_service, provider_internal };
enum class QueryForm { ipv4, ipv6, domain };
// What an A answer from the zone means: a listing, an error about the query (not a listing), or an
// allow-list entry (never a block).
enum class CodeOutcome { listed, error, allow };
enum class RemovalMethod {
    form,     // self-service web form: draft = text to paste + URL
    email,    // removal by email: draft = ready message
    expiry,   // automatic expiry: no draft, re-check after expiry_hours
    none,     // no removal possible (reputation): note to the rejecting site's postmaster
    provider, // provider-internal: the provider's sender-support form or address
};

std::string_view to_string(ListKind k);
std::string_view to_string(QueryForm f);
std::string_view to_string(CodeOutcome o);
std::string_view to_string(RemovalMethod m);

struct ReturnCode {
    std::string code;       // "127.0.0.2", or a CIDR such as "127.255.255.0/24" (errors only)
    std::string meaning;    // human text: "SBL: direct spam source"
    CodeOutcome outcome = CodeOutcome::listed;
    std::string sublist;    // more specific rule id this code stands for ("spamhaus-xbl"), may be empty
    bool fix_first = false; // this listing means an infected or abused host
    bool bit = false;       // bitmask list: this code is one bit of the last octet (SURBL, URIBL)
    std::string file;       // rule file that declared it, and its line (for error messages)
    int line = 0;
};

struct Zone {
    std::string name;                // "zen.spamhaus.org"
    std::vector<QueryForm> forms;    // what may be queried in it
    bool registered_domain = false;  // domain lists that want the registered domain, not the FQDN
    std::string keyed_name;          // with a key: "<key>." + keyed_name (Spamhaus DQS), may be empty
};

struct QueryPolicy {
    bool needs_key = false;                // no public zone without a key
    std::string key_name;                  // config key naming the secret, e.g. "spamhaus_dqs"
    bool refuses_public_resolvers = false; // answers an error code to Google/Cloudflare/Quad9 resolvers
    bool bitmask = false;                  // codes are bits of the last octet (SURBL, URIBL)
    std::string note;                      // terms of use in prose
};

struct Removal {
    RemovalMethod method = RemovalMethod::none;
    std::string url;
    std::string address;                   // for method = email
    int expiry_hours = 0;                  // typical automatic expiry; 0 = unknown or none
    std::vector<std::string> must_contain; // what the request must contain, in prose items
    std::string notes;
};

struct Pattern {
    std::string id;             // unique within the file
    int priority = 50;          // higher wins when matches overlap (see matcher.hpp)
    std::string regex;          // RE2 syntax, matched case-insensitively
    std::string listed;         // "ip", "domain" or "" : which named group holds the listed item
    bool resolver_error = false;// this text means the receiver's resolver was refused, not a listing
    std::vector<std::string> also; // other list ids this text also points to (Yahoo [BL23] -> spamhaus-xbl)
    std::string source;         // where the text comes from (MTA source line, provider doc URL)
    std::string file;           // rule file that declared it (the shipped file or a .local.toml)
    int line = 0;               // line in the rule file, for error messages
    int compiled_id = -1;       // index in RuleSet::compiled's patterns, -1 when not checked there
};

struct SampleExpect {
    std::string list;   // list id
    std::string rule;   // pattern id within that list ("" for hits added through `also`)
    std::string listed; // expected listed IP or domain, "" for none
};

struct Sample {
    std::string text;
    std::vector<SampleExpect> expect; // empty: must match nothing
    bool resolver_error = false;
    std::string file; // rule file that declared it (the shipped file or a .local.toml)
    int line = 0;
};

struct Blocklist {
    std::string id;    // the file stem
    std::string file;  // path it was loaded from (the shipped one; overrides noted in `overrides`)
    std::vector<std::string> overrides;
    std::string name;
    ListKind kind = ListKind::ip_dnsbl;
    std::string home;
    bool defunct = false;
    std::string defunct_note; // "shut down by Proofpoint on 2024-06-05"
    bool fix_first = false;   // any listing means an infected or abused host (XBL, SpamCop, traps)
    std::vector<Zone> zones;
    std::vector<ReturnCode> codes;
    QueryPolicy policy;
    Removal removal;
    std::vector<Pattern> patterns;
    std::vector<Sample> samples;
};

struct CompiledPatterns; // compiled.hpp

struct RuleSet {
    std::vector<Blocklist> lists; // sorted by id
    // The patterns as the loader checked them (compiled.hpp: each compiled once, by the loader or on
    // first use), shared by every Matcher over the set; may be null (a set built in code), and is
    // ignored when a pattern no longer is what was checked.
    std::shared_ptr<CompiledPatterns> compiled;
    const Blocklist* find(std::string_view id) const;
};

} // namespace ndr::classifiers::rules
