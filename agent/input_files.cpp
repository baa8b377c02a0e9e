// input_files.cpp — PATH arguments to messages. See input_files.hpp.
//
// The system calls per file are most of the cost of reading it (the corpus's files are 4 KB on
// average): for_each_message() opens each argument relative to its directory's descriptor, asks
// fstat(2) for its kind and size and reads it with one read(2), so that a file takes openat, fstat,
// read and close (it took stat and open of the whole path, fstat, two reads and close).
#include "agent/input_files.hpp"

#include "classifiers/parse.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace ndr::agent {
namespace fs = std::filesystem;

namespace {

std::string errno_message(int err) {
    return std::error_code(err, std::generic_category()).message();
}

void list_regular_files(const fs::path& dir, std::vector<std::string>& out, std::vector<InputError>& errors) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
        errors.push_back({dir.string(), ec.message()});
        return;
    }
    std::vector<std::string> names;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) {
            errors.push_back({dir.string(), ec.message()});
            break;
        }
        const auto name = it->path().filename().string();
        if (name.starts_with(".")) continue;
        std::error_code ec2;
        if (it->is_regular_file(ec2)) names.push_back(it->path().string());
    }
    std::sort(names.begin(), names.end());
    out.insert(out.end(), names.begin(), names.end());
}

// The files of directory `p`: a maildir's cur/ and new/, or its own.
void expand_directory(const std::string& p, std::vector<std::string>& files,
                      std::vector<InputError>& errors) {
    std::error_code ec;
    fs::path dir(p);
    bool maildir = fs::is_directory(dir / "cur", ec) || fs::is_directory(dir / "new", ec);
    if (maildir) {
        std::vector<std::string> found;
        for (const char* sub : {"cur", "new"})
            if (fs::is_directory(dir / sub, ec)) list_regular_files(dir / sub, found, errors);
        files.insert(files.end(), found.begin(), found.end());
    } else {
        list_regular_files(dir, files, errors);
    }
}

// The directory of the last path opened, kept open: the next file in it is opened and stat'ed
// relative to it (openat(2), fstatat(2)), so that the kernel looks up one path component per file
// instead of every directory on the way (a long list of absolute paths in one directory is the usual
// input). The answers are those of the whole path: a directory that cannot be opened so (or a path
// too long for the kernel to take whole) is left to the whole path.
class DirCache {
  public:
    DirCache() = default;
    DirCache(const DirCache&) = delete;
    DirCache& operator=(const DirCache&) = delete;
    ~DirCache() {
        if (m_fd >= 0) ::close(m_fd);
    }

    struct At {
        int fd;
        const char* name;
    };
    At at(const std::string& path) {
        const std::size_t slash = path.rfind('/');
        if (slash == std::string::npos || slash + 1 == path.size() || path.size() >= PATH_MAX)
            return {AT_FDCWD, path.c_str()};
        const std::string_view dir(path.data(), slash == 0 ? 1 : slash);
        if (!m_opened || dir != m_dir) {
            if (m_fd >= 0) ::close(m_fd);
            m_dir.assign(dir);
            m_fd = ::open(m_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
            m_opened = true;
        }
        if (m_fd < 0) return {AT_FDCWD, path.c_str()};
        return {m_fd, path.c_str() + slash + 1};
    }

  private:
    std::string m_dir;
    int m_fd = -1;
    bool m_opened = false;
};

// open(2) for reading, without updating the access time where the kernel allows that (the owner or
// CAP_FOWNER; a refusal is EPERM, after the permission checks, and is remembered in `noatime`).
int open_for_reading(DirCache::At at, bool& noatime) {
    if (noatime) {
        const int fd = ::openat(at.fd, at.name, O_RDONLY | O_CLOEXEC | O_NOATIME);
        if (fd >= 0 || errno != EPERM) return fd;
        noatime = false;
    }
    return ::openat(at.fd, at.name, O_RDONLY | O_CLOEXEC);
}

// Reads fd to its end into `data` (straight into it: no stdio buffer, one copy). A regular file's
// size (st: its fstat(2), or null) is how much to ask for, one byte more: a read that comes back short
// with all of it is the end. Anything else is read on until read() returns 0. Returns 0 or the errno
// of the failed read.
int read_all(int fd, const struct stat* st, std::string& data) {
    data.clear();
    std::size_t want = 65536, size = 0;
    bool regular = false;
    if (st != nullptr && S_ISREG(st->st_mode) && st->st_size > 0) {
        size = static_cast<std::size_t>(st->st_size);
        want = size + 1;
        regular = true;
    }
    for (;;) {
        const std::size_t len = data.size();
        const std::size_t room = len < want ? want - len : 65536;
        ssize_t got = 0;
        data.resize_and_overwrite(len + room, [&](char* p, std::size_t) {
            got = ::read(fd, p + len, room);
            return len + (got > 0 ? static_cast<std::size_t>(got) : 0);
        });
        if (got > 0) {
            if (regular && static_cast<std::size_t>(got) < room && data.size() == size) break;
            continue;
        }
        if (got == 0) break;
        if (errno == EINTR) continue;
        return errno;
    }
    return 0;
}

bool read_stdin(std::string& data, std::string* error) {
    data.clear();
    std::cin.clear();
    data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (std::cin.bad()) {
        if (error) *error = "read error on standard input";
        return false;
    }
    return true;
}

// read_input(), opening through the directory cache.
bool read_file(DirCache& dirs, bool& noatime, const std::string& path, std::string& data,
               std::string* error) {
    if (path == "-") return read_stdin(data, error);
    const int fd = open_for_reading(dirs.at(path), noatime);
    if (fd < 0) {
        if (error) *error = std::strerror(errno);
        data.clear();
        return false;
    }
    struct stat st {};
    const int err = read_all(fd, ::fstat(fd, &st) == 0 ? &st : nullptr, data);
    ::close(fd);
    if (err != 0) {
        if (error) *error = std::strerror(err);
        return false;
    }
    return true;
}

} // namespace

