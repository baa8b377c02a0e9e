// mbox.hpp — MailSource over an mbox file (mboxo/mboxrd): messages start at "From " lines that open
// the file or follow an empty line; ">From " quoting (any number of '>') loses one '>' on fetch.
//
// open() indexes the file in one streaming pass with a fixed buffer (no line is held whole, so a
// hostile file with a gigantic line costs no memory); fetch() reads one message by offset, up to
// k_max_message_bytes. At most k_max_mbox_messages are indexed (the rest are ignored and truncated()
// says so). A file that does not start with "From " is one message. The UIDVALIDITY is a hash of the
// path, inode, size and mtime: appending makes the scan loop re-read all and dedupe by fingerprint
// (see files.hpp). Read-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/sources/source.hpp"

namespace ndr::agent {

class MboxSource : public MailSource {
  public:
    explicit MboxSource(std::string path);
    // Throws std::runtime_error when the file cannot be read.
    FolderState open() override;
    std::vector<std::uint32_t> list_after(std::uint32_t after_uid) override;
    std::optional<SourceMessage> fetch(std::uint32_t uid) override;
    void mark_processed(std::uint32_t, bool) override {}

    bool truncated() const { return m_truncated; }
    std::size_t size() const { return m_messages.size(); }

  private:
    struct Entry {
        std::uint64_t offset = 0; // first byte after the From_ line
        std::uint64_t length = 0; // up to the next From_ line, separator blank line excluded
        std::string from_date;    // the From_ line's date, RFC 3339, may be empty
    };
    std::string m_path;
    std::vector<Entry> m_messages;
    bool m_truncated = false;
};

// mboxrd unquoting: every line that is '>'+ "From " loses one '>'. Line endings kept.
std::string mbox_unquote(std::string_view message);

} // namespace ndr::agent
