// fuzz_matcher.cpp — every shipped pattern at once over arbitrary text, then attribution of a record
// whose diagnostic and recipient are that text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "classifiers/rules/attribution.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto& matcher = ndr::fuzz::shipped_matcher();
    (void)matcher.match(text);
    ndr::classifiers::DeliveryReport report;
    auto& rec = report.recipients.emplace_back();
    rec.diagnostic = std::string(text);
    rec.final_recipient = std::string(text.substr(0, 64));
    ndr::classifiers::rules::attribute(report, matcher);
    return 0;
}
