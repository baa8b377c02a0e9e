// sd_notify.cpp — see sd_notify.hpp.
#include "agent/sd_notify.hpp"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace ndr::agent {

bool sd_notify(std::string_view state) {
    const char* env = std::getenv("NOTIFY_SOCKET");
    if (env == nullptr || env[0] == '\0') return false;
    std::string path(env);
    if (path[0] != '/' && path[0] != '@') return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() > sizeof(addr.sun_path) - (path[0] == '/' ? 1 : 0)) return false;
    std::memcpy(addr.sun_path, path.data(), path.size());
    if (path[0] == '@') addr.sun_path[0] = '\0'; // abstract namespace
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (path[0] == '/' ? 1 : 0));

    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr), len);
    ::close(fd);
    return sent == static_cast<ssize_t>(state.size());
}

std::optional<std::chrono::microseconds> sd_watchdog_period() {
    const char* usec = std::getenv("WATCHDOG_USEC");
    if (usec == nullptr) return std::nullopt;
    char* end = nullptr;
    const unsigned long long value = std::strtoull(usec, &end, 10);
    if (end == usec || *end != '\0' || value == 0) return std::nullopt;
    if (const char* pid = std::getenv("WATCHDOG_PID")) {
        char* pend = nullptr;
        const long long p = std::strtoll(pid, &pend, 10);
        if (pend == pid || *pend != '\0' || p != static_cast<long long>(::getpid())) return std::nullopt;
    }
    return std::chrono::microseconds(value);
}

} // namespace ndr::agent
