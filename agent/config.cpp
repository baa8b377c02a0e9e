// config.cpp — reads agent.toml with toml++ (the one adapter that catches its exceptions) and checks
// every key: unknown keys, wrong types and bad values each give "file:line: message", all reported.
#include "agent/config.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>

#include <toml++/toml.h>

namespace ndr::agent {

std::string_view to_string(TlsMode mode) {
    switch (mode) {
    case TlsMode::implicit: return "implicit";
    case TlsMode::starttls: return "starttls";
    case TlsMode::none: return "none";
    }
    return "implicit";
}

int ImapSettings::effective_port() const {
    if (port != 0) return port;
    return tls == TlsMode::implicit ? 993 : 143;
}

namespace {

// Largest accepted configuration file: it is a handful of keys.
constexpr std::size_t k_max_config_bytes = 1024 * 1024;
// Largest accepted password file.
constexpr std::size_t k_max_password_bytes = 4096;

bool is_lower_ascii_hostname(std::string_view s) {
    if (s.empty() || s.size() > 253) return false;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '.' || c == '_';
        if (!ok) return false;
    }
    return true;
}

bool has_control(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return true;
    return false;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// IMAP atom characters for a keyword (RFC 3501 flag-keyword = atom), optionally starting with '$'.
bool is_imap_keyword(std::string_view s) {
    if (s.empty() || s.size() > 128) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '$' && i == 0) continue;
        if (c <= 0x20 || c >= 0x7f) return false;
        if (std::strchr("(){%*\"\\]\\", c) != nullptr) return false;
    }
    return s != "$";
}

bool is_env_name(std::string_view s) {
    return !s.empty() &&
           s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
               std::string_view::npos;
}

// A systemd credential name: one path component (systemd.exec(5) "ID"), no '/', not "." or "..".
bool is_credential_name(std::string_view s) {
    if (s.empty() || s.size() > 255 || s == "." || s == "..") return false;
    return s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
           std::string_view::npos;
}

bool is_email(std::string_view s) {
    const auto at = s.rfind('@');
    return at != std::string_view::npos && at > 0 && at + 1 < s.size() && !has_control(s) &&
           s.find(' ') == std::string_view::npos && is_lower_ascii_hostname(s.substr(at + 1));
}

// "ip", "ip:port", "[v6]" or "[v6]:port"
bool is_resolver(std::string_view s) {
    std::string host;
    std::string_view port;
    if (!s.empty() && s.front() == '[') {
        const auto close = s.find(']');
        if (close == std::string_view::npos) return false;
        host = std::string(s.substr(1, close - 1));
        auto rest = s.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            port = rest.substr(1);
        }
        in6_addr a6{};
        if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) return false;
    } else {
        const auto colon = s.find(':');
        if (colon != std::string_view::npos && s.find(':', colon + 1) != std::string_view::npos) {
            host = std::string(s); // bare IPv6
            in6_addr a6{};
            return inet_pton(AF_INET6, host.c_str(), &a6) == 1;
        }
        host = std::string(s.substr(0, colon));
        if (colon != std::string_view::npos) port = s.substr(colon + 1);
        in_addr a4{};
        if (inet_pton(AF_INET, host.c_str(), &a4) != 1) return false;
    }
    if (!port.empty()) {
        if (port.size() > 5) return false;
        int p = 0;
        for (char c : port) {
            if (c < '0' || c > '9') return false;
            p = p * 10 + (c - '0');
        }
        if (p < 1 || p > 65535) return false;
    }
    return true;
}

class Checker {
  public:
    Checker(const std::string& path) : m_path(path) {}

    void error(const toml::source_region& where, std::string_view message) {
        error_line(static_cast<long>(where.begin.line), message);
    }
    void error_line(long line, std::string_view message) {
        m_errors.emplace_back(line, m_path + ":" + std::to_string(line) + ": " + std::string(message));
    }

