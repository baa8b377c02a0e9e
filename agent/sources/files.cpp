// files.cpp — .eml files as a MailSource, and the local-source helpers.
#include "agent/sources/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include "classifiers/limits.hpp"

namespace ndr::agent {

std::uint32_t stable_hash32(const std::vector<std::string>& parts) {
    std::uint32_t h = 2166136261u;
    for (const auto& part : parts) {
        for (unsigned char c : part) {
            h ^= c;
            h *= 16777619u;
        }
        h ^= 0;
        h *= 16777619u;
    }
    return h == 0 ? 1 : h;
}

std::optional<std::string> read_file_capped(const std::string& path, std::size_t max_bytes, std::uint64_t* total) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const int saved = S_ISREG(st.st_mode) ? errno : EISDIR;
        ::close(fd);
        errno = saved;
        return std::nullopt;
    }
    if (total != nullptr) *total = static_cast<std::uint64_t>(st.st_size);
    std::string data;
    data.resize(std::min<std::uint64_t>(static_cast<std::uint64_t>(st.st_size), max_bytes));
    std::size_t got = 0;
    while (got < data.size()) {
        const auto n = ::read(fd, data.data() + got, data.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int saved = errno;
            ::close(fd);
            errno = saved;
            return std::nullopt;
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    data.resize(got);
    return data;
}

std::string file_mtime_rfc3339(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    std::tm tm{};
    const std::time_t t = st.st_mtime;
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string absolute_path(const std::string& path) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(path, ec);
    return ec ? path : abs.lexically_normal().string();
}

FilesSource::FilesSource(std::vector<std::string> paths) : m_paths(std::move(paths)) {}

FolderState FilesSource::open() {
    std::vector<std::string> parts{"files"};
    for (const auto& p : m_paths) {
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) throw std::runtime_error(p + ": " + std::strerror(errno));
        if (!S_ISREG(st.st_mode)) throw std::runtime_error(p + ": not a regular file");
        parts.push_back(absolute_path(p));
        parts.push_back(std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
                        std::to_string(st.st_mtim.tv_nsec));
    }
    return FolderState{"files", "(command line)", stable_hash32(parts), static_cast<std::uint32_t>(m_paths.size() + 1)};
}

std::vector<std::uint32_t> FilesSource::list_after(std::uint32_t after_uid) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t uid = after_uid + 1; uid <= m_paths.size(); ++uid) out.push_back(uid);
    return out;
}

std::optional<SourceMessage> FilesSource::fetch(std::uint32_t uid) {
    if (uid == 0 || uid > m_paths.size()) return std::nullopt;
    const auto& path = m_paths[uid - 1];
    auto data = read_file_capped(path, classifiers::k_max_message_bytes);
    if (!data) {
        if (errno == ENOENT) return std::nullopt;
        throw std::runtime_error(path + ": " + std::strerror(errno));
    }
    // A copied .eml file's mtime says nothing about the bounce: dates come from the message itself.
    return SourceMessage{uid, path, std::move(*data), {}};
}

} // namespace ndr::agent
