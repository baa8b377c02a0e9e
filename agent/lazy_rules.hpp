// lazy_rules.hpp — the rule set of one scan, compiled only when something needs the patterns.
//
// A rescan with nothing new needs no pattern: the report only shows each incident's list metadata
// (name, kind, defunct, fix-first, removal), and the incident step is skipped when nothing it reads
// has changed. So the rule files are read (cheap) and keyed (rule_files_key); when the state
// database holds the metadata of a set loaded from exactly these files, that metadata stands in
// for the set until a message needs analysis or the incident step needs the full set.
//
// Threads: pipeline() may be called from the analysis thread while the calling thread calls
// metadata() or load() (all guarded by one mutex).
#pragma once

#include "agent/pipeline.hpp"
#include "agent/rules_dirs.hpp"
#include "classifiers/rules/model.hpp"

#include <expected>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::agent {

// The report's fields of every list (id, name, kind, defunct, fix-first, removal) as JSON, and back
// (nullopt when the text is not such a document). Other fields come back empty.
std::string rule_metadata_json(const classifiers::rules::RuleSet& set);
std::optional<classifiers::rules::RuleSet> rule_metadata_from_json(std::string_view text);

class LazyRules {
  public:
    // `key`: rule_files_key(files).
    LazyRules(RuleDirFiles files, std::string key);

    const std::string& key() const { return m_key; }
    // Uses this metadata (what the state database holds for key(), rule_metadata_json) until the set
    // is loaded; false when the text is unusable.
    bool use_metadata(std::string_view cached_metadata);
    // Loads and compiles now (at most once). Every load error ("file:line: message") when unusable.
    std::expected<const Pipeline*, std::vector<std::string>> load();
    // The compiled pipeline (load() on first use; throws std::runtime_error when the set is unusable).
    const Pipeline& pipeline();
    // The rule metadata for the report: the loaded set when there is one, else the cached metadata.
    const classifiers::rules::RuleSet* metadata();
    // Whether the patterns were compiled in this process.
    bool compiled();

  private:
    std::mutex m_mutex;
    RuleDirFiles m_files;
    std::string m_key;
    std::optional<classifiers::rules::RuleSet> m_metadata;
    std::optional<Pipeline> m_pipeline;
    std::vector<std::string> m_errors;
};

} // namespace ndr::agent
