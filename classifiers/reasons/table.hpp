// table.hpp — the precedence of bounce reasons, in one place, and the RFC 3463 status → reason map.
//
// Sisimai decides a reason in stages; each stage tries reasons in a fixed order and the first that
// holds wins. The orders are explicit lists here (table.cpp); a reason appears at most once per list,
// so two reasons never tie. Inputs are codes and text from the NDR (attacker-controlled); lookups are
// bounded and never throw.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "classifiers/reason.hpp"

namespace ndr::classifiers::reasons {

// Stage 1: reasons whose test looks at status, SMTP command and text together (Sisimai 5
// Reason.pm $ClassOrder->[0]); tried when the diagnostic type is SMTP or absent.
std::span<const Reason> session_order();
// Stage 2: text patterns only, when the status gave no reason or a weak one ($ClassOrder->[1]).
std::span<const Reason> text_order();
// Text-only classification of a bare message, e.g. a vendor line without codes ($ClassOrder->[2]).
// Also the rank used by the tie test: every reason that has patterns appears here exactly once.
std::span<const Reason> match_order();

// Reasons that the status code or a first guess may name but that are worth re-checking against the
// text (Sisimai Reason.pm retry()).
bool is_retried(Reason r);

// RFC 3463 status (e.g. "5.2.2") → reason (Sisimai SMTP/Status.pm StandardCode, with the Sisimai 5
// changes). std::nullopt for a code without a fixed meaning (e.g. "5.0.0", "5.7.1" is kept).
std::optional<Reason> reason_for_status(std::string_view status);

// Text-only reason (Sisimai Reason->match): the first reason of match_order() whose patterns match
// the lower-cased text; then the status code found in the text; undefined otherwise.
Reason reason_for_text(std::string_view lowered);

} // namespace ndr::classifiers::reasons
