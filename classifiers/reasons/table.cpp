// table.cpp — precedence lists, the status → reason table and the pattern registry (see table.hpp).
//
// Sources: Sisimai 4.25 Reason.pm ($ClassOrder, retry()) and SMTP/Status.pm (StandardCode), with
// the reasons Sisimai 5 added (authfailure, badreputation, requireptr, notcompliantrfc, speeding,
// failedstarttls, suppressed) placed where Sisimai 5 places them. BSD-2-Clause, (c) azumakuniyuki.
#include "classifiers/reasons/table.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "classifiers/reasons/matcher.hpp"
#include "classifiers/reasons/patterns.hpp"

namespace ndr::classifiers::reasons {

namespace {

using R = Reason;

// Sisimai 5 Reason.pm $ClassOrder->[0] (contenterror placed as the corpus labels show Sisimai 5 does:
// "Transaction failed: Duplicate header" is contenterror, not systemerror).
constexpr R k_session_order[] = {
    R::mailboxfull, R::mesgtoobig,   R::exceedlimit,    R::suspend,       R::hasmoved,
    R::norelaying,  R::authfailure,  R::userunknown,    R::filtered,      R::requireptr,
    R::notcompliantrfc, R::badreputation, R::contenterror, R::rejected, R::hostunknown, R::spamdetected,
    R::speeding,    R::toomanyconn,  R::blocked,
};

// Sisimai 5 Reason.pm $ClassOrder->[1].
constexpr R k_text_order[] = {
    R::mailboxfull,  R::authfailure,   R::badreputation, R::speeding,   R::spamdetected,
    R::virusdetected, R::policyviolation, R::norelaying, R::systemerror, R::networkerror,
    R::suspend,      R::contenterror,  R::systemfull,    R::notaccept,  R::expired,
    R::securityerror, R::suppressed,   R::mailererror,
};

// Sisimai 5 Reason.pm $ClassOrder->[2], duplicates removed (first place kept), plus the reasons
// Sisimai only reaches through other paths (requireptr, notcompliantrfc, badreputation, policyviolation,
// virusdetected, vacation) placed after the reasons their texts can overlap with.
constexpr R k_match_order[] = {
    R::mailboxfull,  R::mesgtoobig,    R::exceedlimit,   R::suspend,      R::userunknown,
    R::filtered,     R::rejected,      R::hostunknown,   R::requireptr,   R::notcompliantrfc,
    R::badreputation, R::spamdetected, R::speeding,      R::toomanyconn,  R::blocked,
    R::virusdetected, R::policyviolation, R::authfailure, R::failedstarttls, R::securityerror,
    R::systemerror,  R::networkerror,  R::expired,       R::contenterror, R::hasmoved,
    R::systemfull,   R::notaccept,     R::mailererror,   R::norelaying,   R::suppressed,
    R::vacation,
};

struct StatusRow {
    std::string_view code;
    R reason;
};

// Sisimai SMTP/Status.pm StandardCode; rows marked "5" follow Sisimai 5.
constexpr StatusRow k_status[] = {
    {"2.1.5", R::delivered},
    {"4.1.6", R::hasmoved},      {"4.1.7", R::rejected},      {"4.1.8", R::rejected},
    {"4.1.9", R::systemerror},   {"4.2.1", R::suspend},       {"4.2.2", R::mailboxfull},
    {"4.2.3", R::exceedlimit},   {"4.2.4", R::filtered},      {"4.3.1", R::systemfull},
    {"4.3.2", R::notaccept},     {"4.3.3", R::systemerror},   {"4.3.5", R::systemerror},
    {"4.4.1", R::expired},       {"4.4.2", R::networkerror},  {"4.4.4", R::networkerror},
    {"4.4.5", R::systemfull},    {"4.4.6", R::networkerror},  {"4.4.7", R::expired},
    {"4.5.3", R::systemerror},   {"4.5.5", R::systemerror},   {"4.6.0", R::contenterror},
    {"4.6.2", R::contenterror},  {"4.6.5", R::contenterror},  {"4.7.1", R::blocked},
    {"4.7.2", R::blocked},       {"4.7.5", R::securityerror}, {"4.7.6", R::securityerror},
    {"4.7.7", R::securityerror}, {"4.7.12", R::securityerror}, {"4.7.15", R::securityerror},
    {"4.7.16", R::mesgtoobig},   {"4.7.24", R::authfailure} /* 5 */, {"4.7.25", R::requireptr} /* 5 */,
    {"5.1.0", R::userunknown},   {"5.1.1", R::userunknown},   {"5.1.2", R::hostunknown},
    {"5.1.3", R::userunknown},   {"5.1.4", R::filtered},      {"5.1.6", R::hasmoved},
    {"5.1.7", R::rejected},      {"5.1.8", R::rejected},      {"5.1.9", R::systemerror},
    {"5.1.10", R::notaccept},    {"5.2.0", R::filtered},      {"5.2.1", R::filtered},
    {"5.2.2", R::mailboxfull},   {"5.2.3", R::exceedlimit},   {"5.2.4", R::filtered},
    {"5.3.0", R::systemerror},   {"5.3.1", R::systemfull},    {"5.3.2", R::notaccept},
    {"5.3.3", R::systemerror},   {"5.3.4", R::mesgtoobig},    {"5.3.5", R::systemerror},
    {"5.4.0", R::networkerror},  {"5.4.3", R::systemerror},   {"5.4.4", R::hostunknown},
    {"5.5.3", R::toomanyconn},   {"5.5.4", R::systemerror},   {"5.5.5", R::systemerror},
    {"5.5.6", R::securityerror}, {"5.6.0", R::contenterror},  {"5.6.1", R::contenterror},
    {"5.6.2", R::contenterror},  {"5.6.3", R::contenterror},  {"5.6.5", R::contenterror},
    {"5.6.6", R::contenterror},  {"5.6.7", R::contenterror},  {"5.6.8", R::contenterror},
    {"5.6.9", R::contenterror},  {"5.7.0", R::securityerror}, {"5.7.1", R::securityerror},
    {"5.7.2", R::securityerror}, {"5.7.3", R::securityerror}, {"5.7.4", R::securityerror},
    {"5.7.5", R::securityerror}, {"5.7.6", R::securityerror}, {"5.7.7", R::securityerror},
    {"5.7.8", R::securityerror}, {"5.7.9", R::securityerror}, {"5.7.10", R::securityerror},
    {"5.7.11", R::securityerror}, {"5.7.13", R::suspend},     {"5.7.14", R::securityerror},
    {"5.7.15", R::securityerror}, {"5.7.16", R::mesgtoobig},  {"5.7.17", R::hasmoved},
    {"5.7.18", R::hasmoved},     {"5.7.19", R::securityerror}, {"5.7.20", R::authfailure} /* 5 */,
    {"5.7.21", R::authfailure} /* 5 */, {"5.7.22", R::authfailure} /* 5 */,
    {"5.7.23", R::authfailure} /* 5 */, {"5.7.24", R::authfailure} /* 5 */,
    {"5.7.25", R::requireptr} /* 5 */,  {"5.7.26", R::authfailure} /* 5 */,
    {"5.7.27", R::notaccept},
};

// Every pattern table, concatenated once (a function-local constant, built on first use).
std::vector<Pattern> concatenate()
{
    std::vector<Pattern> all;
    for (auto table : {authfailure_patterns(), badreputation_patterns(), blocked_patterns(),
                       contenterror_patterns(), exceedlimit_patterns(), expired_patterns(),
                       failedstarttls_patterns(), filtered_patterns(), hasmoved_patterns(),
                       hostunknown_patterns(), mailboxfull_patterns(), mailererror_patterns(),
                       mesgtoobig_patterns(), networkerror_patterns(), norelaying_patterns(),
                       notaccept_patterns(), notcompliantrfc_patterns(), policyviolation_patterns(),
                       rejected_patterns(), requireptr_patterns(), securityerror_patterns(),
                       spamdetected_patterns(), speeding_patterns(), suppressed_patterns(),
                       suspend_patterns(), systemerror_patterns(), systemfull_patterns(),
                       toomanyconn_patterns(), userunknown_patterns(), vacation_patterns(),
                       virusdetected_patterns()})
        all.insert(all.end(), table.begin(), table.end());
    return all;
}

} // namespace

std::span<const Pattern> all_patterns()
{
    static const std::vector<Pattern> all = concatenate();
    return all;
}

std::span<const Reason> session_order() { return k_session_order; }
std::span<const Reason> text_order() { return k_text_order; }
std::span<const Reason> match_order() { return k_match_order; }

bool is_retried(Reason r)
{
    // Sisimai Reason.pm retry()
    switch (r) {
    case R::undefined:
    case R::onhold:
    case R::systemerror:
    case R::securityerror:
    case R::networkerror:
    case R::hostunknown:
    case R::userunknown:
        return true;
    default:
        return false;
    }
}

std::optional<Reason> reason_for_status(std::string_view status)
{
    // k_status sorted by code once (stable: of equal codes the first row wins, as in table order),
    // then a binary search instead of a comparison per row.
    static const std::vector<StatusRow> sorted = [] {
        std::vector<StatusRow> rows(std::begin(k_status), std::end(k_status));
        std::stable_sort(rows.begin(), rows.end(),
                         [](const StatusRow& a, const StatusRow& b) { return a.code < b.code; });
        return rows;
    }();
    auto it = std::lower_bound(sorted.begin(), sorted.end(), status,
                               [](const StatusRow& row, std::string_view code) { return row.code < code; });
    if (it != sorted.end() && it->code == status) return it->reason;
    return std::nullopt;
}

Reason reason_for_text(std::string_view lowered)
{
    TextMatch m = match_text(lowered);
    for (Reason r : k_match_order)
        if (m.has(r))
            return r;
    return R::undefined;
}

} // namespace ndr::classifiers::reasons
