// compiled.hpp — the rule patterns compiled once. The loader compiles each pattern into one
// re2::FilteredRE2 to check it (compiles, does not match the empty string, named groups) and keeps
// that compilation in the RuleSet; the first Matcher built over the set takes it over instead of
// compiling every pattern a second time (RE2 compilation is most of the start-up cost of the rules).
#pragma once

#include "classifiers/limits.hpp"

#include <atomic>
#include <re2/filtered_re2.h>
#include <re2/re2.h>

namespace ndr::classifiers::rules {

// FilteredRE2 drops atoms shorter than this: shorter literals would make most patterns candidates.
inline constexpr int k_min_atom_len = 3;

// The options every rule pattern is compiled with (matched case-insensitively, bounded memory).
inline RE2::Options pattern_options() {
    RE2::Options o;
    o.set_case_sensitive(false);
    o.set_log_errors(false);
    o.set_max_mem(k_max_rule_pattern_mem);
    return o;
}

struct CompiledPatterns {
    // Pattern::compiled_id indexes this filter. Ids of patterns an override replaced stay in it unused.
    re2::FilteredRE2 filter{k_min_atom_len};
    // Set by the Matcher that took the filter over (FilteredRE2::Compile runs once); later matchers
    // over the same set compile their own.
    std::atomic<bool> taken{false};
};

} // namespace ndr::classifiers::rules
