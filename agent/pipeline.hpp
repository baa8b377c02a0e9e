// pipeline.hpp — the analysis every command runs on one message: parse → classify → attribute.
//
// A Pipeline owns the loaded rule set and its matcher (both immovable once built: the matcher keeps a
// reference to the set). Built once per process from the global options; analyse() is then pure and
// may be called from several threads at once.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/global_options.hpp"
#include "classifiers/report.hpp"
#include "classifiers/rules/loader.hpp"
#include "classifiers/rules/matcher.hpp"
#include "classifiers/rules/model.hpp"

namespace ndr::agent {

struct Pipeline {
    std::unique_ptr<classifiers::rules::RuleSet> rules;     // null: no attribution (--no-rules)
    std::unique_ptr<classifiers::rules::Matcher> matcher;   // built over *rules

    bool attributes() const { return matcher != nullptr; }
};

// A pipeline without attribution.
Pipeline make_pipeline_without_rules();

// A pipeline over an already loaded rule set (tests load the source tree's rules.d themselves).
Pipeline make_pipeline(classifiers::rules::RuleSet set);

// Loads the rule directories named by the options (agent/rules_dirs.hpp). Every load error, as
// "file:line: message", when the set is unusable. By default the patterns are parsed and each is
// compiled when a message first needs it (classifiers/rules/compiled.hpp); the service passes
// PatternCheck::compile, so that a pattern too large for RE2 stops it at start or reload, as any
// other rule error does, instead of showing up later as "attribution-pattern-failed".
std::expected<Pipeline, std::vector<std::string>> make_pipeline(
    const GlobalOptions& options, classifiers::rules::PatternCheck check = classifiers::rules::PatternCheck::parse);

// parse_message → classify → attribute (when the pipeline has rules). Never throws on bad input.
classifiers::DeliveryReport analyse(std::string_view raw, const Pipeline& pipeline);

} // namespace ndr::agent
