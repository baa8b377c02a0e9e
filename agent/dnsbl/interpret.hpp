// interpret.hpp — what a DNSBL's A answer means for one list: the five outcomes, never merged, and the
// zone health verdict from the RFC 5782 test points.
//
// Input trust: the Answer is hostile (any addresses, any count); the Blocklist is configuration. Only an
// answer inside 127.0.0.0/8 that is not one of the list's error codes can be a listing; an answer
// outside 127/8 means the resolver rewrites answers (query-refused); an undocumented 127/8 answer is a
// listing with meaning "unknown code", except 127.0.0.1, which RFC 5782 reserves as the never-listed
// test point (lists answer it to refused queries: URIBL), so it is query-refused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/dnsbl/resolver.hpp"
#include "classifiers/rules/model.hpp"

namespace ndr::agent::dnsbl {

enum class Outcome { listed, not_listed, lookup_failed, query_refused, not_applicable };
std::string_view to_string(Outcome outcome);

inline constexpr std::string_view k_meaning_unknown = "unknown code";
inline constexpr std::string_view k_meaning_rewrite =
    "answer outside 127.0.0.0/8: the resolver rewrites answers (use a resolver that does not)";
inline constexpr std::string_view k_meaning_loopback =
    "127.0.0.1 is never a listing (RFC 5782 test point): the query was refused or the zone is broken";

// One decoded return code (or one bit of a bitmask code).
struct CodeMeaning {
    std::string code;    // the answer it came from, "127.0.0.2"
    std::string meaning;
    classifiers::rules::CodeOutcome outcome = classifiers::rules::CodeOutcome::listed;
    std::string sublist;
    bool fix_first = false;
    bool resolver_rewrites = false; // outside 127/8
    bool known = true;              // documented by the list
};

// Every meaning of one A record: one entry for an exact or CIDR code, one per set bit for bitmask
// lists (unknown bits as "unknown code"), one "unknown code" entry otherwise. `address` that is not
// a dotted quad gives an empty vector.
std::vector<CodeMeaning> decode_code(const classifiers::rules::Blocklist& list, std::string_view address);

struct Interpretation {
    Outcome outcome = Outcome::lookup_failed;
    std::vector<std::string> codes;    // A records as received
    std::vector<std::string> meanings; // documented meanings, in answer order
    std::vector<std::string> sublists; // more specific lists the codes stand for
    bool allow = false;                // allow-list entry: reported, never a listing
    bool resolver_rewrites = false;    // an answer outside 127/8
    bool fix_first = false;            // a listing code that means an infected or abused host
    std::uint32_t ttl = 0;
    std::string detail;                // for lookup-failed: timeout, SERVFAIL, REFUSED, ...
};

// The outcome of one A answer for `list`. Errors win over listings (an error code or a rewritten answer
// makes the whole answer untrustworthy); allow-list codes alone give not-listed with allow = true.
Interpretation interpret_answer(const classifiers::rules::Blocklist& list, const Answer& a_answer);

enum class ZoneHealth { ok, lists_everything, lists_nothing, unknown };
std::string_view to_string(ZoneHealth health);

struct HealthReport {
    ZoneHealth health = ZoneHealth::unknown;
    std::string detail;
};

// RFC 5782 §5: the listed test point (127.0.0.2, ::FFFF:7F00:2, "test") must be listed and the
// unlisted one (127.0.0.1, ::FFFF:7F00:1, "invalid") must not. A zone that lists the unlisted point
// lists everything; one that does not list the listed point lists nothing (dead or defunct). A probe
// that failed or was refused leaves the health unknown.
HealthReport assess_zone(const classifiers::rules::Blocklist& list, const Answer& listed_probe,
                         const Answer& unlisted_probe);

} // namespace ndr::agent::dnsbl
