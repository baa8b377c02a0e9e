// imap.hpp — the IMAP mail source: one verified, logged-in connection (vmime 0.9.2 does the TCP, TLS,
// certificate and LOGIN part), then raw commands over that connection (agent/sources/imap_raw.hpp):
// SELECT, UID FETCH in batches with BODY.PEEK (never sets \Seen), UID STORE of the keyword, UID MOVE
// or COPY to the processed folder, IDLE.
//
// Input trust: the server is trusted to speak IMAP, not to be bounded; message bytes are hostile and
// are only passed on. Certificates are verified (chain to the configured CA file or the system store,
// and the host name); plaintext only with tls = "none" set explicitly. The password is read when
// connecting (read_imap_password) and never logged or put in an error. Every network operation has
// the configured timeout; a lost connection is re-opened with backoff. Limits: k_max_imap_* in
// classifiers/limits.hpp. Nothing is ever deleted: a move without the MOVE extension copies, flags the
// original \Deleted and removes it with UID EXPUNGE of that UID only (UIDPLUS), else only copies.
#pragma once

#include <chrono>
#include <deque>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "agent/config.hpp"
#include "agent/sources/imap_raw.hpp"
#include "agent/sources/source.hpp"

namespace ndr::agent {

using imap::ImapError;

enum class LogLevel { debug, info, warning, error };
std::string_view to_string(LogLevel level);
// One log line; the text is ours or already sanitised. Default: "ndr-triage: <level>: <text>" to stderr.
using LogFn = std::function<void(LogLevel, std::string_view)>;

// What the source needs besides the settings. Defaults suit the command line.
struct ImapHooks {
    LogFn log;                          // empty: stderr
    std::function<bool()> stop;         // true: give up waits and backoff sleeps (SIGTERM)
    // The password; empty function: read_imap_password(settings).
    std::function<std::expected<std::string, std::string>()> password;
};

class ImapSource final : public MailSource {
  public:
    enum class WaitResult { changed, timeout, stopped };

    struct Stats {
        std::size_t connects = 0;    // logins (the first one and every reconnect)
        std::size_t commands = 0;    // raw commands sent
        std::size_t round_trips = 0; // raw commands waited for (pipelined ones not counted)
    };

    ImapSource(ImapSettings settings, ImapHooks hooks = {});
    ~ImapSource() override;
    ImapSource(const ImapSource&) = delete;
    ImapSource& operator=(const ImapSource&) = delete;

    // Connects (or reuses the connection) and SELECTs the folder. Throws ImapError.
    FolderState open() override;
    // open(), with the listing of the UIDs above after_uid sent right behind the SELECT (one round trip
    // for both); list_after(after_uid) and a second open() then reuse both, as after open() and
    // list_after(). For a first scan, whose listing is known to be wanted before the SELECT.
    FolderState open_listing(std::uint32_t after_uid);
    // UIDs above after_uid, ascending. Throws ImapError. Right after open(), the answer is kept: a
    // second open() and list_after(after_uid) then reuse the SELECT and the listing (cmd_scan lists
    // a new state's folder while the state database is created).
    std::vector<std::uint32_t> list_after(std::uint32_t after_uid) override;
    // BODY.PEEK[] in batches of the next listed UIDs. The batches after the one waited for are asked
    // for ahead (up to k_max_imap_fetch_ahead_* of them), so the server is not left idle for a round
    // trip between batches. Throws ImapError; nullopt when the UID is gone.
    std::optional<SourceMessage> fetch(std::uint32_t uid) override;
    // Keyword (+ move/copy for NDRs when processed_folder is set), pipelined and batched with the next
    // fetch (at most one batch of keywords is lost when the process is killed); failures are logged.
    void mark_processed(std::uint32_t uid, bool is_ndr) override;
    // UID SEARCH UID 1:last_uid UNKEYWORD <keyword>; none without a keyword the folder allows. A
    // refused or failed search is logged and yields none (the marking is best effort).
    std::vector<std::uint32_t> unmarked_up_to(std::uint32_t last_uid) override;

    // After open(): whether the server offers IDLE.
    bool can_idle() const { return m_can_idle; }
    // Waits for new mail in the selected folder with IDLE (at most `max`). Without IDLE: sleeps `max`
    // and reports timeout. Throws ImapError when the connection fails.
    WaitResult wait_for_change(std::chrono::milliseconds max);
    // Waits for pipelined replies and logs out. Never throws.
    void close();

    // Connects (or reuses the connection) and hands out the raw session without selecting anything,
    // for callers that speak their own commands (agent/sources/imap_drafts.cpp). Whatever they select
    // is theirs: use a separate ImapSource for it. Throws ImapError.
    imap::Session& session();
    // After open() or session(): whether the server announced `name` (upper case, e.g. "UIDPLUS").
    bool has_capability(std::string_view name) const;

    const ImapSettings& settings() const { return m_settings; }
    Stats stats() const;
    // "imap://user@host:port"
    std::string source_name() const;

  private:
    struct Connection;

