// imap_raw.hpp — the IMAP commands vmime 0.9.2 lacks (UID SEARCH/FETCH batches, keywords, MOVE, IDLE),
// spoken over the socket of a connection vmime opened, verified and logged in (agent/sources/imap.cpp).
//
// Input trust: the server is trusted to speak IMAP, not to be bounded or well formed. The reader caps
// every response (classifiers/limits.hpp: k_max_imap_*); a response over a cap or one that cannot be
// parsed is a protocol error that ends the connection, never a crash. Message bodies over
// k_max_imap_literal_bytes are truncated. Every read has a deadline. Nothing here logs: errors carry
// the server's words, which callers pass through sanitise() before they reach a log.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::agent::imap {

// Every failure of the IMAP source. kind() says whether reconnecting may help.
class ImapError : public std::runtime_error {
  public:
    enum class Kind {
        config,   // bad settings, password unreadable, CA file unusable: fix the config
        connect,  // TCP connect failed, connection lost
        tls,      // TLS handshake or certificate verification failed
        auth,     // login refused
        timeout,  // no answer within the timeout
        protocol, // the server broke the protocol or a cap
        command,  // a command was refused (NO/BAD)
    };
    ImapError(Kind kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
    Kind kind() const { return m_kind; }
    // True when a new connection may succeed where this one failed.
    bool transient() const { return m_kind == Kind::connect || m_kind == Kind::timeout || m_kind == Kind::protocol; }

  private:
    Kind m_kind;
};

// One server response: a line with any literals. `text` is what follows "* ", "+ " or "<tag> ", with
// each literal's "{n}" kept in place and its bytes in `literals`, in order.
struct Response {
    enum class Kind { untagged, continuation, tagged };
    Kind kind = Kind::untagged;
    std::string tag;
    std::string text;
    std::vector<std::string> literals;
    bool truncated = false; // a literal was cut at k_max_imap_literal_bytes
};

// Reassembles responses from the byte stream. Throws ImapError(protocol) on a cap violation.
class ResponseReader {
  public:
    void feed(std::string_view bytes, std::deque<Response>& out);
    bool idle() const { return m_pending.empty() && m_text.empty() && !m_in_literal; }

  private:
    void finish_line(std::string_view line, std::deque<Response>& out);
    std::string m_pending; // an incomplete line
    std::string m_text;    // text of the current response so far (lines before literals)
    std::vector<std::string> m_literals;
    bool m_in_literal = false;
    std::size_t m_literal_left = 0;
    bool m_truncated = false;
};

// A parsed item of a response: atom (also numbers, flags, "BODY[]"), string, literal (index into
// Response::literals), NIL, or a parenthesised list.
struct Item {
    enum class Type { atom, string, literal, nil, list };
    Type type = Type::atom;
    std::string value;
    std::size_t literal = 0;
    std::vector<Item> items;
};

// Items of a response's text (or a part of it). Throws ImapError(protocol) on bad syntax or depth.
std::vector<Item> parse_items(std::string_view text, std::size_t literal_count);

// "OK [UIDVALIDITY 3] ..." → {"UIDVALIDITY", "3"}; the code's arguments as one string.
struct ResponseCode {
    std::string name;
    std::string args;
};
std::optional<ResponseCode> response_code(std::string_view status_text);

// "OK ..." / "NO ..." / "BAD ..." of a tagged or untagged status response: the first word, upper-case.
std::string status_word(std::string_view text);

// Untagged "SEARCH 3 5 9" (a CONDSTORE "(MODSEQ n)" tail is ignored) → the numbers, as sent.
std::optional<std::vector<std::uint32_t>> parse_search(std::string_view text);
// Untagged "CAPABILITY IMAP4rev1 IDLE ..." → upper-case names.
std::optional<std::vector<std::string>> parse_capability(std::string_view text);
// Untagged "<n> EXISTS" → n.
std::optional<std::uint32_t> parse_exists(std::string_view text);

// What an untagged FETCH response carried. `body` is moved out of the response's literal.
struct FetchData {
    std::uint32_t seq = 0;
    std::optional<std::uint32_t> uid;
    std::optional<std::uint64_t> size;        // RFC822.SIZE
    std::optional<std::string> internal_date; // as sent: "23-Nov-2026 18:25:49 +0000"
    std::optional<std::vector<std::string>> flags;
    std::optional<std::string> body;          // BODY[]
    bool truncated = false;
};
// nullopt when the response is not a FETCH. Throws ImapError(protocol) when it is one but malformed.
std::optional<FetchData> parse_fetch(Response& response);

// Sorted, duplicate-free UIDs greater than `after` (a `UID n:*` answer always includes the highest
// UID, even when it is not above n).
std::vector<std::uint32_t> uids_after(std::vector<std::uint32_t> uids, std::uint32_t after);
// "1:3,5,7:9" for a sorted list; empty list → empty string.
std::string format_uid_set(const std::vector<std::uint32_t>& sorted_uids);
// An astring as a quoted string ("INBOX" → "\"INBOX\""), escaping \ and ". nullopt when it contains
// CR, LF, NUL or bytes above 0x7e (use a literal or modified UTF-7 instead).
std::optional<std::string> quote_string(std::string_view s);
// A mailbox name for a command: UTF-8 → modified UTF-7 (RFC 3501 §5.1.3), then quoted. nullopt when
// the name is not valid UTF-8 or contains a control character.
std::optional<std::string> quote_mailbox(std::string_view utf8_name);
// INTERNALDATE "23-Nov-2026 18:25:49 +0100" → "2026-11-23T17:25:49Z"; empty when malformed.
std::string internal_date_to_rfc3339(std::string_view date);

// The byte pipe under a session: vmime's socket in production, a script in the unit tests.
class Transport {
  public:
    virtual ~Transport() = default;
    // Sends all bytes or throws ImapError(connect).
    virtual void send(std::string_view bytes) = 0;
    // Up to `size` bytes; 0 when nothing arrived within a short wait (at most ~50 ms). Throws
    // ImapError(connect) when the connection is closed or broken.
    virtual std::size_t receive(char* buffer, std::size_t size) = 0;
};

struct Tagged {
    std::string tag;
    std::string status; // OK, NO or BAD
    std::string text;   // the whole status text ("OK [READ-WRITE] Select completed.")
    bool ok() const { return status == "OK"; }
};

// Tagged commands over a Transport, with pipelining: send() returns the tag at once, wait() reads
// until that tag's reply. Replies to earlier commands that were not waited for are collected in
// failed_pipelined() when they are not OK; the reply to a command sent with `keep_reply` is kept
// instead, whenever it arrives, until wait() asks for it (or forget() gives it up).
class Session {
  public:
    using Handler = std::function<void(Response&)>;
    enum class IdleResult { changed, timeout, stopped };

