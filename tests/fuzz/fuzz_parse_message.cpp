// fuzz_parse_message.cpp — the whole classify path on arbitrary bytes: parse, classify, attribute
// against the shipped rules. Any crash, hang, leak or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.hpp"
#include "classifiers/classify.hpp"
#include "classifiers/parse.hpp"
#include "classifiers/rules/attribution.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    for (auto msg : ndr::classifiers::split_mbox(in)) {
        auto report = ndr::classifiers::parse_message(msg);
        ndr::classifiers::classify(report);
        ndr::classifiers::rules::attribute(report, ndr::fuzz::shipped_matcher());
    }
    return 0;
}
