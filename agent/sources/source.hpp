// source.hpp — where messages come from: an IMAP folder, a maildir, an mbox file or .eml files.
//
// The scan loop (agent/scan.cpp) drives a MailSource: it asks for the folder state, compares it with
// the checkpoint in the store, fetches what is new, records each message in one transaction with the
// checkpoint, and only then calls mark_processed(). A source never deletes a message.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ndr::agent {

struct FolderState {
    std::string source;        // "imap://user@host:port", "maildir:/path", "mbox:/path", "file"
    std::string folder;        // IMAP folder name, or the path
    std::uint32_t uid_validity = 0; // IMAP UIDVALIDITY; for local sources a stable hash of the path
    std::uint32_t uid_next = 0;     // IMAP UIDNEXT when known, else 0
};

struct SourceMessage {
    std::uint32_t uid = 0;     // IMAP UID, or 1-based position for local sources
    std::string location;      // human-readable: "INBOX/1234", "path/to/file.eml", "mbox:/x#3"
    std::string raw;           // the message bytes as stored (CRLF from IMAP)
    std::string internal_date; // IMAP INTERNALDATE or file mtime, RFC 3339 UTC; may be empty
};

class MailSource {
  public:
    virtual ~MailSource() = default;
    // Open the folder (connect, log in, SELECT) and report its state.
    virtual FolderState open() = 0;
    // UIDs of messages with uid > after_uid, ascending (filter out the `n:*` last-message quirk).
    virtual std::vector<std::uint32_t> list_after(std::uint32_t after_uid) = 0;
    // Fetch one message without marking it \Seen (BODY.PEEK). nullopt: it vanished meanwhile.
    virtual std::optional<SourceMessage> fetch(std::uint32_t uid) = 0;
    // After the message is recorded: set $NDRTriaged and copy/move when configured. Best effort.
    virtual void mark_processed(std::uint32_t uid, bool is_ndr) = 0;
    // UIDs up to last_uid that show no mark_processed() (a scan killed between its commit and the
    // marking): an IMAP folder's messages without the keyword. Sources that mark nothing: none.
    virtual std::vector<std::uint32_t> unmarked_up_to(std::uint32_t last_uid) {
        (void)last_uid;
        return {};
    }
};

} // namespace ndr::agent
