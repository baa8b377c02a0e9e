// send.hpp — hands one finished message to the site's submission server over SMTP (vmime 0.9.2),
// for `drafts send` of an approved draft. Nothing calls this on its own: a person approves first.
//
// TLS is verified (chain to ca_file or the system store, and the host name); STARTTLS is required
// when tls = "starttls" (vmime would otherwise fall back to plaintext silently); plaintext only with
// tls = "none". The password is read when connecting (read_smtp_password in agent/config.hpp) and is
// never logged or put in an error. Every network operation has timeout_seconds. The message bytes
// are sent as given, with line ends made CRLF; dot-stuffing is the transport's.
#pragma once

#include <expected>
#include <string>
#include <vector>

namespace ndr::agent::smtp {

struct SmtpSettings {
    std::string host; // empty: no SMTP server configured
    int port = 587;
    std::string tls = "starttls"; // starttls | tls (implicit, port 465) | none
    std::string ca_file;          // empty: the system CA store
    std::string user;             // empty: no authentication
    std::string password_file;    // mode must not allow group or world access
    std::string password_env;     // name of an environment variable holding the password
    int timeout_seconds = 30;
};

// Sends `rfc5322_bytes` from `envelope_from` to every address of `rcpts`. Errors name the server and
// what failed (TLS, certificate, login, a refused recipient), never the password.
std::expected<void, std::string> send_message(const SmtpSettings&, const std::string& envelope_from,
                                              const std::vector<std::string>& rcpts,
                                              const std::string& rfc5322_bytes);

} // namespace ndr::agent::smtp
