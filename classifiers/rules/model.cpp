// model.cpp — names of the rule-model enums and RuleSet look-up. Input: loaded rule sets only (trusted
// configuration); no limits apply.
#include "classifiers/rules/model.hpp"

#include <algorithm>

namespace ndr::classifiers::rules {

std::string_view to_string(ListKind k) {
    switch (k) {
    case ListKind::ip_dnsbl: return "ip-dnsbl";
    case ListKind::domain_dnsbl: return "domain-dnsbl";
    case ListKind::reputation_service: return "reputation-service";
    case ListKind::provider_internal: return "provider-internal";
    }
    return "ip-dnsbl";
}

std::string_view to_string(QueryForm f) {
    switch (f) {
    case QueryForm::ipv4: return "ipv4";
    case QueryForm::ipv6: return "ipv6";
    case QueryForm::domain: return "domain";
    }
    return "ipv4";
}

std::string_view to_string(CodeOutcome o) {
    switch (o) {
    case CodeOutcome::listed: return "listed";
    case CodeOutcome::error: return "error";
    case CodeOutcome::allow: return "allow";
    }
    return "listed";
}

std::string_view to_string(RemovalMethod m) {
    switch (m) {
    case RemovalMethod::form: return "form";
    case RemovalMethod::email: return "email";
    case RemovalMethod::expiry: return "expiry";
    case RemovalMethod::none: return "none";
    case RemovalMethod::provider: return "provider";
    }
    return "none";
}

const Blocklist* RuleSet::find(std::string_view id) const {
    auto it = std::find_if(lists.begin(), lists.end(), [&](const Blocklist& b) { return b.id == id; });
    return it == lists.end() ? nullptr : &*it;
}

} // namespace ndr::classifiers::rules