ExpandedInputs expand_paths(const std::vector<std::string>& paths) {
    ExpandedInputs r;
    DirCache dirs;
    for (const auto& p : paths) {
        if (p == "-") {
            r.files.push_back(p);
            continue;
        }
        // stat(2) itself, as fs::status() would call it, without building an fs::path (which splits
        // the path into its components: most of the cost per file of a long file list).
        struct stat st {};
        const DirCache::At at = dirs.at(p);
        if (::fstatat(at.fd, at.name, &st, 0) != 0) {
            r.errors.push_back({p, errno_message(errno)});
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            expand_directory(p, r.files, r.errors);
            continue;
        }
        r.files.push_back(p);
    }
    return r;
}

bool read_input(const std::string& path, std::string& data, std::string* error) {
    DirCache dirs;
    bool noatime = true;
    return read_file(dirs, noatime, path, data, error);
}

// As expand_paths() and then read_input() for each file, with the same answers and errors (those of
// the expansion first, then those of reading), but a file argument is opened first, without a stat(2)
// of its own: its descriptor tells whether it is a directory, and its size. Only when the open fails
// does a stat tell a path that does not exist (an expansion error) from a file that cannot be read.
std::vector<InputError> for_each_message(const std::vector<std::string>& paths, const MessageVisitor& f) {
    std::vector<InputError> errors, read_errors;
    DirCache dirs;
    bool noatime = true;
    std::string data;
    auto deliver = [&](const std::string& file) {
        // A file whose first line is not a "From " line is one message (split_mbox()'s answer,
        // without its list).
        if (!data.starts_with("From ")) {
            f(file, 0, data);
            return;
        }
        std::vector<std::string_view> messages = classifiers::split_mbox(data);
        for (std::size_t i = 0; i < messages.size(); ++i)
            f(file, i, messages[i]);
    };
    auto read_each = [&](const std::vector<std::string>& files) {
        for (const auto& file : files) {
            std::string err;
            if (!read_file(dirs, noatime, file, data, &err)) {
                read_errors.push_back({file, err});
                continue;
            }
            deliver(file);
        }
    };
    auto directory = [&](const std::string& p) {
        std::vector<std::string> files;
        expand_directory(p, files, errors);
        read_each(files);
    };
    for (const auto& p : paths) {
        if (p == "-") {
            std::string err;
            if (!read_stdin(data, &err))
                read_errors.push_back({p, err});
            else
                deliver(p);
            continue;
        }
        const DirCache::At at = dirs.at(p);
        const int fd = open_for_reading(at, noatime);
        if (fd < 0) {
            const int open_error = errno;
            struct stat st {};
            if (::fstatat(at.fd, at.name, &st, 0) != 0)
                errors.push_back({p, errno_message(errno)});
            else if (S_ISDIR(st.st_mode))
                directory(p);
            else
                read_errors.push_back({p, std::strerror(open_error)});
            continue;
        }
        struct stat st {};
        const bool known = ::fstat(fd, &st) == 0;
        if (known && S_ISDIR(st.st_mode)) {
            ::close(fd);
            directory(p);
            continue;
        }
        const int err = read_all(fd, known ? &st : nullptr, data);
        ::close(fd);
        if (err != 0) {
            read_errors.push_back({p, std::strerror(err)});
            continue;
        }
        deliver(p);
    }
    errors.insert(errors.end(), std::make_move_iterator(read_errors.begin()),
                  std::make_move_iterator(read_errors.end()));
    return errors;
}

} // namespace ndr::agent
