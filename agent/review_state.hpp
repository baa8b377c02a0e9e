// review_state.hpp — what the review commands (`incidents`, `drafts`) open: the configuration, the
// existing state database (never created by them) and, when they load, the rules.
#pragma once

#include "agent/commands.hpp"
#include "agent/config.hpp"
#include "agent/global_options.hpp"
#include "agent/pipeline.hpp"
#include "agent/store/store.hpp"
#include "classifiers/text.hpp"

#include <iostream>
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

// A CLI11 callback for one review subcommand: opens the review state, runs fn, and turns an exception
// (a database error) into exit code 3 with "ndr-triage COMMAND: PATH: message".
template <class Args>
auto review_callback(CommandContext& ctx, std::shared_ptr<Args> args, const char* command,
                     int (*fn)(ReviewState&, const Args&)) {
    return [&ctx, args, command, fn] {
        auto st = open_review_state(ctx.global, args->state, command);
        if (!st) {
            ctx.exit_code = st.error();
            return;
        }
        try {
            ctx.exit_code = fn(*st, *args);
        } catch (const std::exception& e) {
            std::cerr << "ndr-triage " << command << ": " << st->path << ": "
                      << classifiers::sanitise(e.what()) << "\n";
            ctx.exit_code = 3;
        }
    };
}

} // namespace ndr::agent
