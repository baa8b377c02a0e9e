// fuzz_vendor_formats.cpp — the vendor-format modules on the MIME tree of arbitrary bytes, without
// the RFC 3464 pass in front of them (so every module sees inputs a DSN part would have claimed).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "classifiers/formats/format.hpp"
#include "classifiers/mime.hpp"
#include "classifiers/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto text = ndr::classifiers::normalise_newlines(std::string_view(reinterpret_cast<const char*>(data), size));
    auto msg = ndr::classifiers::parse_mime(text);
    ndr::classifiers::DeliveryReport report;
    ndr::classifiers::formats::apply_vendor_formats(msg, report);
    return 0;
}
