// sd_notify.hpp — the systemd notification protocol without libsystemd: one datagram to $NOTIFY_SOCKET.
//
// Input trust: the environment is the service manager's. A socket path that does not fit sockaddr_un
// or a send that fails is reported as `false` and otherwise ignored (notifications are advisory).
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace ndr::agent {

// Sends `state` (e.g. "READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=...") to $NOTIFY_SOCKET: a path,
// or an abstract socket when it starts with '@'. False when the variable is unset or sending failed.
bool sd_notify(std::string_view state);

// The watchdog period from $WATCHDOG_USEC when it is set, positive and meant for this process
// ($WATCHDOG_PID unset or equal to getpid()); the service pings at half of it.
std::optional<std::chrono::microseconds> sd_watchdog_period();

} // namespace ndr::agent
