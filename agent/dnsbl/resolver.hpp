// resolver.hpp — the one interface between the DNSBL logic and the network: a batch of (name, type)
// queries in, one Answer per query out, in the same order.
//
// Implementations: CaresResolver (c-ares, cares_resolver.hpp), CachingResolver (SQLite, cache.hpp) and
// fakes in the unit tests. Answers carry only what a DNS server said, already bounded (record counts
// and TXT sizes capped in classifiers/limits.hpp); nothing in them is trusted.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::agent::dnsbl {

enum class QueryType { a, txt, ptr, aaaa };
std::string_view to_string(QueryType type);

struct Query {
    std::string name; // full query name, lower case, no trailing dot
    QueryType type = QueryType::a;
    bool operator==(const Query&) const = default;
};

enum class AnswerStatus {
    answer,   // NOERROR with records of the asked type
    nxdomain, // NXDOMAIN
    nodata,   // NOERROR without records of the asked type
    servfail, // SERVFAIL
    refused,  // REFUSED
    timeout,  // no answer within the tries
    error,    // anything else: connection refused, malformed answer, other rcodes
};
std::string_view to_string(AnswerStatus status);

struct Answer {
    AnswerStatus status = AnswerStatus::error;
    std::vector<std::string> records; // A: dotted quads; TXT: one string per record (chunks joined);
                                      // PTR: lower-case names, no trailing dot; AAAA: RFC 5952 text
    std::uint32_t ttl = 0;            // answers: lowest record TTL; nxdomain/nodata: SOA minimum (0: none)
    std::string detail;               // for errors: what happened ("connection refused", "rcode 4")
    bool cached = false;              // served from the answer cache (ttl is then the time left)
};

class Resolver {
public:
    virtual ~Resolver() = default;
    // Resolves every query (all in flight together, bounded by the implementation); returns one Answer
    // per query, in order. Never throws for DNS failures: they are Answers.
    virtual std::vector<Answer> resolve(std::span<const Query> queries) = 0;
};

} // namespace ndr::agent::dnsbl
