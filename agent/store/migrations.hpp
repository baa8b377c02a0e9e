// migrations.hpp — the schema as a list of forward migrations; migration N brings version N-1 to N.
// Never edit a released migration: add one. Described table by table in agent/store/schema.md.
#pragma once

#include <span>
#include <string_view>

namespace ndr::agent::store {

struct Migration {
    int version;
    std::string_view description;
    std::string_view sql; // several statements, run in one transaction with the version row
};

// Ascending by version, 1..k_schema_version without gaps.
std::span<const Migration> migrations();

} // namespace ndr::agent::store