    bool empty() const { return m_errors.empty(); }
    // In file order (tables are visited in key order, not file order).
    std::vector<std::string> errors() {
        std::stable_sort(m_errors.begin(), m_errors.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<std::string> out;
        for (auto& e : m_errors) out.push_back(std::move(e.second));
        return out;
    }

    // A string value; returns false (and reports) when of another type.
    bool get_string(const toml::node& node, std::string_view name, std::string& out) {
        if (const auto* v = node.as_string()) {
            out = v->get();
            if (has_control(out)) {
                error(node.source(), std::string(name) + ": control characters are not allowed");
                return false;
            }
            return true;
        }
        error(node.source(), std::string(name) + ": expected a string");
        return false;
    }

    bool get_int(const toml::node& node, std::string_view name, long min, long max, int& out) {
        if (const auto* v = node.as_integer()) {
            const auto value = v->get();
            if (value < min || value > max) {
                error(node.source(), std::string(name) + ": must be between " + std::to_string(min) + " and " +
                                         std::to_string(max) + ", got " + std::to_string(value));
                return false;
            }
            out = static_cast<int>(value);
            return true;
        }
        error(node.source(), std::string(name) + ": expected an integer");
        return false;
    }

    bool get_strings(const toml::node& node, std::string_view name, std::vector<std::string>& out,
                     const std::function<std::string(std::string_view)>& check = {}) {
        const auto* arr = node.as_array();
        if (arr == nullptr) {
            error(node.source(), std::string(name) + ": expected an array of strings");
            return false;
        }
        bool ok = true;
        out.clear();
        for (const auto& item : *arr) {
            std::string s;
            if (!get_string(item, name, s)) {
                ok = false;
                continue;
            }
            if (check) {
                const auto problem = check(s);
                if (!problem.empty()) {
                    error(item.source().begin.line != 0 ? item.source() : node.source(),
                          std::string(name) + ": " + problem);
                    ok = false;
                    continue;
                }
            }
            out.push_back(std::move(s));
        }
        return ok;
    }

  private:
    std::string m_path;
    std::vector<std::pair<long, std::string>> m_errors;
};

std::string check_password_file_mode(const std::string& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return {};
    if (!S_ISREG(st.st_mode)) return "password_file " + file + " is not a regular file";
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return "password_file " + file + " is group- or world-accessible (chmod 600 it)";
    return {};
}

// The keys [imap] and [smtp] share: host, port, ca_file, user, password_file, password_env.
struct ServerKeys {
    std::string& host;
    int& port;
    std::string& ca_file;
    std::string& user;
    std::string& password_file;
    std::string& password_env;
    long password_line = 0; // where the password is set (for "not both")
    bool port_set = false;
};

// Reads `k` when it is one of the ServerKeys; false otherwise.
bool read_server_key(Checker& c, const std::string& k, const std::string& name, const toml::node& node,
                     ServerKeys& s) {
    if (k == "host") {
        in6_addr a6{};
        if (c.get_string(node, name, s.host) && !is_lower_ascii_hostname(s.host) &&
            inet_pton(AF_INET6, s.host.c_str(), &a6) != 1)
            c.error(node.source(), name + ": not a host name or address");
    } else if (k == "port") {
        s.port_set = c.get_int(node, name, 1, 65535, s.port);
    } else if (k == "ca_file") {
        c.get_string(node, name, s.ca_file);
    } else if (k == "user") {
        c.get_string(node, name, s.user);
    } else if (k == "password_file") {
        if (c.get_string(node, name, s.password_file)) {
            s.password_line = node.source().begin.line;
            const auto problem = check_password_file_mode(s.password_file);
            if (!problem.empty()) c.error(node.source(), name + ": " + problem);
        }
    } else if (k == "password_env") {
        if (c.get_string(node, name, s.password_env)) {
            if (s.password_line == 0) s.password_line = node.source().begin.line;
            if (!is_env_name(s.password_env))
                c.error(node.source(), name + ": not an environment variable name");
        }
    } else {
        return false;
    }
    return true;
}

void read_imap(Checker& c, const toml::table& t, ImapSettings& imap) {
    ServerKeys server{imap.host, imap.port, imap.ca_file, imap.user, imap.password_file, imap.password_env};
    for (const auto& [key, node] : t) {
        const std::string k(key.str());
        const std::string name = "imap." + k;
        if (read_server_key(c, k, name, node, server)) {
            continue;
        } else if (k == "tls") {
            std::string v;
            if (!c.get_string(node, name, v)) continue;
            if (v == "implicit") imap.tls = TlsMode::implicit;
            else if (v == "starttls") imap.tls = TlsMode::starttls;
            else if (v == "none") imap.tls = TlsMode::none;
            else {
                c.error(node.source(), name + ": must be \"implicit\", \"starttls\" or \"none\"");
                continue;
            }
            imap.tls_set_explicitly = true;
        } else if (k == "password_credential") {
            if (c.get_string(node, name, imap.password_credential)) {
                if (server.password_line == 0) server.password_line = node.source().begin.line;
                if (!is_credential_name(imap.password_credential))
                    c.error(node.source(), name + ": not a credential name (letters, digits, '.', '_', '-')");
            }
        } else if (k == "folder") {
            if (c.get_string(node, name, imap.folder) && imap.folder.empty())
                c.error(node.source(), name + ": must not be empty");
        } else if (k == "drafts_folder") {
            c.get_string(node, name, imap.drafts_folder);
        } else if (k == "processed_folder") {
            c.get_string(node, name, imap.processed_folder);
        } else if (k == "timeout_seconds") {
            c.get_int(node, name, 1, 3600, imap.timeout_seconds);
        } else if (k == "keyword") {
            if (c.get_string(node, name, imap.keyword) && !is_imap_keyword(imap.keyword))
                c.error(node.source(), name + ": not a valid IMAP keyword (an atom such as $NDRTriaged)");
        } else {
            c.error(node.source(), "unknown key " + name);
        }
    }
    const int password_sources =
        !imap.password_file.empty() + !imap.password_env.empty() + !imap.password_credential.empty();
    if (password_sources > 1)
        c.error_line(server.password_line, "imap: set one of password_file, password_env or password_credential");
    if (!imap.host.empty()) {
        if (imap.user.empty()) c.error(t.source(), "imap: user is required when host is set");
        if (password_sources == 0)
            c.error(t.source(),
                    "imap: password_file, password_env or password_credential is required when host is set");
    }
}

void read_state(Checker& c, const toml::table& t, StateSettings& state) {
    for (const auto& [key, node] : t) {
        const std::string k(key.str());
        if (k == "path") {
            if (c.get_string(node, "state.path", state.path) && state.path.empty())
                c.error(node.source(), "state.path: must not be empty");
        } else {
            c.error(node.source(), "unknown key state." + k);
        }
    }
}

// { "<selector>._domainkey.<domain>" = "/path/to/key" }: names checked, files must be readable.
void read_dkim_key_files(Checker& c, const toml::node& node, std::map<std::string, std::string>& out) {
    const auto* table = node.as_table();
    if (table == nullptr) {
        c.error(node.source(),
                "identity.dkim_key_files: expected a table of \"<selector>._domainkey.<domain>\" = \"FILE\"");
        return;
    }
    for (const auto& [key, file_node] : *table) {
        const std::string dns_name = lower(key.str());
        const auto marker = dns_name.find("._domainkey.");
        if (!is_lower_ascii_hostname(dns_name) || marker == std::string::npos || marker == 0 ||
            dns_name.find('.', marker + 12) == std::string::npos) {
            c.error(file_node.source(), "identity.dkim_key_files: \"" + std::string(key.str()) +
                                            "\" is not \"<selector>._domainkey.<domain>\"");
            continue;
        }
        std::string file;
        if (!c.get_string(file_node, "identity.dkim_key_files." + dns_name, file)) continue;
        if (file.empty() || ::access(file.c_str(), R_OK) != 0) {
            c.error(file_node.source(), "identity.dkim_key_files." + dns_name + ": cannot read \"" + file +
                                            "\"" +
                                            (file.empty() ? "" : std::string(": ") + std::strerror(errno)));
            continue;
        }
        out[dns_name] = file;
    }
}

void read_identity(Checker& c, const toml::table& t, IdentitySettings& id) {
    for (const auto& [key, node] : t) {
        const std::string k(key.str());
        const std::string name = "identity." + k;
        if (k == "outbound_ips") {
            c.get_strings(node, name, id.outbound_ips, check_ip_or_cidr);
        } else if (k == "domains" || k == "helo_names") {
            auto& out = k == "domains" ? id.domains : id.helo_names;
            c.get_strings(node, name, out, [](std::string_view s) -> std::string {
                return is_lower_ascii_hostname(s) && s.find('.') != std::string_view::npos
                           ? std::string()
                           : "not a domain name: \"" + std::string(s) + "\"";
            });
            for (auto& d : out) d = lower(d);
        } else if (k == "dkim_selectors") {
            c.get_strings(node, name, id.dkim_selectors, [](std::string_view s) -> std::string {
                return is_lower_ascii_hostname(s) ? std::string() : "not a DKIM selector: \"" + std::string(s) + "\"";
            });
        } else if (k == "dkim_key_files") {
            read_dkim_key_files(c, node, id.dkim_key_files);
        } else if (k == "admin_name") {
            c.get_string(node, name, id.admin_name);
        } else if (k == "admin_email") {
            if (c.get_string(node, name, id.admin_email) && !is_email(id.admin_email))
                c.error(node.source(), name + ": not an email address");
        } else {
            c.error(node.source(), "unknown key " + name);
        }
    }
}

void read_dns(Checker& c, const toml::table& t, DnsSettings& dns) {
    for (const auto& [key, node] : t) {
        const std::string k(key.str());
        const std::string name = "dns." + k;
        if (k == "resolvers") {
            c.get_strings(node, name, dns.resolvers, [](std::string_view s) -> std::string {
                return is_resolver(s) ? std::string()
                                      : "not an address (ip, ip:port or [ipv6]:port): \"" + std::string(s) + "\"";
            });
        } else if (k == "timeout_ms") {
            c.get_int(node, name, 10, 60000, dns.timeout_ms);
        } else if (k == "lists") {
            c.get_strings(node, name, dns.lists, [](std::string_view s) -> std::string {
                const bool ok = !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_.") ==
                                                  std::string_view::npos;
                return ok ? std::string() : "not a list id: \"" + std::string(s) + "\"";
            });
        } else if (k == "spamhaus_dqs_key_file") {
            c.get_string(node, name, dns.spamhaus_dqs_key_file);
        } else {
            c.error(node.source(), "unknown key " + name);
        }
    }
}

void read_metrics(Checker& c, const toml::table& t, MetricsSettings& metrics) {
    for (const auto& [key, node] : t) {
        const std::string k(key.str());
        if (k == "textfile") {
            if (c.get_string(node, "metrics.textfile", metrics.textfile) && !metrics.textfile.empty() &&
                metrics.textfile.front() != '/')
                c.error(node.source(), "metrics.textfile: must be an absolute path");
        } else {
            c.error(node.source(), "unknown key metrics." + k);
        }
    }
}

void read_service(Checker& c, const toml::table& t, ServiceSettings& svc) {
    for (const auto& [key, node] : t) {
        const std::string k(key.str());
        const std::string name = "service." + k;
        if (k == "poll_seconds") c.get_int(node, name, 5, 86400, svc.poll_seconds);
        else if (k == "recheck_minutes") c.get_int(node, name, 1, 10080, svc.recheck_minutes);
        else c.error(node.source(), "unknown key " + name);
    }
}

void read_smtp(Checker& c, const toml::table& t, smtp::SmtpSettings& smtp) {
    ServerKeys server{smtp.host, smtp.port, smtp.ca_file, smtp.user, smtp.password_file, smtp.password_env};
    for (const auto& [key, node] : t) {
        const std::string k(key.str());
        const std::string name = "smtp." + k;
        if (read_server_key(c, k, name, node, server)) {
            continue;
        } else if (k == "tls") {
            if (c.get_string(node, name, smtp.tls) && smtp.tls != "starttls" && smtp.tls != "tls" &&
                smtp.tls != "none")
                c.error(node.source(), name + ": must be \"starttls\", \"tls\" or \"none\"");
        } else if (k == "timeout_seconds") {
            c.get_int(node, name, 1, 3600, smtp.timeout_seconds);
        } else {
            c.error(node.source(), "unknown key " + name);
        }
    }
    if (!server.port_set && smtp.tls == "tls") smtp.port = 465;
    if (!smtp.password_file.empty() && !smtp.password_env.empty())
        c.error_line(server.password_line, "smtp: set password_file or password_env, not both");
    if (!smtp.user.empty() && smtp.password_file.empty() && smtp.password_env.empty())
        c.error(t.source(), "smtp: password_file or password_env is required when user is set");
    if (smtp.user.empty() && (!smtp.password_file.empty() || !smtp.password_env.empty()))
        c.error(t.source(), "smtp: a password is set but no user");
}

// Reads a secret file: a regular file, not group- or world-accessible, at most k_max_password_bytes,
// one trailing newline stripped. `what` names it in errors ("password file /x", "credential y").
std::expected<std::string, std::string> read_secret_file(const std::string& file, const std::string& what) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::unexpected("cannot open " + what + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return std::unexpected(what + " is not a regular file");
    }
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        ::close(fd);
        return std::unexpected(what + " is group- or world-accessible; refusing it (chmod 600)");
    }
    std::string secret(k_max_password_bytes + 1, '\0');
    std::size_t got = 0;
    while (got < secret.size()) {
        const auto n = ::read(fd, secret.data() + got, secret.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (got > k_max_password_bytes) return std::unexpected(what + " is too large");
    secret.resize(got);
    if (!secret.empty() && secret.back() == '\n') secret.pop_back();
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) return std::unexpected(what + " is empty");
    return secret;
}

