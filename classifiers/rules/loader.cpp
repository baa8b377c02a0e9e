// loader.cpp — builds a RuleSet from rules.d texts with toml++, checking the schema of rules.d/README.md.
//
// Input trust: rule files are configuration, trusted to say what the admin meant but not to be well
// formed; the fuzzer feeds this garbage. Every problem becomes one "file:line: message" and loading goes
// on, so all errors are reported at once. toml++ throws: its exceptions are caught in parse_table() (the
// one adapter) and nothing escapes load_rules(). Limits: k_max_rule_file_bytes per file,
// k_max_rule_pattern_mem per compiled pattern (limits.hpp).
//
// Patterns: PatternCheck::compile compiles each with RE2 (syntax, size, empty string, named groups).
// PatternCheck::parse has RE2 parse it only (parses(): syntax), reads it with regex_summary.hpp (named
// groups, the empty string), and compiles it only when the reader cannot rule out the empty string; the
// matcher compiles the rest on first use (compiled.hpp says what a pattern too large for RE2 does then).
// Measured on the shipped rules (131 patterns): compiling them all cost 145M instructions, parsing them
// case-sensitively 10M and reading them 9M.
#include "classifiers/rules/loader.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/rules/compiled.hpp"
#include "classifiers/rules/listed.hpp"
#include "classifiers/rules/regex_summary.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <re2/re2.h>
#include <re2/set.h>
#include <set>
#include <toml++/toml.h>
#include <utility>

namespace ndr::classifiers::rules {

namespace {

struct Where {
    std::string file;
    int line = 1;
};

struct Diagnostic {
    std::string file;
    int line = 1;
    std::string message;
};

// One file being decoded: where its errors go.
class Reporter {
  public:
    Reporter(std::vector<Diagnostic>& errors, std::string file) : m_errors(errors), m_file(std::move(file)) {}

    void error(int line, const std::string& message) { m_errors.push_back({m_file, line > 0 ? line : 1, message}); }
    void error(const toml::node& node, const std::string& message) { error(line_of(node), message); }
    const std::string& file() const { return m_file; }
    static int line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

  private:
    std::vector<Diagnostic>& m_errors;
    std::string m_file;
};

// The one adapter around toml++'s exceptions.
std::optional<toml::table> parse_table(const RuleFile& file, Reporter& out) {
    if (file.text.size() > k_max_rule_file_bytes) {
        out.error(1, "file is larger than " + std::to_string(k_max_rule_file_bytes) + " bytes");
        return std::nullopt;
    }
    try {
        return toml::parse(file.text, file.path);
    } catch (const toml::parse_error& e) {
        out.error(static_cast<int>(e.source().begin.line), std::string(e.description()));
    } catch (const std::exception& e) {
        out.error(1, std::string("cannot parse: ") + e.what());
    }
    return std::nullopt;
}

// Reads the keys of one TOML table, reporting wrong types and unknown keys.
class TableReader {
  public:
    TableReader(const toml::table& table, Reporter& out, std::string context)
        : m_table(table), m_out(out), m_context(std::move(context)) {}

    // Reports every key not read through this reader (call once, after all reads).
    void finish() {
        for (auto&& [key, node] : m_table)
            if (!m_known.count(std::string(key.str())))
                m_out.error(node, "unknown key '" + std::string(key.str()) + "'" + where());
    }

    const toml::node* node(std::string_view key) {
        m_known.insert(std::string(key));
        return m_table.get(key);
    }

    bool has(std::string_view key) const { return m_table.contains(key); }

    void missing(std::string_view key) { m_out.error(table_line(), "missing required key '" + std::string(key) + "'" + where()); }

    // Each read returns true when the key is present with the right type (and stores it).
    bool string(std::string_view key, std::string& value, bool required = false) {
        const toml::node* n = node(key);
        if (!n) {
            if (required) missing(key);
            return false;
        }
        if (auto* s = n->as_string()) {
            value = s->get();
            return true;
        }
        type_error(*n, key, "a string");
        return false;
    }

    bool boolean(std::string_view key, bool& value) {
        const toml::node* n = node(key);
        if (!n) return false;
        if (auto* b = n->as_boolean()) {
            value = b->get();
            return true;
        }
        type_error(*n, key, "true or false");
        return false;
    }

