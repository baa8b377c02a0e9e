// test_agent_config.cpp — agent/config: keys, defaults, every error as file:line, the password file.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "agent/config.hpp"

using namespace ndr::agent;

namespace {

std::string temp_dir() {
    char tmpl[] = "/tmp/ndr-config-test-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    REQUIRE(d != nullptr);
    return d;
}

void write_file(const std::string& path, const std::string& text, mode_t mode) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += s + "\n";
    return out;
}

} // namespace

TEST_CASE("config: a full file parses with every key") {
    const std::string text = R"(
[imap]
host = "mail.example.com"
port = 1993
tls = "starttls"
ca_file = "/etc/ssl/certs/ca-certificates.crt"
user = "postmaster@example.com"
password_env = "NDR_TEST_PW"
folder = "Bounces"
drafts_folder = "Drafts"
processed_folder = "Bounces/Done"
timeout_seconds = 20
keyword = "$Triaged"

[state]
path = "/tmp/state.db"

[identity]
outbound_ips = ["198.51.100.23", "2001:db8:23::25", "192.0.2.0/24"]
domains = ["Example.COM"]
dkim_selectors = ["s1"]
helo_names = ["mx.example.com"]
admin_name = "Mail Admin"
admin_email = "postmaster@example.com"

[dns]
resolvers = ["127.0.0.1:53", "[::1]:5353", "192.0.2.53"]
timeout_ms = 1500
lists = ["spamhaus-zen"]
spamhaus_dqs_key_file = ""

[service]
poll_seconds = 30
recheck_minutes = 120
)";
    const auto c = parse_config(text, "agent.toml");
    REQUIRE_MESSAGE(c.has_value(), "errors: " << (c ? "" : join(c.error())));
    CHECK(c->imap.host == "mail.example.com");
    CHECK(c->imap.effective_port() == 1993);
    CHECK(c->imap.tls == TlsMode::starttls);
    CHECK(c->imap.tls_set_explicitly);
    CHECK(c->imap.folder == "Bounces");
    CHECK(c->imap.timeout_seconds == 20);
    CHECK(c->imap.keyword == "$Triaged");
    CHECK(c->state.path == "/tmp/state.db");
    CHECK(c->identity.outbound_ips.size() == 3);
    CHECK(c->identity.domains == std::vector<std::string>{"example.com"});
    CHECK(c->dns.resolvers.size() == 3);
    CHECK(c->dns.timeout_ms == 1500);
    CHECK(c->service.poll_seconds == 30);
    CHECK(c->service.recheck_minutes == 120);
}

TEST_CASE("config: defaults without a file") {
    const auto c = parse_config("", "empty.toml");
    REQUIRE(c.has_value());
    CHECK(c->imap.tls == TlsMode::implicit);
    CHECK_FALSE(c->imap.tls_set_explicitly);
    CHECK(c->imap.effective_port() == 993);
    CHECK(c->imap.folder == "INBOX");
    CHECK(c->imap.keyword == "$NDRTriaged");
    CHECK(c->dns.timeout_ms == 2000);
    CHECK(c->service.poll_seconds == 60);
    ImapSettings plain;
    plain.tls = TlsMode::none;
    CHECK(plain.effective_port() == 143);
}

struct ErrorCase {
    const char* name;
    const char* text;
    const char* want; // a substring of the one error, with its file:line
};

