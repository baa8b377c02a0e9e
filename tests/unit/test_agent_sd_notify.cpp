// test_agent_sd_notify.cpp — sd_notify() against a datagram socket of our own, path and abstract.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent/sd_notify.hpp"

namespace {

// Binds a datagram socket at `name` (a path, or "@..." for the abstract namespace).
int bind_datagram(const std::string& name) {
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::copy(name.begin(), name.end(), addr.sun_path);
    if (name[0] == '@') addr.sun_path[0] = '\0';
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + (name[0] == '@' ? 0 : 1));
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    return fd;
}

std::string receive(int fd) {
    char buf[256];
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

} // namespace

TEST_CASE("sd_notify: sends the state to a socket path and an abstract socket") {
    char dir[] = "/tmp/ndr-sdnotify.XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string names[] = {std::string(dir) + "/notify", "@ndr-sdnotify-" + std::to_string(::getpid())};
    for (const auto& name : names) {
        int fd = bind_datagram(name);
        ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
        CHECK(ndr::agent::sd_notify("READY=1"));
        std::string got = receive(fd);
        CHECK_MESSAGE(got == "READY=1", name, ": got ", got, ", want READY=1");
        ::close(fd);
    }
    ::unlink(names[0].c_str());
    ::rmdir(dir);
    ::unsetenv("NOTIFY_SOCKET");
}

TEST_CASE("sd_notify: does nothing without NOTIFY_SOCKET or with a bad one") {
    ::unsetenv("NOTIFY_SOCKET");
    CHECK_FALSE(ndr::agent::sd_notify("READY=1"));
    ::setenv("NOTIFY_SOCKET", "relative/path", 1);
    CHECK_FALSE(ndr::agent::sd_notify("READY=1"));
    ::setenv("NOTIFY_SOCKET", "/nonexistent/ndr-triage/notify", 1);
    CHECK_FALSE(ndr::agent::sd_notify("READY=1"));
    ::unsetenv("NOTIFY_SOCKET");
}

TEST_CASE("sd_notify: the watchdog period is read only for this process") {
    ::setenv("WATCHDOG_USEC", "3000000", 1);
    ::unsetenv("WATCHDOG_PID");
    auto p = ndr::agent::sd_watchdog_period();
    REQUIRE(p);
    CHECK(p->count() == 3000000);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
    CHECK_FALSE(ndr::agent::sd_watchdog_period());
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    CHECK(ndr::agent::sd_watchdog_period());
    ::setenv("WATCHDOG_USEC", "0", 1);
    CHECK_FALSE(ndr::agent::sd_watchdog_period());
    ::setenv("WATCHDOG_USEC", "12x", 1);
    CHECK_FALSE(ndr::agent::sd_watchdog_period());
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
}