std::expected<std::string, std::string> read_password(const std::string& file, const std::string& env,
                                                      const std::string& section) {
    if (!env.empty()) {
        const char* value = std::getenv(env.c_str());
        if (value == nullptr || *value == '\0')
            return std::unexpected("environment variable " + env + " (" + section +
                                   ".password_env) is not set");
        return std::string(value);
    }
    if (file.empty())
        return std::unexpected("no " + section + ".password_file or " + section + ".password_env configured");
    return read_secret_file(file, "password file " + file);
}

} // namespace

std::string check_ip_or_cidr(std::string_view text) {
    std::string s(text);
    std::string prefix;
    const auto slash = s.find('/');
    if (slash != std::string::npos) {
        prefix = s.substr(slash + 1);
        s.resize(slash);
    }
    int max_prefix = 0;
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, s.c_str(), &a4) == 1) max_prefix = 32;
    else if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) max_prefix = 128;
    else return "not an IP address or CIDR network: \"" + std::string(text) + "\"";
    if (slash != std::string::npos) {
        if (prefix.empty() || prefix.size() > 3 || prefix.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(prefix) > max_prefix)
            return "bad prefix length in \"" + std::string(text) + "\"";
    }
    return {};
}

ConfigResult parse_config(std::string_view text, const std::string& path) {
    Checker c(path);
    Config config;
    config.path = path;
    toml::table root;
    try {
        root = toml::parse(text, std::string_view(path));
    } catch (const toml::parse_error& e) {
        c.error(e.source(), std::string(e.description()));
        return std::unexpected(c.errors());
    }
    for (const auto& [key, node] : root) {
        const std::string k(key.str());
        const auto* table = node.as_table();
        const bool known =
            k == "imap" || k == "state" || k == "identity" || k == "dns" || k == "service" || k == "smtp" ||
            k == "metrics";
        if (!known) {
            c.error(node.source(), "unknown " + std::string(table ? "section [" + k + "]" : "key " + k));
            continue;
        }
        if (table == nullptr) {
            c.error(node.source(), "[" + k + "] must be a table");
            continue;
        }
        if (k == "imap") read_imap(c, *table, config.imap);
        else if (k == "state") read_state(c, *table, config.state);
        else if (k == "identity") read_identity(c, *table, config.identity);
        else if (k == "dns") read_dns(c, *table, config.dns);
        else if (k == "smtp")
            read_smtp(c, *table, config.smtp);
        else if (k == "metrics")
            read_metrics(c, *table, config.metrics);
        else read_service(c, *table, config.service);
    }
    if (!c.empty()) return std::unexpected(c.errors());
    return config;
}

