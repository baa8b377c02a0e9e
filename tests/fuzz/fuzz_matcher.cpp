// fuzz_matcher.cpp — every shipped pattern at once over arbitrary text, then attribution of a record
// whose diagnostic and recipient are that text. The literal prefilter must change nothing: match()
// and match_every_pattern() give the same answer (checked, a difference aborts).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/rules/attribution.hpp"

namespace {

std::string shown(const ndr::classifiers::rules::MatchResult& r) {
    std::string out = r.receiver_resolver_error ? "resolver-error;" : "";
    for (const auto& h : r.hits) out += h.id + "/" + h.rule + "(" + h.listed + ")[" + h.evidence + "];";
    for (const auto& f : r.fired) out += "fired:" + f + ";";
    for (const auto& t : r.ties) out += "tie:" + t + ";";
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto& matcher = ndr::fuzz::shipped_matcher();
    if (shown(matcher.match(text)) != shown(matcher.match_every_pattern(text))) std::abort();
    ndr::classifiers::DeliveryReport report;
    auto& rec = report.recipients.emplace_back();
    rec.diagnostic = std::string(text);
    rec.final_recipient = std::string(text.substr(0, 64));
    ndr::classifiers::rules::attribute(report, matcher);
    // attribute() skips the masking when may_match() says nothing can match: the same answer as
    // matching the masked text.
    const std::string_view capped = text.substr(0, std::min(text.size(), ndr::classifiers::k_max_match_text_bytes));
    const auto want = matcher.match(ndr::classifiers::rules::mask_sender_controlled(
        capped, {rec.final_recipient, rec.original_recipient}));
    if (want.receiver_resolver_error != rec.verdict.receiver_resolver_error ||
        want.hits.size() != rec.verdict.lists.size())
        std::abort();
    for (std::size_t i = 0; i < want.hits.size(); ++i)
        if (want.hits[i].id != rec.verdict.lists[i].id || want.hits[i].evidence != rec.verdict.lists[i].evidence)
            std::abort();
    return 0;
}