    bool integer(std::string_view key, int& value, std::int64_t low, std::int64_t high) {
        const toml::node* n = node(key);
        if (!n) return false;
        auto* i = n->as_integer();
        if (!i || i->get() < low || i->get() > high) {
            type_error(*n, key, "an integer from " + std::to_string(low) + " to " + std::to_string(high));
            return false;
        }
        value = static_cast<int>(i->get());
        return true;
    }

    bool strings(std::string_view key, std::vector<std::string>& value, bool required = false) {
        const toml::node* n = node(key);
        if (!n) {
            if (required) missing(key);
            return false;
        }
        auto* a = n->as_array();
        if (!a) {
            type_error(*n, key, "an array of strings");
            return false;
        }
        std::vector<std::string> items;
        bool ok = true;
        for (const toml::node& el : *a) {
            if (auto* s = el.as_string())
                items.push_back(s->get());
            else {
                type_error(el, key, "an array of strings");
                ok = false;
            }
        }
        if (ok) value = std::move(items);
        return ok;
    }

    const toml::table* table(std::string_view key, bool required = false) {
        const toml::node* n = node(key);
        if (!n) {
            if (required) missing(key);
            return nullptr;
        }
        if (auto* t = n->as_table()) return t;
        type_error(*n, key, "a table");
        return nullptr;
    }

    // An array of tables ([[key]] or key = [{...}]); nullopt when absent or mistyped.
    std::optional<std::vector<const toml::table*>> tables(std::string_view key, bool required = false) {
        const toml::node* n = node(key);
        if (!n) {
            if (required) missing(key);
            return std::nullopt;
        }
        auto* a = n->as_array();
        if (!a) {
            type_error(*n, key, "an array of tables");
            return std::nullopt;
        }
        std::vector<const toml::table*> items;
        bool ok = true;
        for (const toml::node& el : *a) {
            if (auto* t = el.as_table())
                items.push_back(t);
            else {
                type_error(el, key, "an array of tables");
                ok = false;
            }
        }
        if (!ok) return std::nullopt;
        return items;
    }

    void type_error(const toml::node& n, std::string_view key, const std::string& want) {
        m_out.error(n, "key '" + std::string(key) + "' must be " + want + where());
    }
    void value_error(std::string_view key, const std::string& message) {
        const toml::node* n = m_table.get(key);
        m_out.error(n ? Reporter::line_of(*n) : table_line(), "key '" + std::string(key) + "': " + message + where());
    }
    int line_of(std::string_view key) const {
        const toml::node* n = m_table.get(key);
        return n ? Reporter::line_of(*n) : table_line();
    }
    int table_line() const { return Reporter::line_of(m_table); }
    Reporter& out() { return m_out; }

  private:
    std::string where() const { return m_context.empty() ? std::string() : " in " + m_context; }

    const toml::table& m_table;
    Reporter& m_out;
    std::string m_context;
    std::set<std::string> m_known;
};

template <typename E, std::size_t N>
bool parse_enum(TableReader& r, std::string_view key, E& value, const std::pair<std::string_view, E> (&names)[N],
                bool required = false) {
    std::string text;
    if (!r.string(key, text, required)) return false;
    for (const auto& [name, e] : names)
        if (text == name) {
            value = e;
            return true;
        }
    std::string allowed;
    for (const auto& [name, e] : names) allowed += (allowed.empty() ? "" : " | ") + std::string(name);
    r.value_error(key, "'" + text + "' is not one of " + allowed);
    return false;
}

constexpr std::pair<std::string_view, ListKind> k_kinds[] = {
    {"ip-dnsbl", ListKind::ip_dnsbl},
    {"domain-dnsbl", ListKind::domain_dnsbl},
    {"reputation-service", ListKind::reputation_service},
    {"provider-internal", ListKind::provider_internal},
};
constexpr std::pair<std::string_view, QueryForm> k_forms[] = {
    {"ipv4", QueryForm::ipv4}, {"ipv6", QueryForm::ipv6}, {"domain", QueryForm::domain}};
constexpr std::pair<std::string_view, CodeOutcome> k_outcomes[] = {
    {"listed", CodeOutcome::listed}, {"error", CodeOutcome::error}, {"allow", CodeOutcome::allow}};
constexpr std::pair<std::string_view, RemovalMethod> k_methods[] = {
    {"form", RemovalMethod::form},   {"email", RemovalMethod::email},       {"expiry", RemovalMethod::expiry},
    {"none", RemovalMethod::none},   {"provider", RemovalMethod::provider},
};

bool valid_id(std::string_view id, bool allow_dot) {
    if (id.empty() || id.size() > 64) return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || (allow_dot && c == '.')))
            return false;
    return true;
}

