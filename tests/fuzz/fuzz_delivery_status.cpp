// fuzz_delivery_status.cpp — the RFC 3464/6533 delivery-status field parser on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "classifiers/dsn.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ndr::classifiers::DeliveryReport report;
    ndr::classifiers::parse_delivery_status(std::string_view(reinterpret_cast<const char*>(data), size), report);
    return 0;
}