TEST_CASE("config: each bad value is one error with file and line") {
    const ErrorCase cases[] = {
        {"unknown key", "[imap]\nhots = \"x\"\n", "a.toml:2: unknown key imap.hots"},
        {"unknown section", "\n[imapp]\nhost = \"x\"\n", "a.toml:2: unknown section [imapp]"},
        {"bad tls", "[imap]\ntls = \"ssl\"\n", "a.toml:2: imap.tls: must be"},
        {"port out of range", "[imap]\nport = 70000\n", "a.toml:2: imap.port: must be between 1 and 65535, got 70000"},
        {"port of wrong type", "[imap]\nport = \"993\"\n", "a.toml:2: imap.port: expected an integer"},
        {"bad cidr", "[identity]\noutbound_ips = [\"198.51.100.0/33\"]\n", "a.toml:2: identity.outbound_ips: bad prefix"},
        {"not an ip", "[identity]\noutbound_ips = [\n  \"mail.example.com\"]\n", "a.toml:3: identity.outbound_ips: not an IP"},
        {"bad resolver", "[dns]\nresolvers = [\"127.0.0.1:99999\"]\n", "a.toml:2: dns.resolvers: not an address"},
        {"timeout too small", "[dns]\ntimeout_ms = 1\n", "a.toml:2: dns.timeout_ms: must be between"},
        {"bad keyword", "[imap]\nkeyword = \"has space\"\n", "a.toml:2: imap.keyword: not a valid IMAP keyword"},
        {"bad admin email", "[identity]\nadmin_email = \"nobody\"\n", "a.toml:2: identity.admin_email: not an email"},
        {"poll too short", "[service]\npoll_seconds = 0\n", "a.toml:2: service.poll_seconds: must be between"},
        {"host without user", "[imap]\nhost = \"mail.example.com\"\npassword_env = \"X\"\n",
         "a.toml:1: imap: user is required"},
        {"both passwords", "[imap]\npassword_file = \"/nonexistent/pw\"\npassword_env = \"X\"\n",
         "a.toml:2: imap: set one of password_file, password_env or password_credential"},
        {"credential and file", "[imap]\npassword_credential = \"imap.password\"\npassword_env = \"X\"\n",
         "a.toml:2: imap: set one of password_file, password_env or password_credential"},
        {"credential with a slash", "[imap]\npassword_credential = \"../imap.password\"\n",
         "a.toml:2: imap.password_credential: not a credential name"},
        {"relative metrics file", "[metrics]\ntextfile = \"ndr.prom\"\n",
         "a.toml:2: metrics.textfile: must be an absolute path"},
        {"unknown metrics key", "[metrics]\nport = 9100\n", "a.toml:2: unknown key metrics.port"},
        {"TOML syntax", "[imap]\nhost = \n", "a.toml:2: "},
        {"key at top level", "host = \"x\"\n", "a.toml:1: unknown key host"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const auto r = parse_config(c.text, "a.toml");
        REQUIRE_FALSE(r.has_value());
        REQUIRE_MESSAGE(r.error().size() == 1, "got " << r.error().size() << " errors, want 1:\n" << join(r.error()));
        CHECK_MESSAGE(r.error()[0].find(c.want) != std::string::npos, "got: " << r.error()[0] << "\nwant: " << c.want);
    }
}

TEST_CASE("config: all errors are reported at once, in file order") {
    const auto r = parse_config("[imap]\nport = 0\ntls = \"maybe\"\n[dns]\ntimeout_ms = \"fast\"\n[bogus]\n", "b.toml");
    REQUIRE_FALSE(r.has_value());
    REQUIRE_MESSAGE(r.error().size() == 4, "got:\n" << join(r.error()));
    CHECK(r.error()[0].starts_with("b.toml:2: "));
    CHECK(r.error()[1].starts_with("b.toml:3: "));
    CHECK(r.error()[2].starts_with("b.toml:5: "));
    CHECK(r.error()[3].starts_with("b.toml:6: "));
}

TEST_CASE("config: an IPv6 literal is a valid host; a host with spaces is not") {
    CHECK(parse_config("[imap]\nhost = \"::1\"\nuser = \"u\"\npassword_env = \"P\"\n", "h.toml").has_value());
    const auto bad = parse_config("[imap]\nhost = \"mail example\"\nuser = \"u\"\npassword_env = \"P\"\n", "h.toml");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error()[0].starts_with("h.toml:2: imap.host"));
}

TEST_CASE("config: tls none only when written explicitly") {
    const auto r = parse_config("[imap]\ntls = \"none\"\n", "c.toml");
    REQUIRE(r.has_value());
    CHECK(r->imap.tls == TlsMode::none);
    CHECK(r->imap.tls_set_explicitly);
}

TEST_CASE("config: a group- or world-readable password file is refused, at load and when read") {
    const auto dir = temp_dir();
    const auto pw = dir + "/imap.password";
    write_file(pw, "s3cret-value\n", 0644);
    const std::string text = "[imap]\nhost = \"mail.example.com\"\nuser = \"u\"\npassword_file = \"" + pw + "\"\n";
    const auto loose = parse_config(text, "p.toml");
    REQUIRE_FALSE(loose.has_value());
    REQUIRE(loose.error().size() == 1);
    CHECK(loose.error()[0].starts_with("p.toml:4: "));
    CHECK(loose.error()[0].find("group- or world-accessible") != std::string::npos);
    CHECK(loose.error()[0].find("s3cret") == std::string::npos);

    ImapSettings imap;
    imap.password_file = pw;
    const auto refused = read_imap_password(imap);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().find("s3cret") == std::string::npos);
    CHECK(refused.error().find(pw) != std::string::npos);

    ::chmod(pw.c_str(), 0600);
    const auto ok = parse_config(text, "p.toml");
    REQUIRE(ok.has_value());
    const auto secret = read_imap_password(*ok);
    REQUIRE(secret.has_value());
    CHECK(*secret == "s3cret-value");
    ::unlink(pw.c_str());
    ::rmdir(dir.c_str());
}