// A list being built, with where its cross-checked keys were last set.
struct Entry {
    Blocklist list;
    Where defunct_at;
    Where method_at;
    Where needs_key_at;
};

Zone decode_zone(const toml::table& t, Reporter& out) {
    TableReader r(t, out, "[[dns.zone]]");
    Zone z;
    if (r.string("name", z.name, true) && normalise_domain(z.name).empty())
        r.value_error("name", "'" + z.name + "' is not a DNS zone name");
    std::vector<std::string> forms;
    if (r.strings("query", forms, true)) {
        if (forms.empty()) r.value_error("query", "must name at least one of ipv4 | ipv6 | domain");
        for (const auto& f : forms) {
            auto it = std::find_if(std::begin(k_forms), std::end(k_forms), [&](const auto& p) { return p.first == f; });
            if (it == std::end(k_forms))
                r.value_error("query", "'" + f + "' is not one of ipv4 | ipv6 | domain");
            else if (std::find(z.forms.begin(), z.forms.end(), it->second) == z.forms.end())
                z.forms.push_back(it->second);
        }
    }
    r.boolean("registered_domain", z.registered_domain);
    if (r.string("keyed_name", z.keyed_name) && !z.keyed_name.empty() && normalise_domain(z.keyed_name).empty())
        r.value_error("keyed_name", "'" + z.keyed_name + "' is not a DNS zone name");
    r.finish();
    return z;
}

ReturnCode decode_code(const toml::table& t, Reporter& out, bool bitmask) {
    TableReader r(t, out, "[[dns.code]]");
    ReturnCode c;
    c.file = out.file();
    c.line = r.table_line();
    bool cidr = false;
    bool have_code = r.string("code", c.code, true);
    if (have_code && !is_ipv4_or_cidr(c.code, &cidr))
        r.value_error("code", "'" + c.code + "' is not an IPv4 address or CIDR network");
    r.string("meaning", c.meaning, true);
    parse_enum(r, "outcome", c.outcome, k_outcomes);
    if (have_code && cidr && c.outcome != CodeOutcome::error)
        r.value_error("code", "a CIDR network is allowed only with outcome = \"error\"");
    if (r.string("sublist", c.sublist) && !c.sublist.empty() && !valid_id(c.sublist, false))
        r.value_error("sublist", "'" + c.sublist + "' is not a list id");
    r.boolean("fix_first", c.fix_first);
    if (r.boolean("bit", c.bit) && c.bit && !bitmask) r.value_error("bit", "needs dns.bitmask = true");
    r.finish();
    return c;
}

// Whether RE2 parses the pattern: RE2::Set::Add() parses without compiling, and case-sensitively
// (RE2's parser spends most of its time building the case variants of every letter, which do not
// change what parses; fuzz_rule_loader checks this against the full compilation).
bool parses(const std::string& regex) {
    RE2::Options o = pattern_options();
    o.set_case_sensitive(true);
    RE2::Set set(o, RE2::UNANCHORED);
    return set.Add(regex, nullptr) >= 0;
}

// RE2 options that parse a pattern as pattern_options() does but leave no budget for its program: the
// compilation stops at once with ErrorPatternTooLarge, so the RE2 costs a parse (and named groups) and
// nothing more. For the patterns the reader gives up on.
RE2::Options probe_options() {
    RE2::Options o = pattern_options();
    o.set_max_mem(256); // two thirds of it go to the program, less than an empty re2::Prog
    return o;
}

