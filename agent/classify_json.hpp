// classify_json.hpp — the JSON object `classify --json` prints for one recipient record (or for a
// message without records), shared with the fixture tests so they check exactly what users see.
//
// Every string from the NDR goes through sanitise(): the object holds valid UTF-8 only, no control
// characters, no terminal escapes, no bidi overrides.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "classifiers/report.hpp"

namespace ndr::agent {

// Appends the record's object as one line of JSON (no newline), keys in name order, as
// nlohmann::json::dump() would print it. Written directly (no JSON tree): this is the per-record cost
// of `classify --json`. r == nullptr: the message has no records (its kind, and recipient null).
void append_record_json(std::string& out, const std::string& source, std::size_t index,
                        const classifiers::DeliveryReport& report, const classifiers::RecipientRecord* r);

// The same object as a JSON value (parsed from append_record_json's text).
nlohmann::json record_json(const std::string& source, std::size_t index, const classifiers::DeliveryReport& report,
                           const classifiers::RecipientRecord* r);

} // namespace ndr::agent
