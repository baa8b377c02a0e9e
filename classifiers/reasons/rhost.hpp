// rhost.hpp — provider-specific reasons: some receivers (Gmail, Exchange Online, Orange, ...) use
// their own codes whose meaning Sisimai keeps in per-provider tables (Sisimai Rhost/*.pm).
//
// Input: the record's remote MTA host name and its lower-cased diagnostic text (both attacker-
// controlled; only compared by suffix and substring). Never throws.
#pragma once

#include <optional>
#include <string_view>

#include "classifiers/report.hpp"

namespace ndr::classifiers::reasons {

// The provider's own reason for this record (the remote MTA names the provider; without one, the
// reporting MTA that wrote the text; failing both, the recipient's domain); Reason::undefined when the provider's code says nothing Sisimai maps;
// std::nullopt when no provider or none of its codes applies.
std::optional<Reason> provider_reason(const RecipientRecord& rec, std::string_view lowered_text,
                                      std::string_view reporting_mta = {});

} // namespace ndr::classifiers::reasons