TEST_CASE("config: password from the environment; a missing variable names it, not a value") {
    ImapSettings imap;
    imap.password_env = "NDR_TRIAGE_TEST_PASSWORD_VAR";
    ::unsetenv(imap.password_env.c_str());
    const auto missing = read_imap_password(imap);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().find("NDR_TRIAGE_TEST_PASSWORD_VAR") != std::string::npos);
    ::setenv(imap.password_env.c_str(), "from-env", 1);
    const auto got = read_imap_password(imap);
    REQUIRE(got.has_value());
    CHECK(*got == "from-env");
    ::unsetenv(imap.password_env.c_str());
}

TEST_CASE("config: password from a systemd credential in $CREDENTIALS_DIRECTORY") {
    const auto r = parse_config("[imap]\nhost = \"mail.example.com\"\nuser = \"u\"\npassword_credential = \"imap.password\"\n"
                                "[metrics]\ntextfile = \"/var/lib/ndr-triage/metrics.prom\"\n",
                                "cred.toml");
    REQUIRE(r.has_value());
    CHECK(r->imap.password_credential == "imap.password");
    CHECK(r->metrics.textfile == "/var/lib/ndr-triage/metrics.prom");

    ::unsetenv("CREDENTIALS_DIRECTORY");
    const auto no_dir = read_imap_password(*r);
    REQUIRE_FALSE(no_dir.has_value());
    CHECK(no_dir.error().find("CREDENTIALS_DIRECTORY") != std::string::npos);

    const auto dir = temp_dir();
    ::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1);
    const auto missing = read_imap_password(*r);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().find("credential imap.password") != std::string::npos);

    write_file(dir + "/imap.password", "cred-secret\n", 0644);
    const auto loose = read_imap_password(*r);
    REQUIRE_FALSE(loose.has_value());
    CHECK(loose.error().find("group- or world-accessible") != std::string::npos);
    CHECK(loose.error().find("cred-secret") == std::string::npos);

    ::chmod((dir + "/imap.password").c_str(), 0400); // what LoadCredential= gives the service
    const auto got = read_imap_password(*r);
    REQUIRE(got.has_value());
    CHECK(*got == "cred-secret");
    ::unsetenv("CREDENTIALS_DIRECTORY");
    ::unlink((dir + "/imap.password").c_str());
    ::rmdir(dir.c_str());
}

TEST_CASE("config: load_config names an unreadable file; --config must exist") {
    const auto r = load_config("/nonexistent/agent.toml");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error()[0].starts_with("/nonexistent/agent.toml: cannot read"));
    CHECK_FALSE(load_config_or_default("/nonexistent/agent.toml").has_value());
}

TEST_CASE("config: the shipped example config parses") {
    const auto r = load_config(std::string(NDR_TEST_SOURCE_DIR) + "/packaging/agent.toml.example");
    CHECK_MESSAGE(r.has_value(), "errors:\n" << (r ? "" : join(r.error())));
}