    Session(Transport& transport, std::chrono::milliseconds timeout, std::string tag_prefix = "n");

    std::string send(std::string_view command, bool keep_reply = false);
    // A kept reply that nobody will wait for: dropped, now or when it arrives, whatever it says.
    void forget(const std::string& tag);
    // Sees every untagged response before the handler of the command being waited for, whichever
    // command that is (the IMAP source takes the messages of a FETCH sent ahead this way).
    void set_untagged_sink(Handler sink) { m_sink = std::move(sink); }
    // Untagged responses go to on_untagged (BYE ends the session: ImapError(connect)). Throws
    // ImapError(timeout) when nothing arrives for the timeout, ImapError(protocol) for a tag that is
    // neither outstanding nor kept.
    Tagged wait(const std::string& tag, const Handler& on_untagged = {});
    // As wait(), but returns nullopt as soon as `done()` holds (checked first, then after each
    // untagged response): the command's reply is then still to come. For a command sent with
    // keep_reply (its reply is kept for a later wait() when it arrives meanwhile).
    std::optional<Tagged> wait_until(const std::string& tag, const std::function<bool()>& done,
                                     const Handler& on_untagged = {});
    Tagged command(std::string_view command, const Handler& on_untagged = {});
    // A command whose last argument is a literal (APPEND): waits for the earlier commands, sends
    // "<command> {n}", waits for the continuation (a tagged NO/BAD instead is returned as is), then
    // sends the bytes. With `non_synchronizing` (LITERAL+, RFC 7888) "{n+}" and no wait.
    Tagged command_with_literal(std::string_view command, std::string_view literal, bool non_synchronizing,
                                const Handler& on_untagged = {});
    // Waits for every command sent so far.
    void drain(const Handler& on_untagged = {});
    std::size_t outstanding() const { return m_outstanding.size(); }
    std::vector<Tagged> take_failed_pipelined();

    // RFC 2177 IDLE: returns `changed` as soon as the server reports EXISTS or RECENT (the count
    // grew), `timeout` after `max`, `stopped` when stop() returns true (checked every ~50 ms). Ends
    // IDLE with DONE and reads the tagged reply in every case. Throws ImapError(command) when the
    // server refuses IDLE.
    //
    // An EXISTS or RECENT the server sent with the reply to any other command since the last
    // forget_announced() counts too: IDLE then returns `changed` at once. Without this, mail that
    // arrives while the agent is busy (Dovecot reports it in the reply to a STORE) would wait for
    // the next re-issue of IDLE, minutes later.
    IdleResult idle(std::chrono::milliseconds max, const std::function<bool()>& stop);
    // Whether the server has reported EXISTS or RECENT since the last forget_announced(); the
    // source forgets right after SELECT, whose own EXISTS describes the view it scans.
    bool mail_announced() const { return m_announced; }
    void forget_announced() { m_announced = false; }

    std::size_t commands_sent() const { return m_sent; }
    std::size_t round_trips() const { return m_round_trips; }

  private:
    // Reads one response (from the queue or the transport) with `deadline`; nullopt at the deadline.
    std::optional<Response> next(std::chrono::steady_clock::time_point deadline, bool reset_on_data,
                                 const std::function<bool()>& stop = {});
    bool handle_tagged(Response& r, const std::string& wanted, Tagged& out);
    void handle_untagged(Response& r, const Handler& on_untagged);

    Transport& m_transport;
    std::chrono::milliseconds m_timeout;
    std::string m_prefix;
    std::uint64_t m_next_tag = 1;
    ResponseReader m_reader;
    std::deque<Response> m_queue;
    std::deque<std::string> m_outstanding;
    std::vector<Tagged> m_failed;
    std::vector<std::string> m_keep;      // outstanding tags whose replies are kept (send(..., true))
    std::vector<Tagged> m_kept;           // kept replies that arrived while waiting for something else
    std::vector<std::string> m_forgotten; // outstanding tags whose replies are dropped (forget())
    Handler m_sink;
    std::size_t m_sent = 0;
    std::size_t m_round_trips = 0;
    bool m_bye = false;
    bool m_announced = false;
    std::vector<char> m_buffer;
};

} // namespace ndr::agent::imap
