// matcher.hpp — runs every reason pattern (patterns.hpp) over one text in a single pass.
//
// Input: the lower-cased diagnostic text of one record (attacker-controlled). The text is capped at
// k_max_diagnostic_bytes before matching; the literal automaton is one pass and RE2 is linear in the
// text and never backtracks. The automaton is built once, immutable afterwards, and shared by every
// thread (the expressions' RE2 objects are compiled on first use, std::call_once).
#pragma once

#include <cstdint>
#include <string_view>

#include "classifiers/reason.hpp"

namespace ndr::classifiers::reasons {

using ReasonMask = std::uint64_t;
static_assert(static_cast<unsigned>(Reason::virusdetected) < 64, "ReasonMask needs one bit per reason");

constexpr ReasonMask bit(Reason r) { return ReasonMask{1} << static_cast<unsigned>(r); }

struct TextMatch {
    ReasonMask matched = 0; // reasons with at least one pattern in the text
    ReasonMask vetoed = 0;  // reasons whose veto literal is in the text

    // Sisimai's Reason::X->match(): a pattern matched and no veto of that reason did.
    bool has(Reason r) const { return (matched & bit(r)) != 0 && (vetoed & bit(r)) == 0; }
};

// All patterns over `lowered`. Never throws; an empty text matches nothing.
TextMatch match_text(std::string_view lowered);

// Indices (into all_patterns()) of the patterns that failed to compile; empty in a good build.
// For the unit tests.
std::size_t failed_pattern_count();

} // namespace ndr::classifiers::reasons
