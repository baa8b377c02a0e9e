// reason.hpp — the closed set of bounce reasons (Sisimai's vocabulary) and their names.
//
// Input trust: reason_from_string() takes any text; unknown names give std::nullopt.
#pragma once

#include <optional>
#include <string_view>

namespace ndr::classifiers {

enum class Reason {
    undefined,
    authfailure,
    badreputation,
    blocked,
    contenterror,
    delivered,
    exceedlimit,
    expired,
    failedstarttls,
    feedback,
    filtered,
    hasmoved,
    hostunknown,
    mailboxfull,
    mailererror,
    mesgtoobig,
    networkerror,
    norelaying,
    notaccept,
    notcompliantrfc,
    onhold,
    policyviolation,
    ratelimited,
    rejected,
    requireptr,
    securityerror,
    spamdetected,
    speeding,
    suppressed,
    suspend,
    syntaxerror,
    systemerror,
    systemfull,
    toomanyconn,
    userunknown,
    vacation,
    virusdetected,
};

// The lower-case Sisimai name ("userunknown").
std::string_view to_string(Reason r);
std::optional<Reason> reason_from_string(std::string_view name);

} // namespace ndr::classifiers
