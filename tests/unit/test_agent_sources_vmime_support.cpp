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
    vmime::port_t port = 0;
    const int listener = loopback_listener(port);

    auto socket = make_socket_factory()->create(vmime::make_shared<VmimeTimeoutHandler>(5));
    socket->connect("127.0.0.1", port);
    const int peer = ::accept(listener, nullptr, nullptr);
    REQUIRE(peer >= 0);
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
    ::close(peer);
    ::close(listener);
}
