// classify_json.cpp — one `classify --json` object per record. See classify_json.hpp.
#include "agent/classify_json.hpp"

#include "classifiers/text.hpp"

namespace ndr::agent {
namespace {

using classifiers::sanitise;
using nlohmann::json;

json str_or_null(std::string_view s, std::size_t cap = 512) {
    if (s.empty()) return nullptr;
    return sanitise(s, cap);
}

} // namespace

json record_json(const std::string& source, std::size_t index, const classifiers::DeliveryReport& rep,
                 const classifiers::RecipientRecord* r) {
    json j;
    j["source"] = sanitise(source, 1024);
    j["message"] = index;
    j["kind"] = std::string(to_string(rep.kind));
    j["recipient"] = r ? str_or_null(r->final_recipient) : json(nullptr);
    j["original_recipient"] = r ? str_or_null(r->original_recipient) : json(nullptr);
    j["action"] = r ? str_or_null(to_string(r->action)) : json(nullptr);
    j["status"] = r ? str_or_null(r->status, 16) : json(nullptr);
    j["reply_code"] = r && r->reply_code != 0 ? json(r->reply_code) : json(nullptr);
    j["reason"] = r ? json(std::string(to_string(r->verdict.reason))) : json(nullptr);
    j["hard"] = r ? r->verdict.hard : false;
    j["diagnostic"] = r ? str_or_null(r->diagnostic, 4096) : json(nullptr);
    j["remote_mta"] = r ? str_or_null(r->remote_mta) : json(nullptr);
    j["reporting_mta"] = str_or_null(rep.reporting_mta);
    j["format"] = str_or_null(r && !r->format.empty() ? std::string_view(r->format) : std::string_view(rep.format));
    json lists = json::array();
    if (r)
        for (const auto& h : r->verdict.lists)
            lists.push_back({{"id", sanitise(h.id, 128)},
                             {"listed", str_or_null(h.listed, 256)},
                             {"rule", sanitise(h.rule, 128)},
                             {"evidence", sanitise(h.evidence, 1024)}});
    j["lists"] = std::move(lists);
    j["provider"] = r ? str_or_null(r->verdict.provider, 128) : json(nullptr);
    j["receiver_resolver_error"] = r ? r->verdict.receiver_resolver_error : false;
    json anomalies = json::array();
    for (const auto& a : rep.anomalies) anomalies.push_back(sanitise(a, 64));
    j["anomalies"] = std::move(anomalies);
    return j;
}

} // namespace ndr::agent
