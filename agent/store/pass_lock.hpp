// pass_lock.hpp — one pass at a time on a state database: the service (`run`) and a one-shot `scan` of
// the same state would otherwise fetch, record and draft side by side (each correct on its own, but
// both marking the same messages and racing to put a draft's copy in the IMAP Drafts folder).
//
// An advisory flock(2) on "<state>.lock" (created 0600 beside the database, never removed: removing
// it would let a third process lock a new file while the second holds the old one). The kernel drops
// the lock when the process exits, SIGKILL included, so a crashed pass never leaves the state locked.
// The file holds the holder's pid, for the message a waiting process prints.
//
// Input trust: the path is configuration or a command-line argument; a symlink at the lock path is
// refused (O_NOFOLLOW).
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <optional>
#include <string>

namespace ndr::agent::store {

class PassLock {
  public:
    // A wait with no end (the service between its passes: only `stop` ends it).
    static constexpr std::chrono::milliseconds k_forever = std::chrono::milliseconds::max();

    // Tries until `wait` has passed (0: once; k_forever: until `stop`), calling `waiting(holder)` once when
    // the first try fails ("pid 1234", or "" when the file names nobody) and `stop()` between tries (true:
    // give up). The error names the lock file and the holder.
    static std::expected<PassLock, std::string>
    acquire(const std::string& state_path, std::chrono::milliseconds wait,
            const std::function<void(const std::string&)>& waiting = {},
            const std::function<bool()>& stop = {});
    PassLock(PassLock&& other) noexcept;
    PassLock& operator=(PassLock&& other) noexcept;
    PassLock(const PassLock&) = delete;
    PassLock& operator=(const PassLock&) = delete;
    ~PassLock();

    // Whether a pass holds the lock now (for `status`): "pid 1234", "" when the file names nobody, or
    // nullopt when no pass holds it (or there is no lock file). Never creates or changes the file.
    static std::optional<std::string> holder(const std::string& state_path);

    // The lock file's path ("<state>.lock").
    static std::string path_for(const std::string& state_path) { return state_path + ".lock"; }

  private:
    explicit PassLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace ndr::agent::store
