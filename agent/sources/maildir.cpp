// maildir.cpp — reads a maildir's cur/ and new/ without changing anything.
#include "agent/sources/maildir.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "agent/sources/files.hpp"
#include "classifiers/limits.hpp"

namespace ndr::agent {

namespace {

bool is_dir(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string unique_part(std::string_view name) {
    const auto colon = name.find(':');
    return std::string(colon == std::string_view::npos ? name : name.substr(0, colon));
}

// Regular, non-hidden files of dir/sub; throws when the directory exists but cannot be read.
void list_dir(const std::string& dir, const char* sub, std::vector<std::pair<std::string, std::string>>& out) {
    const std::string path = dir + "/" + sub;
    DIR* d = ::opendir(path.c_str());
    if (d == nullptr) {
        if (errno == ENOENT) return;
        throw std::runtime_error(path + ": " + std::strerror(errno));
    }
    while (const dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        const std::string file = path + "/" + e->d_name;
        if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN) continue;
        if (e->d_type == DT_UNKNOWN) {
            struct stat st {};
            if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        }
        out.emplace_back(unique_part(e->d_name), file);
    }
    ::closedir(d);
}

} // namespace

bool is_maildir(const std::string& dir) { return is_dir(dir + "/cur") || is_dir(dir + "/new"); }

MaildirSource::MaildirSource(std::string dir, std::string folder)
    : m_root(absolute_path(dir)), m_folder(folder.empty() ? "INBOX" : std::move(folder)) {
    m_dir = m_folder == "INBOX" ? m_root : m_root + "/." + m_folder;
}

FolderState MaildirSource::open() {
    if (m_folder.find('/') != std::string::npos || m_folder == "." || m_folder == "..")
        throw std::runtime_error("maildir folder name must not contain '/': " + m_folder);
    if (!is_maildir(m_dir)) throw std::runtime_error(m_dir + ": not a maildir (no cur/ or new/ directory)");
    std::vector<std::pair<std::string, std::string>> files;
    list_dir(m_dir, "new", files);
    list_dir(m_dir, "cur", files);
    std::sort(files.begin(), files.end());
    // The same unique name in both new/ and cur/ (a client mid-move): keep one.
    files.erase(std::unique(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
                files.end());
    m_entries.clear();
    std::vector<std::string> parts{"maildir", m_dir};
    for (auto& [unique, path] : files) {
        parts.push_back(unique);
        m_entries.push_back({std::move(unique), std::move(path)});
    }
    return FolderState{"maildir:" + m_root, m_folder, stable_hash32(parts),
                       static_cast<std::uint32_t>(m_entries.size() + 1)};
}

std::vector<std::uint32_t> MaildirSource::list_after(std::uint32_t after_uid) {
    std::vector<std::uint32_t> out;
    for (std::uint32_t uid = after_uid + 1; uid <= m_entries.size(); ++uid) out.push_back(uid);
    return out;
}

std::optional<SourceMessage> MaildirSource::fetch(std::uint32_t uid) {
    if (uid == 0 || uid > m_entries.size()) return std::nullopt;
    auto& entry = m_entries[uid - 1];
    auto data = read_file_capped(entry.path, classifiers::k_max_message_bytes);
    if (!data && errno == ENOENT) {
        // Moved to cur/ or its flags changed since open(): look for the same unique name.
        std::vector<std::pair<std::string, std::string>> files;
        list_dir(m_dir, "cur", files);
        list_dir(m_dir, "new", files);
        const auto it = std::find_if(files.begin(), files.end(), [&](const auto& f) { return f.first == entry.unique; });
        if (it == files.end()) return std::nullopt;
        entry.path = it->second;
        data = read_file_capped(entry.path, classifiers::k_max_message_bytes);
        if (!data && errno == ENOENT) return std::nullopt;
    }
    if (!data) throw std::runtime_error(entry.path + ": " + std::strerror(errno));
    return SourceMessage{uid, entry.path, std::move(*data), file_mtime_rfc3339(entry.path)};
}

} // namespace ndr::agent