    void connect();
    void disconnect_quietly();
    void select(); // with the listing m_prelist asks for, if any
    // What the last SELECT answered besides itself (its reuse by a second open(), the listing and
    // the keyword search sent with it) stops standing once any other command may have gone out.
    void forget_select_answers();
    // A listing's answer: the UIDs and (UID, RFC822.SIZE) pairs as the server gave them.
    struct Listing {
        std::vector<std::uint32_t> uids;
        std::vector<std::pair<std::uint32_t, std::uint64_t>> sizes;
        void take(imap::Response& r);
    };
    static std::string listing_command(std::uint32_t after_uid);
    void keep_listing(Listing listing, std::uint32_t after_uid); // into m_listed and m_sizes
    void reconnect_with_backoff(const ImapError& cause);
    template <typename F> auto with_reconnect(F&& f) -> decltype(f());
    void fetch_batch(std::uint32_t first_uid);
    // A FETCH of message bodies sent and not yet waited for.
    struct PendingFetch {
        std::string tag;
        std::vector<std::uint32_t> uids; // ascending
        std::uint64_t bytes = 0;         // their RFC822.SIZE
    };
    PendingFetch send_fetch(std::vector<std::uint32_t> uids, std::uint64_t bytes);
    void fetch_ahead(std::uint32_t after); // sends the next batches after `after` while the window has room
    // The next batch: listed UIDs after `after`, not fetched or asked for yet, within the batch caps;
    // `bytes` gets their RFC822.SIZE total.
    std::vector<std::uint32_t> batch_after(std::uint32_t after, bool inclusive, std::uint64_t& bytes) const;
    // Waits for a sent FETCH; its UIDs that did not arrive are no longer expected (returned).
    imap::Tagged settle(const PendingFetch& fetch, std::vector<std::uint32_t>& not_returned);
    // The same once its reply is in: its UIDs that did not arrive, no longer expected.
    void settled(const PendingFetch& fetch, std::vector<std::uint32_t>& not_returned);
    void take_fetched(imap::Response& r); // the session's sink: a body we asked for goes to m_cache
    // Done with a batch sent ahead without waiting for its tagged reply (dropped when it comes).
    void retire(const PendingFetch& fetch);
    void drop_ahead();                    // gives up the batches asked for ahead (their replies are ignored)
    void report_pipelined_failures();
    void flush_keywords(); // pipelined UID STORE for m_pending_keyword
    void log(LogLevel level, const std::string& text) const;
    bool stopping() const { return m_hooks.stop && m_hooks.stop(); }

    ImapSettings m_settings;
    ImapHooks m_hooks;
    std::unique_ptr<Connection> m_conn;
    std::string m_folder_name;   // the folder ("INBOX" when none is configured)
    std::string m_folder_arg;    // the folder as a quoted command argument
    std::string m_processed_arg; // empty: none
    std::string m_keyword;       // validated atom, empty: none
    bool m_selected = false;
    bool m_fresh_select = false; // open() selected and nothing happened since
    bool m_can_idle = false;
    bool m_can_move = false;
    bool m_can_uidplus = false;
    bool m_keywords_allowed = true;
    bool m_warned_keyword = false;
    bool m_warned_copy_only = false;
    bool m_processed_missing = false; // LIST at the last SELECT did not find processed_folder
    bool m_warned_processed = false;
    std::vector<std::string> m_capabilities;
    std::uint32_t m_uid_validity = 0;
    std::uint32_t m_uid_next = 0;
    std::vector<std::uint32_t> m_listed;           // last list_after() answer
    // Set when m_listed is the answer for UIDs above this one, listed right after open()'s SELECT
    // with nothing in between: the next open() and list_after() of the same UIDs reuse both.
    std::optional<std::uint32_t> m_listed_after;
    std::optional<std::uint32_t> m_prelist; // open_listing(): the listing select() sends with the SELECT
    // The UIDs without the keyword, searched for with the last SELECT; dropped at the first fetch,
    // mark or close after it (unmarked_up_to() then asks the server).
    std::optional<std::vector<std::uint32_t>> m_unmarked;
    std::vector<std::uint64_t> m_sizes;             // RFC822.SIZE of m_listed[i]
    std::map<std::uint32_t, SourceMessage> m_cache; // fetched, not yet handed out
    std::deque<PendingFetch> m_ahead;               // the next batches, asked for on this connection
    std::unordered_set<std::uint32_t> m_expected;   // UIDs of FETCHes in flight that have not arrived
    std::vector<std::uint32_t> m_missing;           // asked for in a batch, not returned (sorted)
    std::vector<std::uint32_t> m_pending_keyword;   // recorded, keyword not sent yet
    // Set when a reconnect finds a new UIDVALIDITY mid-pass: the pass's UIDs name other messages now,
    // so every later fetch, keyword and move of this pass is refused (open() clears it).
    std::string m_invalidated;
    Stats m_stats_closed;                           // counters of sessions already closed
};

// The factory the commands use. Throws ImapError(config) for settings that can never work (no host,
// plaintext not explicitly allowed, a folder name that cannot be encoded, a bad keyword).
std::unique_ptr<ImapSource> make_imap_source(const ImapSettings& settings, ImapHooks hooks = {});

} // namespace ndr::agent
