// review_state.hpp — what the review commands (`incidents`, `drafts`) open: the configuration, the
// existing state database (never created by them) and, when they load, the rules.
#pragma once

#include "agent/config.hpp"
#include "agent/global_options.hpp"
#include "agent/pipeline.hpp"
#include "agent/store/store.hpp"

#include <memory>
#include <string>

namespace ndr::agent {

struct ReviewState {
    Config config;
    std::string path;
    std::unique_ptr<store::Store> db;
    std::unique_ptr<Pipeline> pipeline; // null when the rules do not load (advice is then poorer)
    const classifiers::rules::RuleSet* rules() const { return pipeline ? pipeline->rules.get() : nullptr; }
};

// Errors are printed as "ndr-triage COMMAND: ..."; the int is the exit code (2 no database, 3 config
// or database error).
std::expected<ReviewState, int> open_review_state(const GlobalOptions& global, const std::string& state_flag,
                                                  std::string_view command);

} // namespace ndr::agent
