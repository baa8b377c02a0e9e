// mesgtoobig.cpp — text patterns for the bounce reason "mesgtoobig" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::mesgtoobig, Kind::literal,
     R"re(exceeded maximum inbound message size)re",
     R"re(exceeded maximum inbound message size)re",
     "Sisimai Reason/MesgTooBig.pm"},
    {Reason::mesgtoobig, Kind::literal,
     R"re(line limit exceeded)re",
     R"re(line limit exceeded)re",
     "Sisimai Reason/MesgTooBig.pm"},
    {Reason::mesgtoobig, Kind::literal,
     R"re(max message size exceeded)re",
     R"re(max message size exceeded)re",
     "Sisimai Reason/MesgTooBig.pm"},
    {Reason::mesgtoobig, Kind::literal,
     R"re(message file too big)re",
     R"re(message file too big)re",
     "Sisimai Reason/MesgTooBig.pm"},
    {Reason::mesgtoobig, Kind::literal,
     R"re(message length exceeds administrative limit)re",
     R"re(message length exceeds administrative limit)re",
     "Sisimai Reason/MesgTooBig.pm"},
    {Reason::mesgtoobig, Kind::literal,
     R"re(message size exceeds fixed limit)re",
     R"re(message size exceeds fixed limit)re",
     "Sisimai Reason/MesgTooBig.pm"},
    {Reason::mesgtoobig, Kind::literal,
     R"re(message size exceeds fixed maximum message size)re",
     R"re(message size exceeds fixed maximum message size)re",
     "Sisimai Reason/MesgTooBig.pm"},
    {Reason::mesgtoobig, Kind::literal,
     R"re(message size exceeds maximum value)re",
     R"re(message size exceeds maximum value)re",
     "Sisimai Reason/MesgTooBig.pm"},
    {Reason::mesgtoobig, Kind::literal,
     R"re(message too big)re",
     R"re(message too big)re",
     "Sisimai Reason/MesgTooBig.pm"},
    {Reason::mesgtoobig, Kind::literal,
     R"re(message too large for this )re",
     R"re(message too large for this )re",
     "Sisimai Reason/MesgTooBig.pm"},
    {Reason::mesgtoobig, Kind::literal,
     R"re(size limit)re",
     R"re(size limit)re",
     "Sisimai Reason/MesgTooBig.pm"},
    {Reason::mesgtoobig, Kind::literal,
     R"re(taille limite du message atteinte)re",
     R"re(taille limite du message atteinte)re",
     "Sisimai Reason/MesgTooBig.pm"},
};

} // namespace

std::span<const Pattern> mesgtoobig_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
