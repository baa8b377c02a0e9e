// test_agent_sources_vmime_support.cpp — the socket factory every vmime client here uses: its sockets
// name the peer by the host they were asked for, so TLS checks the certificate against the configured
// host and no reverse DNS query leaves the machine (vmime's own socket looks up the PTR of a numeric
// address and verifies the certificate against that name).
#include "agent/sources/vmime_support.hpp"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <doctest/doctest.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vmime/vmime.hpp>

using namespace ndr::agent;

// Reverse lookups made through libc while a test runs: the executable's definitions interpose libc's
// for libvmime too, and forward to the real functions.
namespace {
int g_reverse_lookups = 0;
}
extern "C" int getnameinfo(const struct sockaddr* sa, socklen_t salen, char* host, socklen_t hostlen,
                           char* serv, socklen_t servlen, int flags) {
    if (host != nullptr && hostlen > 0) ++g_reverse_lookups;
    using Fn = int (*)(const struct sockaddr*, socklen_t, char*, socklen_t, char*, socklen_t, int);
    static const auto real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "getnameinfo"));
    return real(sa, salen, host, hostlen, serv, servlen, flags);
}
namespace {
int g_recv_calls = 0;
}
extern "C" ssize_t recv(int fd, void* buf, size_t len, int flags) {
    ++g_recv_calls;
    using Fn = ssize_t (*)(int, void*, size_t, int);
    static const auto real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "recv"));
    return real(fd, buf, len, flags);
}
namespace {
int g_send_calls = 0;
}
extern "C" ssize_t send(int fd, const void* buf, size_t len, int flags) {
    ++g_send_calls;
    using Fn = ssize_t (*)(int, const void*, size_t, int);
    static const auto real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "send"));
    return real(fd, buf, len, flags);
}
extern "C" struct hostent* gethostbyaddr(const void* addr, socklen_t len, int type) {
    ++g_reverse_lookups;
    using Fn = struct hostent* (*)(const void*, socklen_t, int);
    static const auto real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "gethostbyaddr"));
    return real(addr, len, type);
}

// A listening socket on 127.0.0.1 and its port (REQUIREs success).
static int loopback_listener(vmime::port_t& port) {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener, 1) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = static_cast<vmime::port_t>(ntohs(addr.sin_port));
    return listener;
}

// A socket from our factory connected to a loopback listener, and the listener's end of it.
struct Connected {
    int listener = -1;
    int peer = -1;
    vmime::shared_ptr<vmime::net::socket> socket;
    ~Connected() {
        ::close(peer);
        ::close(listener);
    }
};
static void connect_pair(Connected& c) {
    vmime::port_t port = 0;
    c.listener = loopback_listener(port);
    c.socket = make_socket_factory()->create(vmime::make_shared<VmimeTimeoutHandler>(5));
    c.socket->connect("127.0.0.1", port);
    c.peer = ::accept(c.listener, nullptr, nullptr);
    REQUIRE(c.peer >= 0);
}

TEST_CASE("vmime support: sockets name the peer by the configured host, without a reverse lookup") {
    vmime::port_t port = 0;
    const int listener = loopback_listener(port);

    auto socket = make_socket_factory()->create(vmime::make_shared<VmimeTimeoutHandler>(5));
    socket->connect("127.0.0.1", port);
    CHECK(socket->isConnected());
    g_reverse_lookups = 0;
    CHECK(socket->getPeerName() == "127.0.0.1");
    CHECK_MESSAGE(g_reverse_lookups == 0, "getPeerName() made ", g_reverse_lookups, " reverse lookups");
    CHECK(socket->getPeerAddress() == "127.0.0.1");
    socket->disconnect();
    CHECK_FALSE(socket->isConnected());
    ::close(listener);
}

