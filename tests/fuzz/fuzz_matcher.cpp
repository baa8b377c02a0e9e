// fuzz_matcher.cpp — every shipped pattern at once over arbitrary text, then attribution of a record
// whose diagnostic and recipient are that text. The literal prefilter must change nothing: match()
// and match_every_pattern() give the same answer; and each pattern's first_match() must be RE2's own
// unanchored match, span and groups (compiled.hpp), on the texts short enough for its prefixed form.
// A difference aborts.
#include "classifiers/limits.hpp"
#include "classifiers/rules/attribution.hpp"
#include "classifiers/rules/compiled.hpp"
#include "fuzz_common.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::string shown(const ndr::classifiers::rules::MatchResult& r) {
    std::string out = r.receiver_resolver_error ? "resolver-error;" : "";
    for (const auto& h : r.hits) out += h.id + "/" + h.rule + "(" + h.listed + ")[" + h.evidence + "];";
    for (const auto& f : r.fired) out += "fired:" + f + ";";
    for (const auto& t : r.ties) out += "tie:" + t + ";";
    return out;
}

// first_match() against RE2's unanchored Match() for every shipped pattern.
void check_first_match(std::string_view text) {
    for (const auto& p : ndr::fuzz::shipped_rules().compiled->patterns) {
        const RE2& re = p.re();
        if (!re.ok()) continue;
        const int n = re.NumberOfCapturingGroups() + 1;
        std::vector<re2::StringPiece> a(static_cast<std::size_t>(n)), b(static_cast<std::size_t>(n));
        const bool got = p.first_match(text, a.data(), n);
        if (got != re.Match(text, 0, text.size(), RE2::UNANCHORED, b.data(), n)) std::abort();
        if (!got) continue;
        for (int i = 0; i < n; ++i)
            if (a[static_cast<std::size_t>(i)].data() != b[static_cast<std::size_t>(i)].data() ||
                a[static_cast<std::size_t>(i)].size() != b[static_cast<std::size_t>(i)].size())
                std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto& matcher = ndr::fuzz::shipped_matcher();
    if (shown(matcher.match(text)) != shown(matcher.match_every_pattern(text))) std::abort();
    if (text.size() <= 2048) check_first_match(text);
    ndr::classifiers::DeliveryReport report;
    auto& rec = report.recipients.emplace_back();
    rec.diagnostic = std::string(text);
    rec.final_recipient = std::string(text.substr(0, 64));
    ndr::classifiers::rules::attribute(report, matcher);
    // attribute() (Matcher::match_masked()) skips the masking when nothing can match, and reuses the
    // unmasked text's candidates when masking changed nothing: the same answer as matching the masked
    // text.
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
