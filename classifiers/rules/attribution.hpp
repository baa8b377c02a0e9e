// attribution.hpp — fills each record's Verdict.lists, provider and receiver_resolver_error from the
// text the remote or reporting server generated (Diagnostic-Code, the rejection lines of the
// human-readable part). Sender-controlled text (recipient local parts, quoted subjects, the
// returned original) is masked or never looked at.
#pragma once

#include "classifiers/report.hpp"
#include "classifiers/rules/matcher.hpp"

namespace ndr::classifiers::rules {

void attribute(DeliveryReport& report, const Matcher& matcher);

} // namespace ndr::classifiers::rules