// Checks the pattern as PatternCheck says and adds it to `patterns` (p.compiled_id) when usable.
void check_pattern(Pattern& p, TableReader& r, CompiledPatterns& patterns, PatternCheck check) {
    std::unique_ptr<RE2> re;
    std::optional<RegexSummary> summary;
    std::optional<RE2> probe;
    // Compiles the pattern and tests it on the empty string; false when RE2 rejects it.
    auto compile = [&] {
        re = std::make_unique<RE2>(p.regex, pattern_options());
        if (!re->ok()) {
            r.value_error("pattern", "does not compile in RE2: " + re->error());
            return false;
        }
        if (RE2::PartialMatch("", *re)) r.value_error("pattern", "matches the empty string");
        return true;
    };
    std::set<std::string> names; // the named groups, as the reader found them
    if (check == PatternCheck::parse) {
        if (!parses(p.regex)) {
            // A syntax error: its message as the full compilation words it (error path only).
            r.value_error("pattern", "does not compile in RE2: " + RE2(p.regex, pattern_options()).error());
            return;
        }
        summary = summarise_regex(p.regex, pattern_summary_options());
        // When the reader cannot rule out the empty string, RE2 itself answers (and the matcher keeps
        // that compilation).
        if (!summary->never_empty && !compile()) return;
        if (summary->understood)
            names.insert(summary->group_names.begin(), summary->group_names.end());
        else if (!re)
            probe.emplace(p.regex, probe_options());
    } else if (!compile()) {
        return;
    }
    if (probe || re)
        for (const auto& [name, index] : (probe ? *probe : *re).NamedCapturingGroups())
            names.insert(name);
    const std::set<std::string>* groups = &names;
    if (!p.listed.empty() && !groups->count(p.listed))
        r.value_error("pattern",
                      "listed = \"" + p.listed + "\" but the pattern has no group (?P<" + p.listed + ">...)");
    for (const std::string& name : *groups)
        if (name != "ip" && name != "domain")
            r.value_error("pattern", "unknown named group '" + name + "' (only ip and domain)");
    p.compiled_id = static_cast<int>(patterns.patterns.size());
    CompiledPattern& entry = patterns.patterns.emplace_back(p.regex);
    if (re) entry.set_re(std::move(re));
    if (summary) entry.set_summary(std::move(*summary));
}

Pattern decode_pattern(const toml::table& t, Reporter& out, CompiledPatterns& patterns, PatternCheck check) {
    TableReader r(t, out, "[[match]]");
    Pattern p;
    p.file = out.file();
    p.line = r.table_line();
    if (r.string("id", p.id, true) && !valid_id(p.id, true))
        r.value_error("id", "'" + p.id + "' must be 1..64 characters of a-z 0-9 - _ .");
    r.integer("priority", p.priority, 0, 100);
    bool have_pattern = r.string("pattern", p.regex, true);
    if (r.string("listed", p.listed) && p.listed != "" && p.listed != "ip" && p.listed != "domain")
        r.value_error("listed", "'" + p.listed + "' is not one of \"ip\" | \"domain\" | \"\"");
    r.boolean("resolver_error", p.resolver_error);
    if (r.strings("also", p.also))
        for (const auto& id : p.also)
            if (!valid_id(id, false)) r.value_error("also", "'" + id + "' is not a list id");
    if (r.string("source", p.source, true) && p.source.empty()) r.value_error("source", "must not be empty");
    if (have_pattern) {
        if (p.regex.empty())
            r.value_error("pattern", "must not be empty");
        else
            check_pattern(p, r, patterns, check);
    }
    r.finish();
    return p;
}

Sample decode_sample(const toml::table& t, Reporter& out) {
    TableReader r(t, out, "[[sample]]");
    Sample s;
    s.file = out.file();
    s.line = r.table_line();
    r.string("text", s.text, true);
    if (auto expects = r.tables("expect", true)) {
        for (const toml::table* e : *expects) {
            TableReader er(*e, out, "sample expect");
            SampleExpect x;
            er.string("list", x.list, true);
            er.string("rule", x.rule);
            er.string("listed", x.listed);
            er.finish();
            s.expect.push_back(std::move(x));
        }
    }
    r.boolean("resolver_error", s.resolver_error);
    r.finish();
    return s;
}

void apply_dns(const toml::table& t, Entry& e, Reporter& out) {
    TableReader r(t, out, "[dns]");
    QueryPolicy& p = e.list.policy;
    r.boolean("bitmask", p.bitmask);
    if (r.boolean("needs_key", p.needs_key)) e.needs_key_at = {out.file(), r.line_of("needs_key")};
    r.string("key_name", p.key_name);
    r.boolean("refuses_public_resolvers", p.refuses_public_resolvers);
    r.string("policy", p.note);
    if (auto zones = r.tables("zone", false)) {
        e.list.zones.clear();
        for (const toml::table* z : *zones) e.list.zones.push_back(decode_zone(*z, out));
    }
    if (auto codes = r.tables("code", false)) {
        e.list.codes.clear();
        std::set<std::string> seen;
        for (const toml::table* c : *codes) {
            ReturnCode code = decode_code(*c, out, p.bitmask);
            if (!code.code.empty() && !seen.insert(code.code).second)
                out.error(code.line, "duplicate code '" + code.code + "' in [[dns.code]]");
            e.list.codes.push_back(std::move(code));
        }
    }
    r.finish();
}

