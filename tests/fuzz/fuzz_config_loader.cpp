// fuzz_config_loader.cpp — the agent.toml loader on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)ndr::agent::parse_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
    return 0;
}
