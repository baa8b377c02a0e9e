// test_agent_lazy_rules.cpp — agent/lazy_rules: the rule metadata a rescan uses instead of compiling
// the rules gives the report exactly what the loaded set gives, and the set is compiled only on use.
#include "agent/lazy_rules.hpp"
#include "agent/triage_report.hpp"

#include <doctest/doctest.h>

using namespace ndr::agent;
namespace rules = ndr::classifiers::rules;

namespace {

GlobalOptions shipped_only() {
    GlobalOptions o;
    o.no_site_rules = true;
    o.shipped_rules_dir = NDR_SOURCE_RULES_DIR;
    return o;
}

} // namespace

TEST_CASE("lazy rules: the cached metadata gives every shipped list the same report fields and next step") {
    auto loaded = load_rule_dirs(shipped_only());
    REQUIRE(loaded.errors.empty());
    REQUIRE(loaded.set.lists.size() > 10);
    const auto meta = rule_metadata_from_json(rule_metadata_json(loaded.set));
    REQUIRE(meta.has_value());
    REQUIRE(meta->lists.size() == loaded.set.lists.size());
    store::IncidentSummary incident;
    incident.listed = "192.0.2.1";
    incident.records = 2;
    for (const auto& full : loaded.set.lists) {
        CAPTURE(full.id);
        const auto* m = meta->find(full.id);
        REQUIRE(m != nullptr);
        CHECK(m->name == full.name);
        CHECK(m->kind == full.kind);
        CHECK(m->defunct == full.defunct);
        CHECK(m->fix_first == full.fix_first);
        const auto a = next_step_for(incident, &full);
        const auto b = next_step_for(incident, m);
        CHECK(a.action == b.action);
        CHECK(a.text == b.text);
        CHECK(a.url == b.url);
        CHECK(a.address == b.address);
        CHECK(a.expiry_hours == b.expiry_hours);
        CHECK(a.fix_first == b.fix_first);
        CHECK(a.checklist == b.checklist);
    }
}

TEST_CASE("lazy rules: unusable metadata is refused") {
    CHECK_FALSE(rule_metadata_from_json("").has_value());
    CHECK_FALSE(rule_metadata_from_json("[]").has_value());
    CHECK_FALSE(rule_metadata_from_json(R"({"version":99,"lists":[]})").has_value());
    CHECK_FALSE(rule_metadata_from_json(R"({"version":1,"lists":[{"id":"x"}]})").has_value());
    CHECK(rule_metadata_from_json(R"({"version":1,"lists":[]})").has_value());
}

TEST_CASE("lazy rules: with cached metadata nothing is compiled until the pipeline is asked for") {
    auto files = read_rule_dirs(shipped_only());
    REQUIRE(files.errors.empty());
    const auto key = rule_files_key(files);
    CHECK(key.size() == 64);
    CHECK(rule_files_key(files) == key);
    auto changed = files;
    changed.shipped.at(0).text += "\n# changed\n";
    CHECK(rule_files_key(changed) != key);

    LazyRules with_cache(files, key);
    auto loaded = load_rule_files(files);
    REQUIRE(with_cache.use_metadata(rule_metadata_json(loaded.set)));
    CHECK_FALSE(with_cache.compiled());
    REQUIRE(with_cache.metadata() != nullptr);
    CHECK(with_cache.metadata()->find("spamhaus-zen") != nullptr);
    CHECK_FALSE(with_cache.compiled());
    CHECK(with_cache.pipeline().attributes());
    CHECK(with_cache.compiled());
    CHECK(with_cache.metadata() == with_cache.pipeline().rules.get());

    LazyRules broken(RuleDirFiles{{{"bad.toml", "name = \n"}}, {}, {}}, "k");
    CHECK_FALSE(broken.load().has_value());
    CHECK_THROWS_AS(broken.pipeline(), std::runtime_error);
    CHECK_FALSE(broken.compiled());
}
