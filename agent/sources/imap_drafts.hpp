// imap_drafts.hpp — puts a drafted request into the mailbox's Drafts folder, so the administrator can
// review and send it from their own mail client; a later version replaces the earlier copy.
//
// Uses the IMAP source's verified, logged-in connection (agent/sources/imap.hpp: TLS, timeouts, the
// password read when connecting and never logged) and raw commands: LIST, APPEND with a literal,
// SELECT, UID SEARCH, UID FETCH, UID STORE, UID EXPUNGE. Never CLOSE or EXPUNGE: they would remove
// every \Deleted message of the folder. Input trust: the message is ours (built from sanitised
// data); the server's replies are bounded by imap_raw and sanitised before they reach an error.
#pragma once

#include "agent/config.hpp"

#include <expected>
#include <string>

namespace ndr::agent {

// Appends `message` to the drafts folder (config imap.drafts_folder, else the \Drafts special-use folder
// from LIST, else "Drafts") with \Draft and \Seen; if `replace_message_id` is non-empty, marks \Deleted
// and UID EXPUNGEs (UIDPLUS) only the earlier copy carrying exactly that Message-ID in the drafts
// folder — never anything else.
//
// Order on the wire: the new copy is appended first and the earlier one removed only once the append
// succeeded (its APPENDUID is left alone even when it carries the same Message-ID), so a failure never
// leaves the folder without the draft. Without UIDPLUS a replacement is refused before anything
// changes. A drafts folder that does not exist (TRYCREATE) is created. Line ends become CRLF.
std::expected<void, std::string> store_draft(const Config& config, const std::string& message,
                                             const std::string& replace_message_id);

// Removes the copies in the drafts folder carrying exactly `message_id` (a draft rejected or sent: the
// administrator's mail client must not offer it for sending again). \Deleted and UID EXPUNGE of those
// UIDs only; refused without UIDPLUS. No drafts folder means no copy: success.
std::expected<void, std::string> remove_draft(const Config& config, const std::string& message_id);

} // namespace ndr::agent
