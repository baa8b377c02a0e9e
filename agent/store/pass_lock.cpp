// pass_lock.cpp — flock(2) on "<state>.lock" (see pass_lock.hpp).
#include "agent/store/pass_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace ndr::agent::store {

namespace {

// "pid 1234" from the lock file's content, or "" when it holds no plausible pid.
std::string holder_of(int fd) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return "";
    std::string pid;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9' && pid.size() < 10; ++i)
        pid += buf[i];
    return pid.empty() ? "" : "pid " + pid;
}

} // namespace

std::expected<PassLock, std::string> PassLock::acquire(const std::string& state_path,
                                                       std::chrono::milliseconds wait,
                                                       const std::function<void(const std::string&)>& waiting,
                                                       const std::function<bool()>& stop) {
    const std::string path = path_for(state_path);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return std::unexpected(path + ": cannot open the pass lock: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return std::unexpected(path + ": the pass lock is not a regular file");
    }
    // No deadline for k_forever: steady_clock's nanoseconds cannot hold now + milliseconds::max().
    const bool forever = wait == k_forever;
    const auto deadline = std::chrono::steady_clock::now() + (forever ? std::chrono::milliseconds(0) : wait);
    bool told = false;
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            return std::unexpected(path + ": cannot lock: " + why);
        }
        const std::string holder = holder_of(fd);
        if (!told && waiting) waiting(holder);
        told = true;
        if ((!forever && std::chrono::steady_clock::now() >= deadline) || (stop && stop())) {
            ::close(fd);
            return std::unexpected(path + ": another ndr-triage pass" +
                                   (holder.empty() ? "" : " (" + holder + ")") +
                                   " holds this state database");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    // Ours now: record who holds it (best effort; the lock itself is the flock, not the content).
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0) {
        [[maybe_unused]] const ssize_t w = ::pwrite(fd, pid.data(), pid.size(), 0);
    }
    return PassLock(fd);
}

std::optional<std::string> PassLock::holder(const std::string& state_path) {
    const std::string path = path_for(state_path);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return std::nullopt;
    std::optional<std::string> out;
    // A shared lock is refused while a pass holds the exclusive one; granted, it is dropped at once.
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) out = holder_of(fd);
    ::close(fd);
    return out;
}

PassLock::PassLock(PassLock&& other) noexcept : m_fd(other.m_fd) {
    other.m_fd = -1;
}

PassLock& PassLock::operator=(PassLock&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

PassLock::~PassLock() {
    // The pid goes with the lock (a later holder that writes none, flock(1) say, is not named after
    // us); closing the descriptor releases the flock. A killed holder leaves its pid, but no lock.
    if (m_fd >= 0) {
        [[maybe_unused]] const int t = ::ftruncate(m_fd, 0);
        ::close(m_fd);
    }
}

} // namespace ndr::agent::store
