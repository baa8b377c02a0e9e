// reason.cpp — names of the Reason values. No input is trusted beyond a lookup.
#include "classifiers/reason.hpp"

#include <array>
#include <cstddef>
#include <utility>

namespace ndr::classifiers {
namespace {

constexpr std::array k_names{
    std::pair{Reason::undefined, std::string_view{"undefined"}},
    std::pair{Reason::authfailure, std::string_view{"authfailure"}},
    std::pair{Reason::badreputation, std::string_view{"badreputation"}},
    std::pair{Reason::blocked, std::string_view{"blocked"}},
    std::pair{Reason::contenterror, std::string_view{"contenterror"}},
    std::pair{Reason::delivered, std::string_view{"delivered"}},
    std::pair{Reason::exceedlimit, std::string_view{"exceedlimit"}},
    std::pair{Reason::expired, std::string_view{"expired"}},
    std::pair{Reason::failedstarttls, std::string_view{"failedstarttls"}},
    std::pair{Reason::feedback, std::string_view{"feedback"}},
    std::pair{Reason::filtered, std::string_view{"filtered"}},
    std::pair{Reason::hasmoved, std::string_view{"hasmoved"}},
    std::pair{Reason::hostunknown, std::string_view{"hostunknown"}},
    std::pair{Reason::mailboxfull, std::string_view{"mailboxfull"}},
    std::pair{Reason::mailererror, std::string_view{"mailererror"}},
    std::pair{Reason::mesgtoobig, std::string_view{"mesgtoobig"}},
    std::pair{Reason::networkerror, std::string_view{"networkerror"}},
    std::pair{Reason::norelaying, std::string_view{"norelaying"}},
    std::pair{Reason::notaccept, std::string_view{"notaccept"}},
    std::pair{Reason::notcompliantrfc, std::string_view{"notcompliantrfc"}},
    std::pair{Reason::onhold, std::string_view{"onhold"}},
    std::pair{Reason::policyviolation, std::string_view{"policyviolation"}},
    std::pair{Reason::ratelimited, std::string_view{"ratelimited"}},
    std::pair{Reason::rejected, std::string_view{"rejected"}},
    std::pair{Reason::requireptr, std::string_view{"requireptr"}},
    std::pair{Reason::securityerror, std::string_view{"securityerror"}},
    std::pair{Reason::spamdetected, std::string_view{"spamdetected"}},
    std::pair{Reason::speeding, std::string_view{"speeding"}},
    std::pair{Reason::suppressed, std::string_view{"suppressed"}},
    std::pair{Reason::suspend, std::string_view{"suspend"}},
    std::pair{Reason::syntaxerror, std::string_view{"syntaxerror"}},
    std::pair{Reason::systemerror, std::string_view{"systemerror"}},
    std::pair{Reason::systemfull, std::string_view{"systemfull"}},
    std::pair{Reason::toomanyconn, std::string_view{"toomanyconn"}},
    std::pair{Reason::userunknown, std::string_view{"userunknown"}},
    std::pair{Reason::vacation, std::string_view{"vacation"}},
    std::pair{Reason::virusdetected, std::string_view{"virusdetected"}},
};

} // namespace

// The table lists the reasons in the enum's order: to_string() indexes it.
static_assert([] {
    for (std::size_t i = 0; i < k_names.size(); ++i)
        if (static_cast<std::size_t>(k_names[i].first) != i) return false;
    return true;
}());

std::string_view to_string(Reason r) {
    const auto i = static_cast<std::size_t>(r);
    return i < k_names.size() ? k_names[i].second : std::string_view{"undefined"};
}

std::optional<Reason> reason_from_string(std::string_view name) {
    for (const auto& [value, n] : k_names)
        if (n == name) return value;
    return std::nullopt;
}

} // namespace ndr::classifiers
