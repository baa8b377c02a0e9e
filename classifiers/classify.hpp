// classify.hpp — the reason classifier: fills each record's Verdict (reason, hard, temporary) from its
// status, reply code, diagnostic text and the report's kind and format.
//
// Patterns live in classifiers/reasons/ with the source of each text beside it; precedence is explicit
// (see reasons/table.cpp) and tested for ties. Linear in the text; never throws.
#pragma once

#include "classifiers/report.hpp"

namespace ndr::classifiers {

void classify(DeliveryReport& report);

} // namespace ndr::classifiers
