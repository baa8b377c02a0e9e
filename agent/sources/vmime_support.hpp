// vmime_support.hpp — what every vmime 0.9.2 client here needs: the platform handler, a timeout
// handler (without one a silent server blocks forever), a certificate verifier that trusts every
// certificate of a PEM bundle (vmime's own import reads only the first) and checks the host name we
// were configured with, and a socket factory whose sockets never look up the peer's reverse DNS.
// Used by the IMAP source, the Drafts writer and the SMTP sender.
//
// Why the last two: vmime's POSIX socket answers getPeerName() for a numeric address with the
// address's PTR name (getnameinfo, NI_NAMEREQD), and its TLS sockets verify the certificate against
// that name. So `host = "192.0.2.10"` was checked against whatever the reverse DNS said (a DNS query
// the operator never asked for, and a name whoever controls that PTR chooses) instead of against the
// address itself.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <vmime/net/socket.hpp>
#include <vmime/net/timeoutHandler.hpp>
#include <vmime/security/cert/certificateVerifier.hpp>

namespace ndr::agent {

inline constexpr std::string_view k_system_ca_file = "/etc/ssl/certs/ca-certificates.crt";

// Installs the POSIX platform handler once per process.
void ensure_vmime_platform();

// Times out after `seconds` without data (vmime resets it on every byte).
class VmimeTimeoutHandler final : public vmime::net::timeoutHandler {
  public:
    explicit VmimeTimeoutHandler(int seconds) : m_limit(seconds) { resetTimeOut(); }
    bool isTimeOut() override { return std::chrono::steady_clock::now() - m_start >= m_limit; }
    void resetTimeOut() override { m_start = std::chrono::steady_clock::now(); }
    bool handleTimeOut() override { return false; }

  private:
    std::chrono::seconds m_limit;
    std::chrono::steady_clock::time_point m_start;
};

class VmimeTimeoutFactory final : public vmime::net::timeoutHandlerFactory {
  public:
    explicit VmimeTimeoutFactory(int seconds) : m_seconds(seconds) {}
    vmime::shared_ptr<vmime::net::timeoutHandler> create() override {
        auto h = vmime::make_shared<VmimeTimeoutHandler>(m_seconds);
        m_last = h;
        return h;
    }
    vmime::shared_ptr<vmime::net::timeoutHandler> last() const { return m_last; }

  private:
    int m_seconds;
    vmime::shared_ptr<vmime::net::timeoutHandler> m_last;
};

// A verifier trusting every certificate in `ca_file` (empty: the system store) that checks the
// certificate against `host` (a name, or an address against the certificate's IP entries), whatever
// name vmime passes. Errors name the file.
std::expected<vmime::shared_ptr<vmime::security::cert::certificateVerifier>, std::string>
make_certificate_verifier(const std::string& ca_file, const std::string& host);

// Plain POSIX sockets whose getPeerName() is the host they were asked to connect to.
vmime::shared_ptr<vmime::net::socketFactory> make_socket_factory();

} // namespace ndr::agent
