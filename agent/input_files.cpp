// input_files.cpp — PATH arguments to messages. See input_files.hpp.
#include "agent/input_files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>

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
        std::error_code ec;
        fs::file_status st = fs::status(p, ec);
        if (ec || !fs::exists(st)) {
            r.errors.push_back({p, ec ? ec.message() : std::string("No such file or directory")});
            continue;
        }
        if (fs::is_directory(st)) {
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
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        if (error) *error = std::strerror(errno);
        return false;
    }
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
    bool bad = std::ferror(f) != 0;
    int err = errno;
    std::fclose(f);
    if (bad) {
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
