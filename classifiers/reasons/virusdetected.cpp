// virusdetected.cpp — text patterns for the bounce reason "virusdetected" (see patterns.hpp for the contract).
//
// Matched against lower-cased, attacker-controlled diagnostic text by RE2 (linear time). Patterns are
// ported from Sisimai (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row.
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr Pattern k_patterns[] = {
    {Reason::virusdetected, Kind::literal,
     R"re(it has a potentially executable attachment)re",
     R"re(it has a potentially executable attachment)re",
     "Sisimai Reason/VirusDetected.pm"},
    {Reason::virusdetected, Kind::literal,
     R"re(the message was rejected because it contains prohibited virus or spam content)re",
     R"re(the message was rejected because it contains prohibited virus or spam content)re",
     "Sisimai Reason/VirusDetected.pm"},
    {Reason::virusdetected, Kind::literal,
     R"re(this form of attachment has been used by recent viruses or other malware)re",
     R"re(this form of attachment has been used by recent viruses or other malware)re",
     "Sisimai Reason/VirusDetected.pm"},
    {Reason::virusdetected, Kind::literal,
     R"re(virus detected)re",
     R"re(virus detected)re",
     "Sisimai Reason/VirusDetected.pm"},
    {Reason::virusdetected, Kind::literal,
     R"re(your message was infected with a virus)re",
     R"re(your message was infected with a virus)re",
     "Sisimai Reason/VirusDetected.pm"},
};

} // namespace

std::span<const Pattern> virusdetected_patterns() { return k_patterns; }

} // namespace ndr::classifiers::reasons
