// input_files.cpp — PATH arguments to messages. See input_files.hpp.
#include "agent/input_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classifiers/parse.hpp"

namespace ndr::agent {
namespace fs = std::filesystem;

namespace {

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

} // namespace

ExpandedInputs expand_paths(const std::vector<std::string>& paths) {
    ExpandedInputs r;
    for (const auto& p : paths) {
        if (p == "-") {
            r.files.push_back(p);
            continue;
        }
        // stat(2) itself, as fs::status() would call it, without building an fs::path (which splits
        // the path into its components: most of the cost per file of a long file list).
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) {
            r.errors.push_back({p, std::error_code(errno, std::generic_category()).message()});
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            std::error_code ec;
            fs::path dir(p);
            bool maildir = fs::is_directory(dir / "cur", ec) || fs::is_directory(dir / "new", ec);
            if (maildir) {
                std::vector<std::string> files;
                for (const char* sub : {"cur", "new"})
                    if (fs::is_directory(dir / sub, ec)) list_regular_files(dir / sub, files, r.errors);
                r.files.insert(r.files.end(), files.begin(), files.end());
            } else {
                list_regular_files(dir, r.files, r.errors);
            }
            continue;
        }
        r.files.push_back(p);
    }
    return r;
}

bool read_input(const std::string& path, std::string& data, std::string* error) {
    data.clear();
    if (path == "-") {
        std::cin.clear();
        data.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        if (std::cin.bad()) {
            if (error) *error = "read error on standard input";
            return false;
        }
        return true;
    }
    // open() and read() straight into `data`, not stdio: a FILE is one more buffer (allocated and
    // freed per file, which also made malloc consolidate its free lists every time) and one more copy.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (error) *error = std::strerror(errno);
        return false;
    }
    // A regular file's size is how much to ask for (one byte more, so that the read that finds the
    // end needs no room of its own); the loop reads on to the real end in any case.
    std::size_t want = 65536;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        want = static_cast<std::size_t>(st.st_size) + 1;
    int err = 0;
    for (;;) {
        const std::size_t len = data.size();
        const std::size_t room = len < want ? want - len : 65536;
        ssize_t got = 0;
        data.resize_and_overwrite(len + room, [&](char* p, std::size_t) {
            got = ::read(fd, p + len, room);
            return len + (got > 0 ? static_cast<std::size_t>(got) : 0);
        });
        if (got > 0) continue;
        if (got == 0) break;
        if (errno == EINTR) continue;
        err = errno;
        break;
    }
    ::close(fd);
    if (err != 0) {
        if (error) *error = std::strerror(err);
        return false;
    }
    return true;
}

std::vector<InputError> for_each_message(const std::vector<std::string>& paths, const MessageVisitor& f) {
    ExpandedInputs in = expand_paths(paths);
    std::vector<InputError> errors = std::move(in.errors);
    std::string data;
    for (const auto& file : in.files) {
        std::string err;
        if (!read_input(file, data, &err)) {
            errors.push_back({file, err});
            continue;
        }
        std::vector<std::string_view> messages = classifiers::split_mbox(data);
        for (std::size_t i = 0; i < messages.size(); ++i) f(file, i, messages[i]);
    }
    return errors;
}

} // namespace ndr::agent