void apply_removal(const toml::table& t, Entry& e, Reporter& out, bool is_override) {
    TableReader r(t, out, "[removal]");
    Removal& m = e.list.removal;
    if (parse_enum(r, "method", m.method, k_methods, !is_override)) e.method_at = {out.file(), r.line_of("method")};
    r.string("url", m.url);
    r.string("address", m.address);
    r.integer("expiry_hours", m.expiry_hours, 0, 24 * 365);
    r.strings("must_contain", m.must_contain);
    r.string("notes", m.notes);
    r.finish();
}

// Applies one file's keys onto e (a new list: all required keys must be there; an override: only the
// keys it names change, arrays replace arrays).
void apply_file(const toml::table& root, Entry& e, Reporter& out, bool is_override,
                CompiledPatterns& compiled, PatternCheck check) {
    TableReader r(root, out, "");
    r.string("name", e.list.name, !is_override);
    parse_enum(r, "kind", e.list.kind, k_kinds, !is_override);
    r.string("home", e.list.home, !is_override);
    if (r.boolean("defunct", e.list.defunct)) e.defunct_at = {out.file(), r.line_of("defunct")};
    r.string("defunct_note", e.list.defunct_note);
    r.boolean("fix_first", e.list.fix_first);
    if (const toml::table* dns = r.table("dns")) apply_dns(*dns, e, out);
    if (const toml::table* removal = r.table("removal", !is_override)) apply_removal(*removal, e, out, is_override);
    if (auto patterns = r.tables("match")) {
        e.list.patterns.clear();
        std::map<std::string, int> seen;
        for (const toml::table* t : *patterns) {
            Pattern p = decode_pattern(*t, out, compiled, check);
            if (!p.id.empty()) {
                auto [it, fresh] = seen.emplace(p.id, p.line);
                if (!fresh)
                    out.error(p.line, "duplicate match id '" + p.id + "' (first at line " + std::to_string(it->second) + ")");
            }
            e.list.patterns.push_back(std::move(p));
        }
    }
    if (auto samples = r.tables("sample")) {
        e.list.samples.clear();
        for (const toml::table* t : *samples) e.list.samples.push_back(decode_sample(*t, out));
    }
    r.finish();
}

// Checks that need the whole set: references between lists, and keys that depend on each other after
// overrides were applied.
void cross_check(const Entry& e, const std::map<std::string, Entry>& lists, const std::set<std::string>& broken,
                 std::vector<Diagnostic>& errors) {
    const Blocklist& b = e.list;
    auto error = [&](const std::string& file, int line, const std::string& message) {
        errors.push_back({file, line > 0 ? line : 1, message});
    };
    auto known = [&](const std::string& id) { return lists.count(id) || broken.count(id); };
    if (b.policy.needs_key && b.policy.key_name.empty())
        error(e.needs_key_at.file, e.needs_key_at.line, "needs_key = true needs a key_name");
    if (b.defunct && b.defunct_note.empty())
        error(e.defunct_at.file, e.defunct_at.line, "defunct = true needs a defunct_note");
    if (b.removal.method == RemovalMethod::email && b.removal.address.empty())
        error(e.method_at.file, e.method_at.line, "removal method \"email\" needs an address");
    if (b.removal.method == RemovalMethod::form && b.removal.url.empty())
        error(e.method_at.file, e.method_at.line, "removal method \"form\" needs a url");
    for (const ReturnCode& c : b.codes)
        if (!c.sublist.empty() && !known(c.sublist))
            error(c.file, c.line, "sublist '" + c.sublist + "' is not a loaded list");
    for (const Pattern& p : b.patterns)
        for (const std::string& id : p.also)
            if (!known(id)) error(p.file, p.line, "match '" + p.id + "': also names '" + id + "', which is not a loaded list");
    for (const Sample& s : b.samples) {
        for (const SampleExpect& x : s.expect) {
            auto it = lists.find(x.list);
            if (it == lists.end()) {
                if (!broken.count(x.list)) error(s.file, s.line, "sample expects list '" + x.list + "', which is not loaded");
                continue;
            }
            if (x.rule.empty()) continue;
            const auto& pats = it->second.list.patterns;
            if (std::none_of(pats.begin(), pats.end(), [&](const Pattern& p) { return p.id == x.rule; }))
                error(s.file, s.line, "sample expects rule '" + x.rule + "', which list '" + x.list + "' does not have");
        }
    }
}

