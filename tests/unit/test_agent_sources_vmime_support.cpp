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
extern "C" struct hostent* gethostbyaddr(const void* addr, socklen_t len, int type) {
    ++g_reverse_lookups;
    using Fn = struct hostent* (*)(const void*, socklen_t, int);
    static const auto real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "gethostbyaddr"));
    return real(addr, len, type);
}

TEST_CASE("vmime support: sockets name the peer by the configured host, without a reverse lookup") {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener, 1) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    const auto port = static_cast<vmime::port_t>(ntohs(addr.sin_port));

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