TEST_CASE("config: [smtp] keys, defaults and errors") {
    const auto defaults = parse_config("", "s.toml");
    REQUIRE(defaults.has_value());
    CHECK(defaults->smtp.host.empty());
    CHECK(defaults->smtp.port == 587);
    CHECK(defaults->smtp.tls == "starttls");

    const auto full = parse_config("[smtp]\nhost = \"smtp.example.com\"\nport = 2525\ntls = \"none\"\n"
                                   "ca_file = \"/tmp/ca.crt\"\nuser = \"postmaster@example.com\"\n"
                                   "password_env = \"NDR_SMTP_PW\"\ntimeout_seconds = 5\n",
                                   "s.toml");
    REQUIRE_MESSAGE(full.has_value(), join(full.error()));
    CHECK(full->smtp.host == "smtp.example.com");
    CHECK(full->smtp.port == 2525);
    CHECK(full->smtp.tls == "none");
    CHECK(full->smtp.ca_file == "/tmp/ca.crt");
    CHECK(full->smtp.user == "postmaster@example.com");
    CHECK(full->smtp.password_env == "NDR_SMTP_PW");
    CHECK(full->smtp.timeout_seconds == 5);

    const auto implicit = parse_config("[smtp]\nhost = \"smtp.example.com\"\ntls = \"tls\"\n", "s.toml");
    REQUIRE(implicit.has_value());
    CHECK(implicit->smtp.port == 465);

    const ErrorCase cases[] = {
        {"bad tls", "[smtp]\ntls = \"implicit\"\n", "s.toml:2: smtp.tls: must be"},
        {"unknown key", "[smtp]\nhost = \"smtp.example.com\"\nsender = \"x\"\n",
         "s.toml:3: unknown key smtp.sender"},
        {"user without password", "[smtp]\nuser = \"u\"\n",
         "s.toml:1: smtp: password_file or password_env is required"},
        {"password without user", "[smtp]\npassword_env = \"P\"\n",
         "s.toml:1: smtp: a password is set but no user"},
        {"bad env name", "[smtp]\nuser = \"u\"\npassword_env = \"NOT-A-NAME\"\n",
         "s.toml:3: smtp.password_env"},
        {"bad host", "[smtp]\nhost = \"smtp example\"\n", "s.toml:2: smtp.host"},
        {"port range", "[smtp]\nport = 0\n", "s.toml:2: smtp.port: must be between"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const auto r = parse_config(c.text, "s.toml");
        REQUIRE_FALSE(r.has_value());
        REQUIRE_MESSAGE(r.error().size() == 1, "got:\n" << join(r.error()));
        CHECK_MESSAGE(r.error()[0].find(c.want) != std::string::npos, "got: " << r.error()[0]);
    }
}

TEST_CASE("config: the SMTP password is read like the IMAP one and never shown") {
    const auto dir = temp_dir();
    const auto pw = dir + "/smtp.password";
    write_file(pw, "smtp-s3cret\n", 0640);
    smtp::SmtpSettings s;
    s.password_file = pw;
    const auto refused = read_smtp_password(s);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().find("smtp-s3cret") == std::string::npos);
    ::chmod(pw.c_str(), 0600);
    const auto ok = read_smtp_password(s);
    REQUIRE(ok.has_value());
    CHECK(*ok == "smtp-s3cret");
    s.password_file.clear();
    s.password_env = "NDR_TRIAGE_TEST_SMTP_PW";
    ::unsetenv(s.password_env.c_str());
    const auto missing = read_smtp_password(s);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().find("smtp.password_env") != std::string::npos);
    ::unlink(pw.c_str());
    ::rmdir(dir.c_str());
}

TEST_CASE("config: identity.dkim_key_files maps key names to readable files") {
    const auto dir = temp_dir();
    const auto key = dir + "/s1.pem";
    write_file(key, "-----BEGIN PUBLIC KEY-----\n", 0644);
    const auto ok = parse_config(
        "[identity]\ndkim_key_files = { \"S1._domainkey.Example.com\" = \"" + key + "\" }\n", "k.toml");
    REQUIRE_MESSAGE(ok.has_value(), join(ok.error()));
    REQUIRE(ok->identity.dkim_key_files.size() == 1);
    CHECK(ok->identity.dkim_key_files.at("s1._domainkey.example.com") == key);

    const ErrorCase cases[] = {
        {"not a key name", "[identity]\ndkim_key_files = { \"example.com\" = \"/etc/hostname\" }\n",
         "k.toml:2: identity.dkim_key_files: \"example.com\" is not"},
        {"missing file",
         "[identity]\n\n[identity.dkim_key_files]\n\"s1._domainkey.example.com\" = "
         "\"/nonexistent/key.pem\"\n",
         "k.toml:4: identity.dkim_key_files.s1._domainkey.example.com: cannot read"},
        {"not a table", "[identity]\ndkim_key_files = [\"x\"]\n",
         "k.toml:2: identity.dkim_key_files: expected a table"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const auto r = parse_config(c.text, "k.toml");
        REQUIRE_FALSE(r.has_value());
        REQUIRE_MESSAGE(r.error().size() == 1, "got:\n" << join(r.error()));
        CHECK_MESSAGE(r.error()[0].find(c.want) != std::string::npos, "got: " << r.error()[0]);
    }
    ::unlink(key.c_str());
    ::rmdir(dir.c_str());
}
