// vmime_support.cpp — see vmime_support.hpp.
#include "agent/sources/vmime_support.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>
#include <vmime/platforms/posix/posixHandler.hpp>
#include <vmime/security/cert/X509Certificate.hpp>
#include <vmime/security/cert/defaultCertificateVerifier.hpp>
#include <vmime/vmime.hpp>

namespace ndr::agent {

void ensure_vmime_platform() {
    static std::once_flag once;
    std::call_once(once, [] { vmime::platform::setHandler<vmime::platforms::posix::posixHandler>(); });
}

namespace {

class HostBoundVerifier final : public vmime::security::cert::certificateVerifier {
  public:
    HostBoundVerifier(vmime::shared_ptr<vmime::security::cert::defaultCertificateVerifier> inner, std::string host)
        : m_inner(std::move(inner)), m_host(std::move(host)) {}
    void verify(vmime::shared_ptr<vmime::security::cert::certificateChain> chain,
                const vmime::string& /* vmime's peer name */) override {
        m_inner->verify(chain, m_host);
    }

  private:
    vmime::shared_ptr<vmime::security::cert::defaultCertificateVerifier> m_inner;
    std::string m_host;
};

// The platform's socket, with getPeerName() answering the host it was asked to connect to, and reads
// and writes through buffers of its own. (vmime does not export posixSocket, so this wraps rather than
// derives.)
//
// Why the read buffer: GnuTLS reads a TLS record's header and then its body, each with a read of this
// socket, and the platform socket makes every read a poll() and a recv(): a first scan of 10,000
// messages took 13,900 of each. One recv() of up to 64 KiB now takes whatever has arrived, and GnuTLS's
// reads are served from it.
//
// Why the write buffer: vmime writes an IMAP command in four pieces (tag, space, text, CRLF), over TLS
// four records, each a send() of its own. TCP's Nagle algorithm holds the second until the server
// acknowledges the first, and a server waiting for the rest of a line delays that acknowledgement
// (40 ms on Linux): through a relay with a 10 ms round trip, vmime's LOGIN and LIST took 54 to 65 ms
// each, and the whole connect phase of a scan 230 ms. Writes are now kept until the socket is about to
// wait for the peer (a read with nothing buffered, waitForRead(), disconnect()) or 16 KiB are waiting,
// and go out as one send(). (The platform socket does not expose its descriptor for TCP_NODELAY.)
class NamedSocket final : public vmime::net::socket {
  public:
    explicit NamedSocket(vmime::shared_ptr<vmime::net::socket> inner)
        : m_inner(std::move(inner)), m_buffer(64 * 1024) {}
    void connect(const vmime::string& address, const vmime::port_t port) override {
        m_address = address;
        m_begin = m_end = 0;
        m_inner->connect(address, port);
    }
    const vmime::string getPeerName() const override { return m_address; }

    void disconnect() override {
        m_begin = m_end = 0;
        try {
            flush(); // a last command or TLS close_notify
        } catch (const vmime::exception&) {
            // The connection is going anyway.
        }
        m_out.clear();
        m_inner->disconnect();
    }
    bool isConnected() const override { return m_inner->isConnected(); }
    bool waitForRead(const int msecs) override {
        if (m_begin != m_end) return true;
        flush(); // the peer may be waiting for what is queued
        return m_inner->waitForRead(msecs);
    }
    bool waitForWrite(const int msecs) override { return m_inner->waitForWrite(msecs); }
    void receive(vmime::string& buffer) override {
        if (m_begin == m_end) {
            flush();
            return m_inner->receive(buffer);
        }
        buffer.assign(reinterpret_cast<const char*>(m_buffer.data() + m_begin), m_end - m_begin);
        m_begin = m_end;
    }
    size_t receiveRaw(vmime::byte_t* buffer, const size_t count) override {
        if (count == 0) return 0;
        if (m_begin == m_end) {
            flush();
            // 0: nothing within the platform's short wait (its status says would-block), as before.
            const size_t got = m_inner->receiveRaw(m_buffer.data(), m_buffer.size());
            if (got == 0) return 0;
            m_begin = 0;
            m_end = got;
        }
        const size_t n = std::min(count, m_end - m_begin);
        std::memcpy(buffer, m_buffer.data() + m_begin, n);
        m_begin += n;
        return n;
    }
    void send(const vmime::string& buffer) override {
        queue(reinterpret_cast<const vmime::byte_t*>(buffer.data()), buffer.size());
    }
    void send(const char* str) override {
        queue(reinterpret_cast<const vmime::byte_t*>(str), std::strlen(str));
    }
    void sendRaw(const vmime::byte_t* buffer, const size_t count) override { queue(buffer, count); }
    // Taken whole into the write buffer (sent, blocking, once it is full or before the next wait).
    size_t sendRawNonBlocking(const vmime::byte_t* buffer, const size_t count) override {
        queue(buffer, count);
        return count;
    }
    size_t getBlockSize() const override { return m_inner->getBlockSize(); }
    unsigned int getStatus() const override { return m_inner->getStatus(); }
    const vmime::string getPeerAddress() const override { return m_inner->getPeerAddress(); }
    vmime::shared_ptr<vmime::net::timeoutHandler> getTimeoutHandler() override { return m_inner->getTimeoutHandler(); }
    void setTracer(vmime::shared_ptr<vmime::net::tracer> tracer) override { m_inner->setTracer(std::move(tracer)); }
    vmime::shared_ptr<vmime::net::tracer> getTracer() override { return m_inner->getTracer(); }

