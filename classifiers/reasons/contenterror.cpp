// contenterror.cpp — text patterns for the bounce reason "contenterror" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::contenterror, Kind::literal,
     R"re(header size exceeds maximum permitted)re",
     R"re(header size exceeds maximum permitted)re",
     "Sisimai Reason/ContentError.pm"},
    {Reason::contenterror, Kind::literal,
     R"re(improper use of 8-bit data in message header)re",
     R"re(improper use of 8-bit data in message header)re",
     "Sisimai Reason/ContentError.pm"},
    {Reason::contenterror, Kind::literal,
     R"re(message header size, or recipient list, exceeds policy limit)re",
     R"re(message header size, or recipient list, exceeds policy limit)re",
     "Sisimai Reason/ContentError.pm"},
    {Reason::contenterror, Kind::literal,
     R"re(message mime complexity exceeds the policy maximum)re",
     R"re(message mime complexity exceeds the policy maximum)re",
     "Sisimai Reason/ContentError.pm"},
    {Reason::contenterror, Kind::literal,
     R"re(routing loop detected -- too many received: headers)re",
     R"re(routing loop detected -- too many received: headers)re",
     "Sisimai Reason/ContentError.pm"},
    {Reason::contenterror, Kind::literal,
     R"re(this message contain invalid mime headers)re",
     R"re(this message contain invalid mime headers)re",
     "Sisimai Reason/ContentError.pm"},
    {Reason::contenterror, Kind::literal,
     R"re(this message contain improperly-formatted binary content)re",
     R"re(this message contain improperly-formatted binary content)re",
     "Sisimai Reason/ContentError.pm"},
    {Reason::contenterror, Kind::literal,
     R"re(this message contain text that uses unnecessary base64 encoding)re",
     R"re(this message contain text that uses unnecessary base64 encoding)re",
     "Sisimai Reason/ContentError.pm"},
    {Reason::contenterror, Kind::literal,
     R"re(duplicate header)re",
     R"re(duplicate header)re",
     "Sisimai 5 Reason/ContentError.pm (Amazon SES: Transaction failed: Duplicate header)"},
};

} // namespace

std::span<const Pattern> contenterror_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
