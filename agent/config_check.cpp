// config_check.cpp — `config check` (see config_check.hpp).
#include "agent/config_check.hpp"

#include "agent/config.hpp"
#include "agent/rules_dirs.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

namespace ndr::agent {

namespace {

// Where each key sits in the file, from a second toml++ parse (the file already parsed once).
class Lines {
  public:
    explicit Lines(const std::string& path) {
        try {
            m_root = toml::parse_file(path);
        } catch (const std::exception&) {
        }
    }
    long of(std::string_view dotted) const {
        const auto node = m_root.at_path(dotted);
        return node ? static_cast<long>(node.node()->source().begin.line) : 0;
    }
    // Line of element `i` of the array at `dotted`, else of the array.
    long of_item(std::string_view dotted, std::size_t i) const {
        const auto node = m_root.at_path(dotted);
        if (const auto* arr = node.as_array(); arr != nullptr && i < arr->size()) {
            const long line = static_cast<long>((*arr)[i].source().begin.line);
            if (line > 0) return line;
        }
        return of(dotted);
    }

  private:
    toml::table m_root;
};

std::string parent_dir(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

bool is_dir(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Problems of a file holding a secret: missing (warning or error), not a regular file, too open.
void check_secret_file(ConfigCheck& check, long line, std::string_view key, const std::string& file,
                       bool missing_is_warning) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        check.problems.push_back(
            {check.file, line,
             std::string(key) + ": " + file + " does not exist" + (missing_is_warning ? " (yet)" : ""),
             missing_is_warning});
        return;
    }
    if (!S_ISREG(st.st_mode))
        check.problems.push_back(
            {check.file, line, std::string(key) + ": " + file + " is not a regular file", false});
    else if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        check.problems.push_back(
            {check.file, line,
             std::string(key) + ": " + file + " is group- or world-accessible (chmod 600 it)", false});
}

void check_environment(ConfigCheck& check, const Config& config, const classifiers::rules::RuleSet* rules) {
    const Lines lines(check.file);
    const auto& imap = config.imap;
    auto add = [&](long line, std::string message, bool warning) {
        check.problems.push_back({check.file, line, std::move(message), warning});
    };
    if (!imap.host.empty()) {
        if (!imap.password_file.empty())
            check_secret_file(check, lines.of("imap.password_file"), "imap.password_file", imap.password_file,
                              true);
        if (!imap.password_env.empty() && std::getenv(imap.password_env.c_str()) == nullptr)
            add(lines.of("imap.password_env"),
                "imap.password_env: " + imap.password_env + " is not set in this environment", true);
        if (!imap.password_credential.empty()) {
            if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir != nullptr && *dir != '\0')
                check_secret_file(check, lines.of("imap.password_credential"), "imap.password_credential",
                                  std::string(dir) + "/" + imap.password_credential, false);
        }
        if (imap.tls == TlsMode::none)
            add(lines.of("imap.tls"), "imap.tls: \"none\" sends the IMAP password in clear text", true);
    }
    if (!imap.ca_file.empty() && ::access(imap.ca_file.c_str(), R_OK) != 0)
        add(lines.of("imap.ca_file"), "imap.ca_file: " + imap.ca_file + " cannot be read", false);
    const std::string state =
        config.state.path.empty() ? std::string(k_default_state_path) : config.state.path;
    if (!is_dir(parent_dir(state)))
        add(lines.of("state.path"), "state.path: directory " + parent_dir(state) + " does not exist (yet)",
            true);
    if (!config.dns.spamhaus_dqs_key_file.empty())
        check_secret_file(check, lines.of("dns.spamhaus_dqs_key_file"), "dns.spamhaus_dqs_key_file",
                          config.dns.spamhaus_dqs_key_file, false);
    if (rules != nullptr)
        for (std::size_t i = 0; i < config.dns.lists.size(); ++i) {
            const auto* list = rules->find(config.dns.lists[i]);
            if (list == nullptr)
                add(lines.of_item("dns.lists", i),
                    "dns.lists: no rule file defines the list \"" + config.dns.lists[i] + "\"", false);
            else if (list->zones.empty())
                add(lines.of_item("dns.lists", i),
                    "dns.lists: \"" + config.dns.lists[i] + "\" has no DNS zone to query", false);
        }
    if (config.identity.outbound_ips.empty() && !imap.host.empty())
        add(lines.of("identity"),
            "identity.outbound_ips is empty: no bounce can be shown to be about our servers", true);
    if (!config.metrics.textfile.empty() && !is_dir(parent_dir(config.metrics.textfile)))
        add(lines.of("metrics.textfile"),
            "metrics.textfile: directory " + parent_dir(config.metrics.textfile) + " does not exist", true);
}

} // namespace

std::size_t ConfigCheck::errors() const {
    return static_cast<std::size_t>(
        std::count_if(problems.begin(), problems.end(), [](const auto& p) { return !p.warning; }));
}

std::size_t ConfigCheck::warnings() const {
    return problems.size() - errors();
}

ConfigProblem parse_problem(std::string_view text, bool warning) {
    // The first ":<digits>: " is the line; a path with such a part in it is not expected.
    for (std::size_t pos = text.find(':'); pos != std::string_view::npos; pos = text.find(':', pos + 1)) {
        std::size_t end = pos + 1;
        while (end < text.size() && text[end] >= '0' && text[end] <= '9')
            ++end;
        if (end > pos + 1 && end + 1 < text.size() && text[end] == ':' && text[end + 1] == ' ' &&
            end - pos <= 10)
            return {std::string(text.substr(0, pos)),
                    std::stol(std::string(text.substr(pos + 1, end - pos - 1))),
                    std::string(text.substr(end + 2)), warning};
    }
    const auto colon = text.find(": ");
    if (colon == std::string_view::npos) return {"", 0, std::string(text), warning};
    return {std::string(text.substr(0, colon)), 0, std::string(text.substr(colon + 2)), warning};
}

ConfigCheck check_configuration(const std::string& path, const GlobalOptions& global) {
    ConfigCheck check;
    check.file = !path.empty()                 ? path
                 : !global.config_path.empty() ? global.config_path
                                               : std::string(k_default_config_path);
    {
        std::ifstream probe(check.file, std::ios::binary);
        check.readable = static_cast<bool>(probe);
    }
    const auto config = load_config(check.file);
    if (!check.readable) {
        for (const auto& e : config.error())
            check.problems.push_back(parse_problem(e));
        return check;
    }
    const auto rules = load_rule_dirs(global);
    if (!config) {
        for (const auto& e : config.error())
            check.problems.push_back(parse_problem(e));
    } else {
        check_environment(check, *config, rules.errors.empty() ? &rules.set : nullptr);
        std::stable_sort(check.problems.begin(), check.problems.end(),
                         [](const auto& a, const auto& b) { return a.line < b.line; });
    }
    for (const auto& e : rules.errors)
        check.problems.push_back(parse_problem(e));
    return check;
}

std::string format_problem(const ConfigProblem& p) {
    std::string out = p.file;
    if (p.line > 0) out += ":" + std::to_string(p.line);
    out += ": ";
    if (p.warning) out += "warning: ";
    return out + p.message;
}

nlohmann::json check_json(const ConfigCheck& check) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& p : check.problems)
        problems.push_back({{"file", p.file},
                            {"line", p.line},
                            {"severity", p.warning ? "warning" : "error"},
                            {"message", p.message}});
    return {{"file", check.file},
            {"ok", check.readable && check.errors() == 0},
            {"errors", check.errors()},
            {"warnings", check.warnings()},
            {"problems", std::move(problems)}};
}

} // namespace ndr::agent
