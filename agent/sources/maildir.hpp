// maildir.hpp — MailSource over a Maildir (or one Maildir++ subfolder): the files in cur/ and new/.
//
// Messages are ordered by their unique name (the file name up to ":2,", which stays the same when a
// mail client moves a message from new/ to cur/ or changes its flags), and a UID is the 1-based
// position in that order. The UIDVALIDITY is a hash of the directory and every unique name, so any
// added or removed message makes the scan loop re-read all and dedupe by fingerprint (see files.hpp).
// Read-only; tmp/ and hidden files are ignored; each message is read up to k_max_message_bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/sources/source.hpp"

namespace ndr::agent {

class MaildirSource : public MailSource {
  public:
    // folder: empty or "INBOX" for the maildir itself, else the Maildir++ subfolder ".NAME".
    explicit MaildirSource(std::string dir, std::string folder = {});
    // Throws std::runtime_error when the directory is not a maildir (no cur/ and no new/) or unreadable.
    FolderState open() override;
    std::vector<std::uint32_t> list_after(std::uint32_t after_uid) override;
    // A message moved between new/ and cur/ since open() is found again by its unique name.
    std::optional<SourceMessage> fetch(std::uint32_t uid) override;
    void mark_processed(std::uint32_t, bool) override {}

  private:
    struct Entry {
        std::string unique; // file name up to the ":2," info part
        std::string path;
    };
    std::string m_root;
    std::string m_folder;
    std::string m_dir; // the folder's directory
    std::vector<Entry> m_entries;
};

// True when dir has a cur/ or new/ subdirectory.
bool is_maildir(const std::string& dir);

} // namespace ndr::agent
