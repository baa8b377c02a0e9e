// send.cpp — send_message() over vmime's SMTP transport (see send.hpp). vmime throws: every vmime call
// sits inside one try block here and its exceptions become an error text naming the server, never
// the password. Server replies are sanitised before they reach the error.
#include "agent/smtp/send.hpp"

#include "agent/config.hpp"
#include "agent/sources/vmime_support.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

#include <vmime/net/smtp/SMTPExceptions.hpp>
#include <vmime/security/cert/certificateExpiredException.hpp>
#include <vmime/security/cert/certificateIssuerVerificationException.hpp>
#include <vmime/security/cert/certificateNotTrustedException.hpp>
#include <vmime/security/cert/certificateNotYetValidException.hpp>
#include <vmime/security/cert/serverIdentityException.hpp>
#include <vmime/utility/inputStreamStringAdapter.hpp>
#include <vmime/vmime.hpp>

namespace ndr::agent::smtp {

namespace {

std::string sanitised(std::string_view s) {
    return classifiers::sanitise(s, 512);
}

// An address for MAIL FROM / RCPT TO: one addr-spec, no brackets, spaces or control characters.
bool is_envelope_address(std::string_view a) {
    if (a.empty() || a.size() > 320) return false;
    const auto at = a.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == a.size()) return false;
    for (unsigned char c : a)
        if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == ',' || c == '"' || c == '\\') return false;
    return true;
}

// The message with every line end CRLF and without its final CRLF: vmime sends "\r\n.\r\n" after
// the data, so the server receives exactly the given lines.
std::string wire_form(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 32);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == '\r') {
            out += "\r\n";
            if (i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
        } else if (c == '\n') {
            out += "\r\n";
        } else {
            out.push_back(c);
        }
    }
    if (out.ends_with("\r\n")) out.resize(out.size() - 2);
    return out;
}

} // namespace

std::expected<void, std::string> send_message(const SmtpSettings& s, const std::string& envelope_from,
                                              const std::vector<std::string>& rcpts,
                                              const std::string& bytes) {
    if (s.host.empty()) return std::unexpected("no SMTP server configured ([smtp] host)");
    if (s.tls != "starttls" && s.tls != "tls" && s.tls != "none")
        return std::unexpected("smtp.tls must be \"starttls\", \"tls\" or \"none\"");
    if (!is_envelope_address(envelope_from))
        return std::unexpected("bad sender address \"" + sanitised(envelope_from) + "\"");
    if (rcpts.empty()) return std::unexpected("no recipient");
    for (const auto& r : rcpts)
        if (!is_envelope_address(r)) return std::unexpected("bad recipient address \"" + sanitised(r) + "\"");
    if (bytes.empty() || bytes.size() > classifiers::k_max_message_bytes)
        return std::unexpected("message empty or too large");
    if (bytes.find('\0') != std::string::npos) return std::unexpected("the message contains a NUL byte");

    std::string password;
    if (!s.user.empty()) {
        auto pw = read_smtp_password(s);
        if (!pw) return std::unexpected("SMTP password: " + pw.error());
        password = std::move(*pw);
    }
    const std::string where = s.host + ":" + std::to_string(s.port);
    const std::string ca_file = s.ca_file.empty() ? std::string(k_system_ca_file) : s.ca_file;
    const std::string data = wire_form(bytes);
    ensure_vmime_platform();
    try {
        auto session = vmime::net::session::create();
        vmime::utility::url url(s.tls == "tls" ? "smtps" : "smtp", s.host,
                                static_cast<vmime::port_t>(s.port));
        auto transport = session->getTransport(url);
        if (!transport) return std::unexpected("vmime has no SMTP transport");
        transport->setProperty("options.need-authentication", !s.user.empty());
        if (!s.user.empty()) {
            transport->setProperty("auth.username", s.user);
            transport->setProperty("auth.password", password);
            transport->setProperty("options.sasl", true);
            transport->setProperty("options.sasl.fallback", false);
        }
        transport->setProperty("options.chunking", false);
        if (s.tls == "starttls") {
            transport->setProperty("connection.tls", true);
            transport->setProperty("connection.tls.required", true); // else vmime falls back to plaintext
        } else if (s.tls == "none") {
            transport->setProperty("connection.tls", false);
        }
        if (s.tls != "none") {
            auto verifier = make_certificate_verifier(ca_file, s.host);
            if (!verifier) return std::unexpected(verifier.error());
            transport->setCertificateVerifier(*verifier);
        }
        transport->setSocketFactory(make_socket_factory());
        transport->setTimeoutHandlerFactory(vmime::make_shared<VmimeTimeoutFactory>(s.timeout_seconds));
        transport->connect();
        if (s.tls != "none" && !transport->isSecuredConnection()) {
            transport->disconnect();
            return std::unexpected("SMTP connection to " + where + " is not encrypted; refusing to send");
        }
        vmime::mailboxList to;
        for (const auto& r : rcpts)
            to.appendMailbox(vmime::make_shared<vmime::mailbox>(vmime::emailAddress(r)));
        vmime::utility::inputStreamStringAdapter in(data);
        transport->send(vmime::mailbox(vmime::emailAddress(envelope_from)), to, in, data.size());
        try {
            transport->disconnect();
        } catch (const vmime::exception&) {
            // The message was accepted; a failed QUIT changes nothing.
        }
        return {};
    } catch (const vmime::security::cert::serverIdentityException&) {
        return std::unexpected("TLS certificate of " + where +
                               " rejected: it is not valid for the host name \"" + s.host + "\"");
    } catch (const vmime::security::cert::certificateNotTrustedException&) {
        return std::unexpected("TLS certificate of " + where + " rejected: not signed by a CA in " + ca_file);
    } catch (const vmime::security::cert::certificateIssuerVerificationException&) {
        return std::unexpected("TLS certificate of " + where +
                               " rejected: its issuer could not be verified against " + ca_file);
    } catch (const vmime::security::cert::certificateExpiredException&) {
        return std::unexpected("TLS certificate of " + where + " rejected: it has expired");
    } catch (const vmime::security::cert::certificateNotYetValidException&) {
        return std::unexpected("TLS certificate of " + where + " rejected: it is not valid yet");
    } catch (const vmime::security::cert::certificateException& e) {
        return std::unexpected("TLS certificate of " + where + " rejected: " + sanitised(e.what()));
    } catch (const vmime::exceptions::tls_exception& e) {
        return std::unexpected("TLS with " + where + " failed: " + sanitised(e.what()));
    } catch (const vmime::exceptions::authentication_error& e) {
        return std::unexpected("SMTP login as " + sanitised(s.user) + " at " + where +
                               " refused: " + sanitised(e.response()));
    } catch (const vmime::exceptions::operation_timed_out&) {
        return std::unexpected("no answer from " + where + " within " + std::to_string(s.timeout_seconds) +
                               " s");
    } catch (const vmime::exceptions::command_error& e) {
        // STARTTLS refused, MAIL FROM / RCPT TO / DATA refused: the server's words say which.
        return std::unexpected("SMTP server at " + where + " refused " + sanitised(e.command()) + ": " +
                               sanitised(e.response()));
    } catch (const vmime::exceptions::socket_exception& e) {
        return std::unexpected("cannot connect to " + where + ": " + sanitised(e.what()));
    } catch (const vmime::exception& e) {
        return std::unexpected("SMTP to " + where + " failed: " + sanitised(e.what()));
    } catch (const std::exception& e) {
        return std::unexpected("SMTP to " + where + " failed: " + sanitised(e.what()));
    }
}

} // namespace ndr::agent::smtp