// "dir/spamhaus-zen.local.toml" -> {"spamhaus-zen", true}.
std::pair<std::string, bool> file_id(std::string_view path) {
    std::size_t slash = path.find_last_of('/');
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    constexpr std::string_view local = ".local.toml";
    constexpr std::string_view plain = ".toml";
    if (name.size() > local.size() && name.substr(name.size() - local.size()) == local)
        return {std::string(name.substr(0, name.size() - local.size())), true};
    if (name.size() > plain.size() && name.substr(name.size() - plain.size()) == plain)
        return {std::string(name.substr(0, name.size() - plain.size())), false};
    return {std::string(name), false};
}

LoadResult load(const std::vector<RuleFile>& shipped, const std::vector<RuleFile>& site, PatternCheck check) {
    LoadResult result;
    auto compiled = std::make_shared<CompiledPatterns>();
    std::vector<Diagnostic> errors;
    std::map<std::string, Entry> lists;
    std::set<std::string> broken; // ids whose file did not parse: no follow-on "unknown list" errors
    std::vector<std::pair<const RuleFile*, std::string>> overrides;

    auto add_system = [&](const RuleFile& f, bool is_site) {
        Reporter out(errors, f.path);
        auto [id, is_local] = file_id(f.path);
        if (is_local) {
            if (!is_site) {
                out.error(1, "a .local.toml override belongs in a site directory, not the shipped one");
                return;
            }
            overrides.emplace_back(&f, id);
            return;
        }
        if (f.path.size() < 5 || f.path.substr(f.path.size() - 5) != ".toml") {
            out.error(1, "rule files must be named <id>.toml or <id>.local.toml");
            return;
        }
        if (!valid_id(id, false)) {
            out.error(1, "file name '" + id + "' is not a list id (a-z 0-9 - _, at most 64 characters)");
            return;
        }
        if (auto it = lists.find(id); it != lists.end()) {
            out.error(1, "list '" + id + "' is already defined in " + it->second.list.file +
                             (is_site ? "; change it with " + id + ".local.toml" : ""));
            return;
        }
        auto table = parse_table(f, out);
        if (!table) {
            broken.insert(id);
            return;
        }
        Entry e;
        e.list.id = id;
        e.list.file = f.path;
        e.defunct_at = e.method_at = e.needs_key_at = {f.path, 1};
        apply_file(*table, e, out, false, *compiled, check);
        lists.emplace(id, std::move(e));
    };

    for (const RuleFile& f : shipped) add_system(f, false);
    for (const RuleFile& f : site) add_system(f, true);
    for (const auto& [file, id] : overrides) {
        Reporter out(errors, file->path);
        auto it = lists.find(id);
        if (it == lists.end()) {
            if (!broken.count(id)) out.error(1, "override for '" + id + "', which is not a loaded list");
            continue;
        }
        auto table = parse_table(*file, out);
        if (!table) continue;
        apply_file(*table, it->second, out, true, *compiled, check);
        it->second.list.overrides.push_back(file->path);
    }
    for (const auto& [id, e] : lists) cross_check(e, lists, broken, errors);
    // Shipped files first, then site files in the order given; by line within a file.
    std::map<std::string, std::size_t> file_order;
    for (const RuleFile& f : shipped) file_order.emplace(f.path, file_order.size());
    for (const RuleFile& f : site) file_order.emplace(f.path, file_order.size());
    std::stable_sort(errors.begin(), errors.end(), [&](const Diagnostic& a, const Diagnostic& b) {
        std::size_t fa = file_order.count(a.file) ? file_order[a.file] : 0;
        std::size_t fb = file_order.count(b.file) ? file_order[b.file] : 0;
        return fa != fb ? fa < fb : a.line < b.line;
    });
    for (const Diagnostic& d : errors)
        result.errors.push_back(d.file + ":" + std::to_string(d.line) + ": " + d.message);
    for (auto& [id, e] : lists) result.set.lists.push_back(std::move(e.list)); // std::map: sorted by id
    result.set.compiled = std::move(compiled);
    return result;
}

} // namespace

LoadResult load_rules(const std::vector<RuleFile>& shipped, const std::vector<RuleFile>& site,
                      PatternCheck check) {
    try {
        return load(shipped, site, check);
    } catch (const std::exception& e) {
        LoadResult r;
        r.errors.push_back(std::string("rules: internal error while loading: ") + e.what());
        return r;
    }
}

} // namespace ndr::classifiers::rules