TEST_CASE("vmime support: small reads of a socket are served from one recv, in order") {
    Connected c;
    connect_pair(c);
    auto& socket = c.socket;
    const int peer = c.peer;
    // What a TLS server sends: records, read by GnuTLS as a 5-byte header and then a body.
    std::string sent;
    for (int i = 0; i < 4000; ++i)
        sent.push_back(static_cast<char>('a' + i % 26));
    REQUIRE(::write(peer, sent.data(), sent.size()) == static_cast<ssize_t>(sent.size()));
    REQUIRE(socket->waitForRead(2000));

    g_recv_calls = 0;
    std::string got;
    vmime::byte_t chunk[7];
    while (got.size() < 3000) {
        const std::size_t n = socket->receiveRaw(chunk, sizeof chunk);
        if (n == 0) continue; // nothing within the platform's short wait
        got.append(reinterpret_cast<const char*>(chunk), n);
    }
    CHECK(got == sent.substr(0, got.size()));
    // ~430 reads of 7 bytes; the 4000 bytes were all there, so one recv() took them.
    CHECK(g_recv_calls == 1);
    // Bytes already read from the kernel count as readable, and receive() hands them out first.
    CHECK(socket->waitForRead(0));
    vmime::string rest;
    socket->receive(rest);
    got += rest;
    CHECK(got == sent);
    socket->disconnect();
}

// All that arrives from the peer, until it has `want` bytes or `ms` pass without more.
static std::string read_peer(int peer, std::size_t want, int ms) {
    std::string got;
    char buf[4096];
    while (got.size() < want) {
        pollfd p{peer, POLLIN, 0};
        if (::poll(&p, 1, ms) <= 0) break;
        const ssize_t n = ::read(peer, buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
}

TEST_CASE("vmime support: a command written in pieces leaves as one send when the socket waits") {
    Connected c;
    connect_pair(c);
    auto& socket = c.socket;
    const int peer = c.peer;

    // As vmime writes a command: tag, space, text, CRLF (over TLS, four records).
    g_send_calls = 0;
    socket->send("a001");
    socket->send(vmime::string(" "));
    const vmime::string text = "LOGIN user secret";
    socket->sendRaw(reinterpret_cast<const vmime::byte_t*>(text.data()), text.size());
    CHECK(socket->sendRawNonBlocking(reinterpret_cast<const vmime::byte_t*>("\r\n"), 2) == 2);
    CHECK(g_send_calls == 0);
    CHECK(read_peer(peer, 1, 50).empty()); // nothing left before the socket waits for the peer

    // Waiting for the reply sends the command first, whole and in order.
    CHECK_FALSE(socket->waitForRead(0));
    CHECK(g_send_calls == 1);
    CHECK(read_peer(peer, 25, 2000) == "a001 LOGIN user secret\r\n");

    // A read with nothing buffered sends what is queued first; one served from the socket's buffer
    // does not wait for the peer, and leaves it queued.
    REQUIRE(::write(peer, "a001 OK\r\n", 9) == 9);
    REQUIRE(socket->waitForRead(2000));
    vmime::byte_t b[4];
    std::size_t got = 0;
    while (got == 0)
        got = socket->receiveRaw(b, sizeof b); // takes the whole reply into the socket's buffer
    CHECK(g_send_calls == 1);
    socket->send("a002 NOOP\r\n");
    vmime::string rest;
    socket->receive(rest); // the rest of the reply, from the buffer
    CHECK(std::string(reinterpret_cast<const char*>(b), got) + rest == "a001 OK\r\n");
    CHECK(g_send_calls == 1);
    vmime::string none;
    socket->receive(none); // nothing buffered: the NOOP goes out before the socket reads
    CHECK(none.empty());
    CHECK(g_send_calls == 2);
    CHECK(read_peer(peer, 11, 2000) == "a002 NOOP\r\n");

    // A large write does not wait for a read: past 16 KiB it is sent.
    const std::string big(40000, 'x');
    socket->sendRaw(reinterpret_cast<const vmime::byte_t*>(big.data()), big.size());
    CHECK(g_send_calls >= 3);
    CHECK(read_peer(peer, big.size(), 2000) == big);

    // disconnect() sends what is still queued (a LOGOUT, a TLS close_notify).
    socket->send("a003 LOGOUT\r\n");
    socket->disconnect();
    CHECK(read_peer(peer, 13, 2000) == "a003 LOGOUT\r\n");
}