  private:
    static constexpr size_t k_write_buffer = 16 * 1024;
    void queue(const vmime::byte_t* data, size_t count) {
        m_out.insert(m_out.end(), data, data + count);
        if (m_out.size() >= k_write_buffer) flush();
    }
    // Sends what is queued (the platform socket's sendRaw: blocking, within its timeout handler).
    void flush() {
        if (m_out.empty()) return;
        std::vector<vmime::byte_t> out;
        out.swap(m_out); // a send that throws leaves nothing queued to repeat
        m_inner->sendRaw(out.data(), out.size());
        if (m_out.empty()) { // keep the allocation for the next command
            out.clear();
            m_out.swap(out);
        }
    }

    vmime::shared_ptr<vmime::net::socket> m_inner;
    vmime::string m_address;
    std::vector<vmime::byte_t> m_buffer;
    size_t m_begin = 0; // unread bytes are m_buffer[m_begin, m_end)
    size_t m_end = 0;
    std::vector<vmime::byte_t> m_out; // written, not sent yet
};

class NamedSocketFactory final : public vmime::net::socketFactory {
  public:
    vmime::shared_ptr<vmime::net::socket> create() override {
        return vmime::make_shared<NamedSocket>(platform_factory()->create());
    }
    vmime::shared_ptr<vmime::net::socket> create(vmime::shared_ptr<vmime::net::timeoutHandler> th) override {
        return vmime::make_shared<NamedSocket>(platform_factory()->create(std::move(th)));
    }

  private:
    static vmime::shared_ptr<vmime::net::socketFactory> platform_factory() {
        ensure_vmime_platform();
        return vmime::platform::getHandler()->getSocketFactory();
    }
};

} // namespace

vmime::shared_ptr<vmime::net::socketFactory> make_socket_factory() {
    return vmime::make_shared<NamedSocketFactory>();
}

std::expected<vmime::shared_ptr<vmime::security::cert::certificateVerifier>, std::string>
make_certificate_verifier(const std::string& ca_file, const std::string& host) {
    const std::string path = ca_file.empty() ? std::string(k_system_ca_file) : ca_file;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected("CA file " + path + ": cannot be read");
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    constexpr std::string_view k_begin = "-----BEGIN CERTIFICATE-----";
    constexpr std::string_view k_end = "-----END CERTIFICATE-----";
    std::vector<vmime::shared_ptr<vmime::security::cert::X509Certificate>> certs;
    std::size_t pos = 0;
    try {
        while ((pos = text.find(k_begin, pos)) != std::string::npos) {
            auto end = text.find(k_end, pos);
            if (end == std::string::npos) break;
            end += k_end.size();
            auto block = text.substr(pos, end - pos) + "\n";
            auto cert = vmime::security::cert::X509Certificate::import(
                reinterpret_cast<const vmime::byte_t*>(block.data()), block.size());
            if (cert) certs.push_back(cert);
            pos = end;
        }
    } catch (const vmime::exception&) {
        return std::unexpected("CA file " + path + ": a certificate in it cannot be read");
    }
    if (certs.empty()) return std::unexpected("CA file " + path + ": no PEM certificate in it");
    auto verifier = vmime::make_shared<vmime::security::cert::defaultCertificateVerifier>();
    verifier->setX509RootCAs(certs);
    return vmime::make_shared<HostBoundVerifier>(std::move(verifier), host);
}

} // namespace ndr::agent
