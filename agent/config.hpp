// config.hpp — the agent's configuration (/etc/ndr-triage/agent.toml): [imap], [state], [identity],
// [dns], [service], [smtp]. The keys are documented in packaging/agent.toml.example.
//
// Input trust: the file is the administrator's (trusted to mean what it says, not to be well formed).
// Unknown keys, wrong types and bad values are all errors, each "file:line: message", every one of them
// reported at once, before anything connects. Secrets: the config holds only the NAME of the password
// file or environment variable; the password itself is read by read_imap_password() when connecting
// and is never stored in these structs, logged, or put in an error message.
#pragma once

#include "agent/smtp/send.hpp"

#include <cstdint>
#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::agent {

enum class TlsMode { implicit, starttls, none };
std::string_view to_string(TlsMode mode);

// Default configuration file, used when --config is not given and the file exists.
inline constexpr std::string_view k_default_config_path = "/etc/ndr-triage/agent.toml";
// State database when a config file is read but names no [state] path.
inline constexpr std::string_view k_default_state_path = "/var/lib/ndr-triage/state.db";
// State database when no config file is read at all (local one-shot scans).
inline constexpr std::string_view k_local_state_path = "./ndr-triage-state.db";

struct ImapSettings {
    std::string host;                       // empty: no IMAP source configured
    int port = 0;                           // 0: 993 for implicit TLS, 143 otherwise
    TlsMode tls = TlsMode::implicit;
    bool tls_set_explicitly = false;        // plaintext only when the file (or --tls) said "none"
    std::string ca_file;                    // empty: the system CA store
    std::string user;
    std::string password_file;              // mode must not allow group or world access
    std::string password_env;               // name of an environment variable holding the password
    std::string password_credential;        // systemd credential name: $CREDENTIALS_DIRECTORY/<name>
    std::string folder = "INBOX";
    std::string drafts_folder;              // empty: the special-use \Drafts folder
    std::string processed_folder;           // empty: leave messages where they are
    int timeout_seconds = 60;               // every network operation
    std::string keyword = "$NDRTriaged";    // IMAP keyword set on every recorded message

    // The port to connect to: `port`, or the default for `tls`.
    int effective_port() const;
};

struct StateSettings {
    std::string path;                       // empty: k_default_state_path
};

struct IdentitySettings {
    std::vector<std::string> outbound_ips;  // addresses or CIDR networks, validated
    std::vector<std::string> domains;       // lower-case
    std::vector<std::string> dkim_selectors;
    std::vector<std::string> helo_names;    // lower-case
    std::string admin_name;
    std::string admin_email;
    // DKIM keys from files instead of DNS: "<selector>._domainkey.<domain>" (lower case) -> a PEM key
    // (public or private) or a TXT record file (agent/provenance/dkim.hpp, file_key_lookup).
    std::map<std::string, std::string> dkim_key_files;
};

struct DnsSettings {
    std::vector<std::string> resolvers;     // "ip", "ip:port" or "[ipv6]:port"; empty: /etc/resolv.conf
    int timeout_ms = 2000;
    std::vector<std::string> lists;         // list ids; empty: every list that needs no key
    std::string spamhaus_dqs_key_file;      // empty: no DQS key
};

struct ServiceSettings {
    int poll_seconds = 60;                  // when the server has no IDLE
    int recheck_minutes = 60;               // DNSBL re-check of open incidents
};

struct MetricsSettings {
    std::string textfile;                   // Prometheus textfile written after each pass; empty: none
};

struct Config {
    std::string path;                       // the file it came from; empty: built-in defaults
    ImapSettings imap;
    StateSettings state;
    IdentitySettings identity;
    DnsSettings dns;
    ServiceSettings service;
    smtp::SmtpSettings smtp; // [smtp]: where `drafts send` submits approved drafts
    MetricsSettings metrics;
};

using ConfigResult = std::expected<Config, std::vector<std::string>>; // errors: "file:line: message"

// Parses TOML text; `path` names it in messages and resolves nothing else. Checks the password file's
// mode when the file exists (its absence is an error only when connecting).
ConfigResult parse_config(std::string_view text, const std::string& path);
// Reads and parses a file; an unreadable file is one error "path: message".
ConfigResult load_config(const std::string& path);
// --config if given (must exist), else k_default_config_path if it exists, else built-in defaults
// (Config::path empty).
ConfigResult load_config_or_default(const std::string& explicit_path);

// The state database: the --state flag, else [state] path, else ./ndr-triage-state.db when no
// configuration file was found, else /var/lib/ndr-triage/state.db.
std::string resolve_state_path(const std::string& flag, const Config& config);

// The IMAP password, read only when connecting: from password_file (refused when group- or
// world-accessible, or not a regular file; one trailing newline stripped), from the environment
// variable password_env, or from the systemd credential password_credential (the file of that name in
// $CREDENTIALS_DIRECTORY, as LoadCredential= provides it; same checks as a password file). Errors
// name the file, variable or credential, never the secret.
std::expected<std::string, std::string> read_imap_password(const ImapSettings& imap);
std::expected<std::string, std::string> read_imap_password(const Config& config);
// The SMTP password, the same way (errors name smtp.password_file / smtp.password_env).
std::expected<std::string, std::string> read_smtp_password(const smtp::SmtpSettings& smtp);

// Problems with a configuration value that is not tied to a file line (used for --flags too):
// empty optional-like string when fine, else the message.
std::string check_ip_or_cidr(std::string_view text);

} // namespace ndr::agent
