// atomic_file.cpp — temporary file, fsync, fchmod, rename (see atomic_file.hpp).
#include "agent/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace ndr::agent {

std::expected<void, std::string> write_file_atomically(const std::string& path, std::string_view content,
                                                       mode_t mode) {
    if (path.empty()) return std::unexpected(std::string("no file name given"));
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    // A dot file, so that a collector reading "*.prom" never picks up the temporary one.
    std::string tmpl = (dir == "/" ? std::string() : dir) + "/." + base + ".XXXXXX";
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    const int fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd < 0)
        return std::unexpected(path + ": cannot create a temporary file in " + dir + ": " +
                               std::strerror(errno));
    const auto fail = [&](std::string_view step) {
        const std::string message = path + ": " + std::string(step) + ": " + std::strerror(errno);
        ::close(fd);
        ::unlink(name.data());
        return std::unexpected(message);
    };
    std::size_t done = 0;
    while (done < content.size()) {
        const auto n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("write");
        done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, mode) != 0) return fail("chmod");
    if (::fsync(fd) != 0) return fail("fsync");
    if (::close(fd) != 0) {
        const std::string message = path + ": close: " + std::strerror(errno);
        ::unlink(name.data());
        return std::unexpected(message);
    }
    if (::rename(name.data(), path.c_str()) != 0) {
        const std::string message = path + ": rename: " + std::strerror(errno);
        ::unlink(name.data());
        return std::unexpected(message);
    }
    return {};
}

} // namespace ndr::agent