ConfigResult load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected(std::vector<std::string>{path + ": cannot read: " + std::strerror(errno)});
    std::string text;
    text.resize(k_max_config_bytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > k_max_config_bytes)
        return std::unexpected(std::vector<std::string>{path + ": larger than 1 MiB, not a configuration file"});
    return parse_config(text, path);
}

ConfigResult load_config_or_default(const std::string& explicit_path) {
    if (!explicit_path.empty()) return load_config(explicit_path);
    const std::string def(k_default_config_path);
    if (::access(def.c_str(), F_OK) == 0) return load_config(def);
    return Config{};
}

std::expected<std::string, std::string> read_imap_password(const ImapSettings& imap) {
    if (imap.password_env.empty() && !imap.password_credential.empty()) {
        const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
        if (dir == nullptr || *dir == '\0')
            return std::unexpected("imap.password_credential \"" + imap.password_credential +
                                   "\" needs $CREDENTIALS_DIRECTORY (run under systemd with LoadCredential=" +
                                   imap.password_credential + ":FILE, or give --password-file)");
        if (!is_credential_name(imap.password_credential))
            return std::unexpected("imap.password_credential: not a credential name");
        return read_secret_file(std::string(dir) + "/" + imap.password_credential,
                                "credential " + imap.password_credential + " in $CREDENTIALS_DIRECTORY");
    }
    if (imap.password_env.empty() && imap.password_file.empty())
        return std::unexpected("no imap.password_file, password_env or password_credential configured");
    return read_password(imap.password_file, imap.password_env, "imap");
}

std::expected<std::string, std::string> read_smtp_password(const smtp::SmtpSettings& smtp) {
    return read_password(smtp.password_file, smtp.password_env, "smtp");
}

std::expected<std::string, std::string> read_imap_password(const Config& config) {
    return read_imap_password(config.imap);
}

std::string resolve_state_path(const std::string& flag, const Config& config) {
    if (!flag.empty()) return flag;
    if (!config.state.path.empty()) return config.state.path;
    return std::string(config.path.empty() ? k_local_state_path : k_default_state_path);
}

} // namespace ndr::agent
