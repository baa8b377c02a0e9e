// report.cpp — names for Kind and Action, anomaly bookkeeping.
#include "classifiers/report.hpp"

#include <algorithm>

namespace ndr::classifiers {

std::string_view to_string(Kind k) {
    switch (k) {
    case Kind::failed: return "failed";
    case Kind::delayed: return "delayed";
    case Kind::delivered: return "delivered";
    case Kind::relayed: return "relayed";
    case Kind::expanded: return "expanded";
    case Kind::auto_reply: return "auto-reply";
    case Kind::feedback: return "feedback";
    case Kind::not_ndr: return "not-ndr";
    }
    return "not-ndr";
}

std::string_view to_string(Action a) {
    switch (a) {
    case Action::none: return "";
    case Action::failed: return "failed";
    case Action::delayed: return "delayed";
    case Action::delivered: return "delivered";
    case Action::relayed: return "relayed";
    case Action::expanded: return "expanded";
    }
    return "";
}

// Anomalies are a set: each name once, in order of first occurrence; the count is bounded by the
// number of distinct names the parsers use.
void DeliveryReport::add_anomaly(std::string_view name) {
    if (!has_anomaly(name)) anomalies.emplace_back(name);
}

bool DeliveryReport::has_anomaly(std::string_view name) const {
    return std::find(anomalies.begin(), anomalies.end(), name) != anomalies.end();
}

} // namespace ndr::classifiers
