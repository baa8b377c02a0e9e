// patterns.hpp — the text patterns behind each bounce reason, as data (one .cpp per reason here).
//
// A pattern is matched against the LOWER-CASED (ASCII) diagnostic text of one record, which is
// attacker-controlled: patterns are RE2 syntax (linear time, no backtracking) or plain literals, and
// all of them run in one pass (matcher.cpp: one literal automaton, RE2 for the expressions whose literal
// atoms occur). Every row names the source of its text.
// Each row carries a sample text it must match; the unit tests check that and the precedence ties.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "classifiers/reason.hpp"

namespace ndr::classifiers::reasons {

enum class Kind : std::uint8_t {
    literal, // text is a plain substring
    regex,   // text is an RE2 expression (no anchors except \A and \z)
    veto,    // a literal whose presence cancels the text match of its reason (Sisimai's "isnot")
};

struct Pattern {
    Reason reason;
    Kind kind;
    std::string_view text;   // lower-case
    std::string_view sample; // a text this pattern matches (for literals: the literal itself)
    std::string_view source; // where the text comes from
};

// The tables, one per reason file. A reason without text patterns has no table.
std::span<const Pattern> authfailure_patterns();
std::span<const Pattern> badreputation_patterns();
std::span<const Pattern> blocked_patterns();
std::span<const Pattern> contenterror_patterns();
std::span<const Pattern> exceedlimit_patterns();
std::span<const Pattern> expired_patterns();
std::span<const Pattern> failedstarttls_patterns();
std::span<const Pattern> filtered_patterns();
std::span<const Pattern> hasmoved_patterns();
std::span<const Pattern> hostunknown_patterns();
std::span<const Pattern> mailboxfull_patterns();
std::span<const Pattern> mailererror_patterns();
std::span<const Pattern> mesgtoobig_patterns();
std::span<const Pattern> networkerror_patterns();
std::span<const Pattern> norelaying_patterns();
std::span<const Pattern> notaccept_patterns();
std::span<const Pattern> notcompliantrfc_patterns();
std::span<const Pattern> policyviolation_patterns();
std::span<const Pattern> rejected_patterns();
std::span<const Pattern> requireptr_patterns();
std::span<const Pattern> securityerror_patterns();
std::span<const Pattern> spamdetected_patterns();
std::span<const Pattern> speeding_patterns();
std::span<const Pattern> suppressed_patterns();
std::span<const Pattern> suspend_patterns();
std::span<const Pattern> systemerror_patterns();
std::span<const Pattern> systemfull_patterns();
std::span<const Pattern> toomanyconn_patterns();
std::span<const Pattern> userunknown_patterns();
std::span<const Pattern> vacation_patterns();
std::span<const Pattern> virusdetected_patterns();

// Every table above, concatenated in the order of this list (the index of a row in the result is
// stable within one build and used by the matcher).
std::span<const Pattern> all_patterns();

} // namespace ndr::classifiers::reasons
