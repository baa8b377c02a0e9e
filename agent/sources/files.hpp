// files.hpp — MailSource over .eml files named on the command line, plus the helpers the local
// sources (maildir.hpp, mbox.hpp) share.
//
// Local sources are read-only: mark_processed() does nothing, no file is ever changed. Their
// "UIDVALIDITY" is a hash of what identifies the current set of messages (paths, sizes, mtimes), so
// any change to that set makes the scan loop re-read everything and recognise what it has already
// recorded by fingerprint; an unchanged set lets it resume after the last recorded message. Input
// trust: file contents are hostile and read up to k_max_message_bytes each; paths are the user's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sources/source.hpp"

namespace ndr::agent {

// FNV-1a over the parts (each followed by a NUL); never 0, so it is always a valid UIDVALIDITY.
std::uint32_t stable_hash32(const std::vector<std::string>& parts);
// Reads at most max_bytes of a file. nullopt when it cannot be opened (errno kept); *total gets the
// file's full size when not null.
std::optional<std::string> read_file_capped(const std::string& path, std::size_t max_bytes,
                                            std::uint64_t* total = nullptr);
// A file's mtime as RFC 3339 UTC, empty when it cannot be stat'ed.
std::string file_mtime_rfc3339(const std::string& path);
// The absolute form of a path (no symlink resolution); the path itself when that fails.
std::string absolute_path(const std::string& path);

class FilesSource : public MailSource {
  public:
    explicit FilesSource(std::vector<std::string> paths);
    // Throws std::runtime_error naming the first path that cannot be stat'ed.
    FolderState open() override;
    std::vector<std::uint32_t> list_after(std::uint32_t after_uid) override;
    std::optional<SourceMessage> fetch(std::uint32_t uid) override;
    void mark_processed(std::uint32_t, bool) override {}

  private:
    std::vector<std::string> m_paths;
};

} // namespace ndr::agent
