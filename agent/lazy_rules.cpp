// lazy_rules.cpp — the rule metadata cache and the rule set compiled on first use (lazy_rules.hpp).
#include "agent/lazy_rules.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace ndr::agent {

namespace rules = classifiers::rules;

namespace {

constexpr int k_metadata_version = 1;

std::optional<rules::ListKind> list_kind(std::string_view s) {
    for (auto k : {rules::ListKind::ip_dnsbl, rules::ListKind::domain_dnsbl,
                   rules::ListKind::reputation_service, rules::ListKind::provider_internal})
        if (rules::to_string(k) == s) return k;
    return std::nullopt;
}

} // namespace

std::string rule_metadata_json(const rules::RuleSet& set) {
    nlohmann::json lists = nlohmann::json::array();
    for (const auto& l : set.lists)
        lists.push_back({{"id", l.id},
                         {"name", l.name},
                         {"kind", rules::to_string(l.kind)},
                         {"defunct", l.defunct},
                         {"defunct_note", l.defunct_note},
                         {"fix_first", l.fix_first},
                         {"removal_method", static_cast<int>(l.removal.method)},
                         {"removal_url", l.removal.url},
                         {"removal_address", l.removal.address},
                         {"expiry_hours", l.removal.expiry_hours}});
    return nlohmann::json{{"version", k_metadata_version}, {"lists", std::move(lists)}}.dump();
}

std::optional<rules::RuleSet> rule_metadata_from_json(std::string_view text) {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || doc.value("version", 0) != k_metadata_version)
        return std::nullopt;
    const auto lists = doc.find("lists");
    if (lists == doc.end() || !lists->is_array()) return std::nullopt;
    rules::RuleSet set;
    try {
        for (const auto& j : *lists) {
            rules::Blocklist l;
            l.id = j.at("id").get<std::string>();
            l.name = j.at("name").get<std::string>();
            const auto kind = list_kind(j.at("kind").get<std::string>());
            if (!kind) return std::nullopt;
            l.kind = *kind;
            l.defunct = j.at("defunct").get<bool>();
            l.defunct_note = j.at("defunct_note").get<std::string>();
            l.fix_first = j.at("fix_first").get<bool>();
            const int method = j.at("removal_method").get<int>();
            if (method < static_cast<int>(rules::RemovalMethod::form) ||
                method > static_cast<int>(rules::RemovalMethod::provider))
                return std::nullopt;
            l.removal.method = static_cast<rules::RemovalMethod>(method);
            l.removal.url = j.at("removal_url").get<std::string>();
            l.removal.address = j.at("removal_address").get<std::string>();
            l.removal.expiry_hours = j.at("expiry_hours").get<int>();
            set.lists.push_back(std::move(l));
        }
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
    return set;
}

LazyRules::LazyRules(RuleDirFiles files, std::string key)
    : m_files(std::move(files)), m_key(std::move(key)) {}

bool LazyRules::use_metadata(std::string_view cached_metadata) {
    auto set = rule_metadata_from_json(cached_metadata);
    std::lock_guard lock(m_mutex);
    if (!set) return false;
    m_metadata = std::move(set);
    return true;
}

std::expected<const Pipeline*, std::vector<std::string>> LazyRules::load() {
    std::lock_guard lock(m_mutex);
    if (!m_pipeline && m_errors.empty()) {
        auto loaded = load_rule_files(m_files, classifiers::rules::PatternCheck::parse);
        if (!loaded.errors.empty())
            m_errors = std::move(loaded.errors);
        else
            m_pipeline.emplace(make_pipeline(std::move(loaded.set)));
    }
    if (!m_pipeline) return std::unexpected(m_errors);
    return &*m_pipeline;
}

const Pipeline& LazyRules::pipeline() {
    auto p = load();
    if (!p)
        throw std::runtime_error("rules: " +
                                 (p.error().empty() ? std::string("unusable") : p.error().front()));
    return **p;
}

const rules::RuleSet* LazyRules::metadata() {
    std::lock_guard lock(m_mutex);
    if (m_pipeline) return m_pipeline->rules.get();
    return m_metadata ? &*m_metadata : nullptr;
}

bool LazyRules::compiled() {
    std::lock_guard lock(m_mutex);
    return m_pipeline.has_value();
}

} // namespace ndr::agent
