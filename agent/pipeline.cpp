// pipeline.cpp — parse → classify → attribute, and building a Pipeline from the rule directories.
#include "agent/pipeline.hpp"

#include "agent/rules_dirs.hpp"
#include "classifiers/classify.hpp"
#include "classifiers/parse.hpp"
#include "classifiers/rules/attribution.hpp"

namespace ndr::agent {

Pipeline make_pipeline_without_rules() { return Pipeline{}; }

Pipeline make_pipeline(classifiers::rules::RuleSet set) {
    Pipeline p;
    p.rules = std::make_unique<classifiers::rules::RuleSet>(std::move(set));
    p.matcher = std::make_unique<classifiers::rules::Matcher>(*p.rules);
    return p;
}

std::expected<Pipeline, std::vector<std::string>> make_pipeline(const GlobalOptions& options,
                                                                classifiers::rules::PatternCheck check) {
    classifiers::rules::LoadResult loaded = load_rule_dirs(options, check);
    if (!loaded.errors.empty()) return std::unexpected(std::move(loaded.errors));
    return make_pipeline(std::move(loaded.set));
}

classifiers::DeliveryReport analyse(std::string_view raw, const Pipeline& pipeline) {
    classifiers::DeliveryReport report = classifiers::parse_message(raw);
    classifiers::classify(report);
    if (pipeline.matcher) classifiers::rules::attribute(report, *pipeline.matcher);
    return report;
}

} // namespace ndr::agent
