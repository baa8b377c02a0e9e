// imap.cpp — ImapSource: vmime connects, verifies and logs in; imap_raw speaks the rest (see imap.hpp).
//
// vmime throws; every vmime call sits behind connect_vmime() or VmimeTransport, which turn its
// exceptions into ImapError with a message that names the host and never the password.
#include "agent/sources/imap.hpp"

#include "agent/sources/vmime_support.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>
#include <vmime/net/imap/IMAPConnection.hpp>
#include <vmime/net/imap/IMAPStore.hpp>
#include <vmime/platforms/posix/posixHandler.hpp>
#include <vmime/security/cert/X509Certificate.hpp>
#include <vmime/security/cert/certificateExpiredException.hpp>
#include <vmime/security/cert/certificateIssuerVerificationException.hpp>
#include <vmime/security/cert/certificateNotTrustedException.hpp>
#include <vmime/security/cert/certificateNotYetValidException.hpp>
#include <vmime/security/cert/defaultCertificateVerifier.hpp>
#include <vmime/security/cert/serverIdentityException.hpp>
#include <vmime/vmime.hpp>

namespace ndr::agent {

using imap::Response;
using imap::Tagged;
using Kind = imap::ImapError::Kind;

namespace {

// Pipelined commands (keyword, move) left unanswered before we wait for them.
constexpr std::size_t k_max_outstanding = 64;
// Reconnect attempts after a lost connection, and the first delay (doubled each time).
constexpr int k_reconnect_attempts = 4;
constexpr std::chrono::milliseconds k_first_backoff{500};

std::string sanitised(std::string_view s) { return classifiers::sanitise(s, classifiers::k_max_sanitised_bytes); }

// Validated keyword: an atom without the characters RFC 3501 forbids in flag keywords.
std::optional<std::string> valid_keyword(std::string_view k) {
    if (k.empty() || k.size() > 64 || k.front() == '\\') return std::nullopt;
    for (char c : k) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || std::string_view("(){%*\"\\]").find(c) != std::string_view::npos) return std::nullopt;
    }
    return std::string(k);
}

// A handler that appends the UIDs of every SEARCH response to `uids`.
imap::Session::Handler collect_search(std::vector<std::uint32_t>& uids) {
    return [&uids](Response& r) {
        if (auto found = imap::parse_search(r.text)) uids.insert(uids.end(), found->begin(), found->end());
    };
}

// The capabilities the server gave with its reply to LOGIN ("a001 OK [CAPABILITY IMAP4rev1 ... IDLE
// MOVE] Logged in", RFC 3501 section 7.1 allows them there; Dovecot sends them), read from the lines
// vmime traces while it logs in, so that the CAPABILITY command after the login is needed only when
// the server did not: a round trip less per connection (10 ms over a 10 ms link). Of the command lines
// vmime traces, only LOGIN's tag is kept (vmime traces LOGIN with its arguments).
class LoginCapabilities final : public vmime::net::tracer {
  public:
    void traceSend(const vmime::string& line) override {
        const auto space = line.find(' ');
        if (space == vmime::string::npos || space == 0 || space > 32) return;
        if (classifiers::iequals(std::string_view(line).substr(space + 1, 6), "LOGIN ")) {
            m_login_tag = line.substr(0, space);
            capabilities.reset();
        }
    }
    void traceReceive(const vmime::string& line) override {
        if (m_login_tag.empty() || line.size() <= m_login_tag.size() || line[m_login_tag.size()] != ' ' ||
            line.compare(0, m_login_tag.size(), m_login_tag) != 0)
            return;
        const std::string_view text = std::string_view(line).substr(m_login_tag.size() + 1);
        m_login_tag.clear();
        if (imap::status_word(text) != "OK") return;
        const auto code = imap::response_code(text);
        if (!code || code->name != "CAPABILITY") return;
        auto caps = imap::parse_capability("CAPABILITY " + code->args);
        if (caps && std::find(caps->begin(), caps->end(), "IMAP4REV1") != caps->end())
            capabilities = std::move(caps);
    }
    void traceReceiveBytes(const size_t, const vmime::string&) override {}
    void traceSendBytes(const size_t, const vmime::string&) override {}

    std::optional<std::vector<std::string>> capabilities; // upper-case, as parse_capability() gives

  private:
    vmime::string m_login_tag;
};

class LoginCapabilitiesFactory final : public vmime::net::tracerFactory {
  public:
    explicit LoginCapabilitiesFactory(vmime::shared_ptr<LoginCapabilities> tracer)
        : m_tracer(std::move(tracer)) {}
    vmime::shared_ptr<vmime::net::tracer> create(vmime::shared_ptr<vmime::net::service>, const int) override {
        return m_tracer;
    }

  private:
    vmime::shared_ptr<LoginCapabilities> m_tracer;
};

} // namespace

std::string_view to_string(LogLevel level) {
    switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
    }
    return "info";
}

// ---------------------------------------------------------------- the connection

struct ImapSource::Connection final : imap::Transport {
    vmime::shared_ptr<vmime::net::session> session;
    vmime::shared_ptr<vmime::net::imap::IMAPStore> store;
    vmime::shared_ptr<vmime::net::socket> socket;
    vmime::shared_ptr<VmimeTimeoutFactory> timeouts;
    std::unique_ptr<imap::Session> raw;
    std::string where;   // "host:port" for messages
    bool polite = false; // log out on destruction (only when the connection is known to be healthy)

    void send(std::string_view bytes) override {
        try {
            if (auto h = timeouts->last()) h->resetTimeOut();
            socket->sendRaw(reinterpret_cast<const vmime::byte_t*>(bytes.data()), bytes.size());
        } catch (const vmime::exception& e) {
            throw ImapError(Kind::connect, "connection to " + where + " lost: " + e.what());
        }
    }

    std::size_t receive(char* buffer, std::size_t size) override {
        try {
            // The raw session keeps its own deadlines; keep vmime's handler from firing under it.
            if (auto h = timeouts->last()) h->resetTimeOut();
            return socket->receiveRaw(reinterpret_cast<vmime::byte_t*>(buffer), size);
        } catch (const vmime::exception& e) {
            throw ImapError(Kind::connect, "connection to " + where + " lost: " + e.what());
        }
    }

    ~Connection() override {
        raw.reset();
        try {
            // After an error, close the socket at once: a LOGOUT could wait a whole timeout.
            if (!polite && socket) socket->disconnect();
            if (store && store->isConnected()) store->disconnect();
        } catch (...) {
            // Logging out is a courtesy; the socket is closed either way.
        }
    }
};

// ---------------------------------------------------------------- ImapSource

ImapSource::ImapSource(ImapSettings settings, ImapHooks hooks)
    : m_settings(std::move(settings)), m_hooks(std::move(hooks)) {
    if (m_settings.host.empty()) throw ImapError(Kind::config, "no IMAP host configured");
    if (m_settings.tls == TlsMode::none && !m_settings.tls_set_explicitly)
        throw ImapError(Kind::config, "plaintext IMAP is refused unless tls = \"none\" is set explicitly");
    m_folder_name = m_settings.folder.empty() ? "INBOX" : m_settings.folder;
    auto folder = imap::quote_mailbox(m_folder_name);
    if (!folder) throw ImapError(Kind::config, "IMAP folder name is not valid UTF-8 text: " + sanitised(m_settings.folder));
    m_folder_arg = *folder;
    if (!m_settings.processed_folder.empty()) {
        auto p = imap::quote_mailbox(m_settings.processed_folder);
        if (!p) throw ImapError(Kind::config, "processed_folder is not valid UTF-8 text: " + sanitised(m_settings.processed_folder));
        m_processed_arg = *p;
    }
    if (!m_settings.keyword.empty()) {
        auto k = valid_keyword(m_settings.keyword);
        if (!k) throw ImapError(Kind::config, "keyword is not a valid IMAP keyword: " + sanitised(m_settings.keyword));
        m_keyword = *k;
    }
    if (m_settings.timeout_seconds <= 0) m_settings.timeout_seconds = 60;
}

ImapSource::~ImapSource() { close(); }

void ImapSource::log(LogLevel level, const std::string& text) const {
    if (m_hooks.log) {
        m_hooks.log(level, text);
        return;
    }
    // One write per line: a scan closes the connection on a thread of its own while it prints the
    // incident step's lines.
    std::cerr << ("ndr-triage: " + std::string(to_string(level)) + ": " + text + "\n");
}

std::string ImapSource::source_name() const {
    return "imap://" + m_settings.user + "@" + m_settings.host + ":" + std::to_string(m_settings.effective_port());
}

ImapSource::Stats ImapSource::stats() const {
    Stats s = m_stats_closed;
    if (m_conn && m_conn->raw) {
        s.commands += m_conn->raw->commands_sent();
        s.round_trips += m_conn->raw->round_trips();
    }
    return s;
}

void ImapSource::disconnect_quietly() {
    m_unmarked.reset();
    if (!m_conn) return;
    if (!m_pending_keyword.empty()) {
        log(LogLevel::warning, "connection lost: keyword not set on " + std::to_string(m_pending_keyword.size()) +
                                   " recorded messages (UIDs " + imap::format_uid_set(m_pending_keyword) + ")");
        m_pending_keyword.clear();
    }
    if (m_conn->raw) {
        m_stats_closed.commands += m_conn->raw->commands_sent();
        m_stats_closed.round_trips += m_conn->raw->round_trips();
    }
    m_conn.reset();
    m_selected = false;
    m_ahead.clear(); // what was in flight died with the connection
    m_expected.clear();
}

void ImapSource::connect() {
    disconnect_quietly();
    const std::string where = m_settings.host + ":" + std::to_string(m_settings.effective_port());
    auto password = m_hooks.password ? m_hooks.password() : read_imap_password(m_settings);
    if (!password) throw ImapError(Kind::config, "IMAP password: " + password.error());
    if (m_settings.tls == TlsMode::none)
        log(LogLevel::warning, "plaintext IMAP to " + where + " (tls = \"none\"): the password crosses the network unencrypted");

    ensure_vmime_platform();
    auto conn = std::make_unique<Connection>();
    conn->where = where;
    auto login_caps = vmime::make_shared<LoginCapabilities>();
    const std::string ca_file = m_settings.ca_file.empty() ? std::string(k_system_ca_file) : m_settings.ca_file;
    try {
        conn->session = vmime::net::session::create();
        const bool implicit = m_settings.tls == TlsMode::implicit;
        vmime::utility::url url(implicit ? "imaps" : "imap", m_settings.host,
                                static_cast<vmime::port_t>(m_settings.effective_port()));
        auto store = vmime::dynamicCast<vmime::net::imap::IMAPStore>(conn->session->getStore(url));
        if (!store) throw ImapError(Kind::config, "vmime has no IMAP store");
        store->setProperty("auth.username", m_settings.user);
        store->setProperty("auth.password", *password);
        store->setProperty("options.sasl", false);
        if (m_settings.tls == TlsMode::starttls) {
            store->setProperty("connection.tls", true);
            store->setProperty("connection.tls.required", true); // else vmime falls back to plaintext
        } else if (m_settings.tls == TlsMode::none) {
            store->setProperty("connection.tls", false);
        }
        if (m_settings.tls != TlsMode::none) {
            auto verifier = make_certificate_verifier(ca_file, m_settings.host);
            if (!verifier) throw ImapError(Kind::config, verifier.error());
            store->setCertificateVerifier(*verifier);
        }
        store->setSocketFactory(make_socket_factory());
        conn->timeouts = vmime::make_shared<VmimeTimeoutFactory>(m_settings.timeout_seconds);
        store->setTimeoutHandlerFactory(conn->timeouts);
        store->setTracerFactory(vmime::make_shared<LoginCapabilitiesFactory>(login_caps));
        conn->store = store;
        store->connect();
        conn->socket = std::const_pointer_cast<vmime::net::socket>(store->getConnection()->getSocket());
        if (!conn->socket) throw ImapError(Kind::connect, "no socket after connecting to " + where);
    } catch (const ImapError&) {
        throw;
    } catch (const vmime::security::cert::serverIdentityException&) {
        throw ImapError(Kind::tls, "TLS certificate of " + where + " rejected: it is not valid for the host name \"" +
                                       m_settings.host + "\"");
    } catch (const vmime::security::cert::certificateNotTrustedException&) {
        throw ImapError(Kind::tls, "TLS certificate of " + where + " rejected: not signed by a CA in " + ca_file);
    } catch (const vmime::security::cert::certificateIssuerVerificationException&) {
        throw ImapError(Kind::tls, "TLS certificate of " + where + " rejected: its issuer could not be verified against " + ca_file);
    } catch (const vmime::security::cert::certificateExpiredException&) {
        throw ImapError(Kind::tls, "TLS certificate of " + where + " rejected: it has expired");
    } catch (const vmime::security::cert::certificateNotYetValidException&) {
        throw ImapError(Kind::tls, "TLS certificate of " + where + " rejected: it is not valid yet");
    } catch (const vmime::security::cert::certificateException& e) {
        throw ImapError(Kind::tls, "TLS certificate of " + where + " rejected: " + sanitised(e.what()));
    } catch (const vmime::exceptions::tls_exception& e) {
        throw ImapError(Kind::tls, "TLS with " + where + " failed: " + sanitised(e.what()));
    } catch (const vmime::exceptions::authentication_error& e) {
        throw ImapError(Kind::auth, "IMAP login as " + m_settings.user + " at " + where + " refused: " + sanitised(e.response()));
    } catch (const vmime::exceptions::operation_timed_out&) {
        throw ImapError(Kind::timeout, "no answer from " + where + " within " + std::to_string(m_settings.timeout_seconds) + " s");
    } catch (const vmime::exceptions::connection_greeting_error& e) {
        throw ImapError(Kind::connect, "IMAP server at " + where + " did not greet: " + sanitised(e.what()));
    } catch (const vmime::exceptions::socket_exception& e) {
        throw ImapError(Kind::connect, "cannot connect to " + where + ": " + sanitised(e.what()));
    } catch (const vmime::exceptions::command_error& e) {
        throw ImapError(Kind::connect, "IMAP server at " + where + " refused " + sanitised(e.command()) + ": " +
                                           sanitised(e.response()));
    } catch (const vmime::exception& e) {
        // Note: exceptions raised inside GnuTLS callbacks reach us sliced to vmime::exception.
        throw ImapError(Kind::connect, "IMAP connection to " + where + " failed: " + sanitised(e.what()));
    }
    conn->raw = std::make_unique<imap::Session>(*conn, std::chrono::seconds(m_settings.timeout_seconds));
    conn->raw->set_untagged_sink([this](Response& r) { take_fetched(r); });
    m_conn = std::move(conn);
    ++m_stats_closed.connects;

    std::vector<std::string> caps;
    if (login_caps->capabilities) {
        caps = std::move(*login_caps->capabilities);
    } else {
        auto t = m_conn->raw->command("CAPABILITY", [&](Response& r) {
            if (auto c = imap::parse_capability(r.text)) caps = std::move(*c);
        });
        if (!t.ok())
            throw ImapError(Kind::protocol, "CAPABILITY failed at " + where + ": " + sanitised(t.text));
    }
    auto has = [&](std::string_view c) { return std::find(caps.begin(), caps.end(), c) != caps.end(); };
    m_capabilities = caps;
    m_can_idle = has("IDLE");
    m_can_move = has("MOVE");
    m_can_uidplus = has("UIDPLUS");
}

void ImapSource::select() {
    std::optional<std::uint32_t> validity, next;
    std::optional<std::vector<std::string>> permanent;
    // The listing open_listing() asks for goes out right behind the SELECT: one round trip for both.
    // It is read right after the SELECT's reply, before any other command is waited for (its
    // untagged FETCH lines go to the handler of the command waited for).
    const auto listing_after = std::exchange(m_prelist, std::nullopt);
    m_unmarked.reset();
    const std::string select_tag = m_conn->raw->send("SELECT " + m_folder_arg);
    std::string list_tag;
    if (listing_after) list_tag = m_conn->raw->send(listing_command(*listing_after), true);
    // A later pass asks which recorded messages lack the keyword (unmarked_up_to()): the search goes
    // out with the SELECT too, over the whole folder (unmarked_up_to() keeps the UIDs it wants). Not
    // for a first scan, which has nothing recorded to ask about, nor for a folder whose last SELECT
    // refused the keyword (every message would be in the answer).
    std::string search_tag;
    if (!listing_after && !m_keyword.empty() && m_keywords_allowed)
        search_tag = m_conn->raw->send("UID SEARCH UNKEYWORD " + m_keyword, true);
    const auto forget_pipelined = [&] {
        for (auto* tag : {&list_tag, &search_tag}) {
            if (!tag->empty()) m_conn->raw->forget(*tag);
            tag->clear();
        }
    };
    auto t = m_conn->raw->wait(select_tag, [&](Response& r) {
        auto code = imap::response_code(r.text);
        if (!code) return;
        if (code->name == "UIDVALIDITY") {
            std::uint32_t v = 0;
            if (std::sscanf(code->args.c_str(), "%u", &v) == 1) validity = v;
        } else if (code->name == "UIDNEXT") {
            std::uint32_t v = 0;
            if (std::sscanf(code->args.c_str(), "%u", &v) == 1) next = v;
        } else if (code->name == "PERMANENTFLAGS") {
            std::vector<std::string> flags;
            for (const auto& item : imap::parse_items(code->args, 0))
                for (const auto& f : item.items)
                    flags.push_back(f.value);
            permanent = std::move(flags);
        }
    });
    if (!t.ok()) {
        forget_pipelined();
        throw ImapError(Kind::command, "cannot open IMAP folder " + sanitised(m_settings.folder) + ": " + sanitised(t.text));
    }
    if (!validity) {
        forget_pipelined();
        throw ImapError(Kind::protocol, "SELECT " + sanitised(m_settings.folder) + " gave no UIDVALIDITY");
    }
    if (!list_tag.empty()) {
        Listing listing;
        const auto listed = m_conn->raw->wait(list_tag, [&](Response& r) { listing.take(r); });
        // A refused listing is left to list_after(), which asks again and reports it.
        if (listed.ok()) {
            keep_listing(std::move(listing), *listing_after);
            m_listed_after = *listing_after;
        }
    }
    if (!search_tag.empty()) {
        std::vector<std::uint32_t> found;
        const auto searched = m_conn->raw->wait(search_tag, collect_search(found));
        // A refused search is left to unmarked_up_to(), which asks again and reports it.
        if (searched.ok()) m_unmarked = std::move(found);
    }
    auto code = imap::response_code(t.text);
    if (code && code->name == "READ-ONLY")
        log(LogLevel::warning, "IMAP folder " + sanitised(m_settings.folder) + " is read-only: the keyword cannot be set");
    m_keywords_allowed = !permanent || std::find(permanent->begin(), permanent->end(), "\\*") != permanent->end() ||
                         std::find(permanent->begin(), permanent->end(), m_keyword) != permanent->end();
    if (!m_keywords_allowed && !m_keyword.empty() && !m_warned_keyword) {
        log(LogLevel::warning, "IMAP folder " + sanitised(m_settings.folder) + " does not allow the keyword " + m_keyword);
        m_warned_keyword = true;
    }
    if (!m_processed_arg.empty()) {
        // A processed_folder that does not exist would refuse every NDR's MOVE (one warning each):
        // checked at every SELECT, so a folder created meanwhile is used from the next pass.
        bool exists = false;
        auto list = m_conn->raw->command("LIST \"\" " + m_processed_arg, [&](Response& r) {
            if (r.kind == Response::Kind::untagged && imap::status_word(r.text) == "LIST") exists = true;
        });
        m_processed_missing = list.ok() && !exists;
        if (m_processed_missing && !m_warned_processed) {
            log(LogLevel::warning, "processed_folder " + sanitised(m_settings.processed_folder) +
                                       " does not exist on the server: NDRs stay where they are until it is created");
            m_warned_processed = true;
        }
        if (!m_processed_missing) m_warned_processed = false;
    }
    m_uid_validity = *validity;
    m_uid_next = next.value_or(0);
    m_selected = true;
    // This SELECT's EXISTS is the view the pass scans; only mail reported after it is new.
    m_conn->raw->forget_announced();
}

void ImapSource::reconnect_with_backoff(const ImapError& cause) {
    const std::uint32_t validity = m_uid_validity;
    disconnect_quietly();
    log(LogLevel::warning, std::string(cause.what()) + "; reconnecting");
    auto delay = k_first_backoff;
    for (int attempt = 1;; ++attempt) {
        for (auto slept = std::chrono::milliseconds(0); slept < delay; slept += std::chrono::milliseconds(50)) {
            if (stopping()) throw ImapError(Kind::connect, "stopped while reconnecting to " + m_settings.host);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        try {
            connect();
            select();
            break;
        } catch (const ImapError& e) {
            disconnect_quietly();
            if (!e.transient() || attempt >= k_reconnect_attempts) throw;
            log(LogLevel::warning, std::string(e.what()) + "; retrying");
        }
        delay *= 2;
    }
    if (m_uid_validity != validity) {
        m_invalidated = "UIDVALIDITY of " + sanitised(m_settings.folder) + " changed during the scan (" +
                        std::to_string(validity) + " → " + std::to_string(m_uid_validity) +
                        "); the next scan rescans it";
        m_pending_keyword.clear();
        m_cache.clear();
        throw ImapError(Kind::command, m_invalidated);
    }
    log(LogLevel::info, "reconnected to " + m_settings.host);
}

template <typename F> auto ImapSource::with_reconnect(F&& f) -> decltype(f()) {
    for (int attempt = 0;; ++attempt) {
        try {
            // Lost earlier in this pass: reconnect through the backoff, which checks UIDVALIDITY.
            if (!m_conn || !m_selected) throw ImapError(Kind::connect, "not connected to " + m_settings.host);
            return f();
        } catch (const ImapError& e) {
            if (!e.transient() || attempt >= 1) {
                if (e.transient()) disconnect_quietly();
                throw;
            }
            reconnect_with_backoff(e);
        }
    }
}

void ImapSource::forget_select_answers() {
    m_fresh_select = false;
    m_listed_after.reset();
    m_unmarked.reset();
}

FolderState ImapSource::open_listing(std::uint32_t after_uid) {
    m_prelist = after_uid;
    try {
        auto state = open();
        m_prelist.reset();
        return state;
    } catch (...) {
        m_prelist.reset();
        throw;
    }
}

FolderState ImapSource::open() {
    m_invalidated.clear();
    drop_ahead();
    m_cache.clear();
    m_missing.clear();
    // A second open() right after the first (cmd_scan connects early to tell configuration errors
    // apart from the scan's own) reuses that SELECT instead of sending another, and the listing made
    // right after it, if any.
    const bool reuse = m_conn && m_fresh_select;
    m_fresh_select = false;
    if (!reuse) {
        m_listed.clear();
        m_sizes.clear();
        m_listed_after.reset();
        if (m_conn) {
            try {
                flush_keywords();
                m_conn->raw->drain();
                report_pipelined_failures();
                select();
            } catch (const ImapError& e) {
                if (!e.transient()) throw;
                disconnect_quietly();
            }
        }
        if (!m_conn) {
            try {
                connect();
                select();
            } catch (...) {
                disconnect_quietly();
                throw;
            }
        }
        m_fresh_select = true;
    }
    FolderState state;
    state.source = source_name();
    state.folder = m_folder_name;
    state.uid_validity = m_uid_validity;
    state.uid_next = m_uid_next;
    return state;
}

std::vector<std::uint32_t> ImapSource::list_after(std::uint32_t after_uid) {
    const bool fresh = m_fresh_select;
    m_fresh_select = false;
    if (m_listed_after && *m_listed_after == after_uid) { // listed right after this SELECT
        m_listed_after.reset();
        return m_listed;
    }
    m_listed_after.reset();
    drop_ahead();
    m_listed.clear();
    m_sizes.clear();
    m_cache.clear();
    m_missing.clear();
    if (after_uid == UINT32_MAX) return {};
    // UIDNEXT from SELECT: nothing can be above it in this view, so skip the round trip.
    if (m_uid_next != 0 && after_uid + 1 >= m_uid_next) return {};
    Listing listing;
    with_reconnect([&] {
        listing = {};
        auto t = m_conn->raw->command(listing_command(after_uid), [&](Response& r) { listing.take(r); });
        if (!t.ok())
            throw ImapError(Kind::command,
                            "listing " + sanitised(m_settings.folder) + " failed: " + sanitised(t.text));
        return 0;
    });
    keep_listing(std::move(listing), after_uid);
    if (fresh) { // nothing but this listing since the SELECT: a second open() and listing reuse both
        m_fresh_select = true;
        m_listed_after = after_uid;
    }
    return m_listed;
}

std::string ImapSource::listing_command(std::uint32_t after_uid) {
    return "UID FETCH " + std::to_string(after_uid + 1) + ":* (UID RFC822.SIZE)";
}

void ImapSource::Listing::take(Response& r) {
    auto f = imap::parse_fetch(r);
    if (!f || !f->uid) return;
    uids.push_back(*f->uid);
    if (f->size) sizes.emplace_back(*f->uid, *f->size);
}

void ImapSource::keep_listing(Listing listing, std::uint32_t after_uid) {
    auto& uids = listing.uids;
    auto& sizes = listing.sizes;
    m_listed = imap::uids_after(std::move(uids), after_uid);
    // Each listed UID's size (the last one given for it; 0 when none was), in m_listed's order.
    std::stable_sort(sizes.begin(), sizes.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    m_sizes.assign(m_listed.size(), 0);
    auto size = sizes.begin();
    for (std::size_t i = 0; i < m_listed.size(); ++i) {
        while (size != sizes.end() && size->first < m_listed[i])
            ++size;
        while (size != sizes.end() && size->first == m_listed[i])
            m_sizes[i] = (size++)->second;
    }
}

std::vector<std::uint32_t> ImapSource::batch_after(std::uint32_t after, bool inclusive, std::uint64_t& bytes) const {
    namespace lim = ndr::classifiers;
    std::vector<std::uint32_t> batch;
    auto it = inclusive ? std::lower_bound(m_listed.begin(), m_listed.end(), after)
                        : std::upper_bound(m_listed.begin(), m_listed.end(), after);
    bytes = 0;
    for (; it != m_listed.end() && batch.size() < lim::k_max_imap_batch_messages; ++it) {
        const std::uint64_t size = m_sizes[static_cast<std::size_t>(it - m_listed.begin())];
        if (!batch.empty() && bytes + size > lim::k_max_imap_batch_bytes) break;
        if (m_cache.contains(*it) || m_expected.contains(*it)) continue;
        bytes += size;
        batch.push_back(*it);
    }
    return batch;
}

ImapSource::PendingFetch ImapSource::send_fetch(std::vector<std::uint32_t> uids, std::uint64_t bytes) {
    PendingFetch f;
    f.uids = std::move(uids);
    f.bytes = bytes;
    f.tag = m_conn->raw->send("UID FETCH " + imap::format_uid_set(f.uids) + " (UID INTERNALDATE BODY.PEEK[])",
                              true);
    m_expected.insert(f.uids.begin(), f.uids.end());
    return f;
}

void ImapSource::fetch_ahead(std::uint32_t after) {
    namespace lim = ndr::classifiers;
    std::uint64_t bytes = 0;
    for (const auto& f : m_ahead)
        bytes += f.bytes;
    while (m_ahead.size() < lim::k_max_imap_fetch_ahead_batches &&
           bytes < lim::k_max_imap_fetch_ahead_bytes) {
        if (!m_ahead.empty()) after = m_ahead.back().uids.back();
        std::uint64_t size = 0;
        auto next = batch_after(after, false, size);
        if (next.empty()) return;
        m_ahead.push_back(send_fetch(std::move(next), size));
        bytes += size;
    }
}

Tagged ImapSource::settle(const PendingFetch& fetch, std::vector<std::uint32_t>& not_returned) {
    Tagged t = m_conn->raw->wait(fetch.tag);
    settled(fetch, not_returned);
    return t;
}

void ImapSource::settled(const PendingFetch& fetch, std::vector<std::uint32_t>& not_returned) {
    for (auto u : fetch.uids)
        if (m_expected.erase(u) != 0) not_returned.push_back(u);
}

void ImapSource::take_fetched(Response& r) {
    if (m_expected.empty() || r.kind != Response::Kind::untagged) return;
    auto f = imap::parse_fetch(r);
    if (!f || !f->uid || !f->body) return;
    if (m_expected.erase(*f->uid) == 0) return; // not asked for, or a second copy
    SourceMessage m;
    m.uid = *f->uid;
    m.location = m_folder_name + "/" + std::to_string(m.uid);
    m.raw = std::move(*f->body);
    if (f->internal_date) m.internal_date = imap::internal_date_to_rfc3339(*f->internal_date);
    m_cache[m.uid] = std::move(m);
}

void ImapSource::retire(const PendingFetch& fetch) {
    for (auto u : fetch.uids)
        m_expected.erase(u);
    if (m_conn && m_conn->raw) m_conn->raw->forget(fetch.tag);
}

void ImapSource::drop_ahead() {
    for (const auto& f : m_ahead)
        retire(f);
    m_ahead.clear();
}

void ImapSource::fetch_batch(std::uint32_t first) {
    std::erase_if(m_cache, [first](const auto& kv) { return kv.first < first; });
    m_missing.clear();
    std::vector<std::uint32_t> not_returned;
    with_reconnect([&] {
        flush_keywords();
        not_returned.clear();
        if (m_cache.contains(first)) return 0; // arrived before the connection was lost: retried
        PendingFetch cur;
        const auto holds = [first](const PendingFetch& f) {
            return std::binary_search(f.uids.begin(), f.uids.end(), first);
        };
        if (std::any_of(m_ahead.begin(), m_ahead.end(), holds)) {
            // Asked for ahead. Batches before it are done with: every UID of theirs was asked for
            // already (fetch() goes in UID order), and was handed out from the cache or found
            // missing. Their tagged replies are not waited for (Dovecot sends those of pipelined
            // FETCHes only once all of them are answered): taken when already here, else dropped
            // when they come.
            while (!holds(m_ahead.front())) {
                retire(m_ahead.front());
                m_ahead.pop_front();
            }
            cur = std::move(m_ahead.front());
            m_ahead.pop_front();
        } else {
            drop_ahead();
            std::uint64_t size = 0;
            auto batch = batch_after(first, true, size);
            if (batch.empty() || batch.front() != first) { // not listed: this one alone
                batch = {first};
                size = 0;
            }
            cur = send_fetch(std::move(batch), size);
        }
        // The next batches go out before this one is waited for: the server works on them while
        // this one's messages are analysed, and no round trip is spent idle between batches. Their
        // replies are kept (Session::send) and their messages taken by the session's sink, whichever
        // command is being waited for when they arrive.
        fetch_ahead(cur.uids.back());
        // `first` is handed out as soon as it has arrived; the rest of its batch follows from the
        // cache, and the batch's tagged reply is read when a UID of it has not arrived (then it
        // says which are missing). Waiting for the reply first held every message of the batch
        // until the server had answered all the FETCHes sent ahead.
        auto early = m_conn->raw->wait_until(cur.tag, [&] { return m_cache.contains(first); });
        if (!early) {
            m_ahead.push_front(std::move(cur));
            return 0;
        }
        Tagged t = std::move(*early);
        settled(cur, not_returned);
        if (!t.ok() && cur.uids.size() > 1) {
            // One bad message must not sink its neighbours: fall back to the one asked for.
            log(LogLevel::warning, "UID FETCH of " + std::to_string(cur.uids.size()) + " messages refused (" +
                                       sanitised(t.text) + "); fetching one at a time");
            std::erase_if(m_cache, [&](const auto& kv) {
                return kv.first != first && std::binary_search(cur.uids.begin(), cur.uids.end(), kv.first);
            });
            not_returned.clear();
            if (m_cache.contains(first))
                t.status = "OK";
            else
                t = settle(send_fetch({first}, 0), not_returned);
        }
        if (!t.ok())
            throw ImapError(Kind::command, "UID FETCH " + std::to_string(first) + " in " + sanitised(m_folder_name) +
                                               " refused: " + sanitised(t.text));
        return 0;
    });
    m_missing = std::move(not_returned);
    std::sort(m_missing.begin(), m_missing.end());
}

std::optional<SourceMessage> ImapSource::fetch(std::uint32_t uid) {
    forget_select_answers();
    if (!m_invalidated.empty()) throw ImapError(Kind::command, m_invalidated);
    auto take = [&]() -> std::optional<SourceMessage> {
        auto node = m_cache.extract(uid);
        if (node) return std::move(node.mapped());
        return std::nullopt;
    };
    if (auto m = take()) return m;
    if (std::binary_search(m_missing.begin(), m_missing.end(), uid)) return std::nullopt;
    fetch_batch(uid);
    return take();
}

std::vector<std::uint32_t> ImapSource::unmarked_up_to(std::uint32_t last_uid) {
    auto searched = std::exchange(m_unmarked, std::nullopt);
    forget_select_answers();
    std::vector<std::uint32_t> uids;
    if (last_uid == 0 || m_keyword.empty() || !m_keywords_allowed || !m_invalidated.empty()) return uids;
    if (searched) { // asked with the SELECT, nothing marked since
        uids = std::move(*searched);
    } else {
        try {
            with_reconnect([&] {
                uids.clear();
                auto t = m_conn->raw->command("UID SEARCH UID 1:" + std::to_string(last_uid) + " UNKEYWORD " +
                                                  m_keyword,
                                              collect_search(uids));
                if (!t.ok()) {
                    log(LogLevel::warning,
                        "UID SEARCH for messages without " + m_keyword + " refused: " + sanitised(t.text));
                    uids.clear();
                }
                return 0;
            });
        } catch (const ImapError& e) {
            log(LogLevel::warning,
                std::string("searching for messages without ") + m_keyword + ": " + e.what());
            uids.clear();
        }
    }
    std::erase_if(uids, [last_uid](std::uint32_t u) { return u == 0 || u > last_uid; });
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    return uids;
}

void ImapSource::flush_keywords() {
    if (!m_invalidated.empty()) m_pending_keyword.clear();
    if (m_pending_keyword.empty() || !m_conn) return;
    std::sort(m_pending_keyword.begin(), m_pending_keyword.end());
    m_conn->raw->send("UID STORE " + imap::format_uid_set(m_pending_keyword) + " +FLAGS.SILENT (" + m_keyword + ")");
    m_pending_keyword.clear();
}

void ImapSource::report_pipelined_failures() {
    if (!m_conn) return;
    for (const auto& t : m_conn->raw->take_failed_pipelined())
        log(LogLevel::warning, "IMAP server refused a keyword/move command: " + sanitised(t.text));
}

void ImapSource::mark_processed(std::uint32_t uid, bool is_ndr) {
    forget_select_answers();
    if (!m_invalidated.empty()) return; // the UID names another message now
    if (!m_conn || !m_selected) {
        log(LogLevel::warning, "not connected: keyword not set on UID " + std::to_string(uid));
        return;
    }
    const std::string u = std::to_string(uid);
    try {
        if (!m_keyword.empty() && m_keywords_allowed) m_pending_keyword.push_back(uid);
        const bool move = is_ndr && !m_processed_arg.empty() && !m_processed_missing;
        // The keyword goes out with the next fetch batch (one STORE per batch, not per message), or
        // now when the message is about to move or the batch is full.
        if (move || m_pending_keyword.size() >= ndr::classifiers::k_max_imap_batch_messages) flush_keywords();
        if (move) {
            if (m_can_move) {
                m_conn->raw->send("UID MOVE " + u + " " + m_processed_arg);
            } else {
                // Copy first and only remove the original once the copy is confirmed.
                Tagged t = m_conn->raw->command("UID COPY " + u + " " + m_processed_arg);
                if (!t.ok()) {
                    log(LogLevel::warning, "UID COPY " + u + " to " + sanitised(m_settings.processed_folder) +
                                               " refused: " + sanitised(t.text));
                } else if (m_can_uidplus) {
                    m_conn->raw->send("UID STORE " + u + " +FLAGS.SILENT (\\Deleted)");
                    m_conn->raw->send("UID EXPUNGE " + u);
                } else if (!m_warned_copy_only) {
                    log(LogLevel::warning, "the server has neither MOVE nor UIDPLUS: NDRs are copied to " +
                                               sanitised(m_settings.processed_folder) + ", not moved");
                    m_warned_copy_only = true;
                }
            }
        }
        if (m_conn->raw->outstanding() > k_max_outstanding) m_conn->raw->drain();
        report_pipelined_failures();
    } catch (const ImapError& e) {
        log(LogLevel::warning, std::string("marking UID ") + u + " failed: " + e.what());
        if (e.transient()) disconnect_quietly();
    }
}

ImapSource::WaitResult ImapSource::wait_for_change(std::chrono::milliseconds max) {
    forget_select_answers();
    if (!m_conn || !m_can_idle) {
        auto until = std::chrono::steady_clock::now() + max;
        while (std::chrono::steady_clock::now() < until) {
            if (stopping()) return WaitResult::stopped;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return WaitResult::timeout;
    }
    try {
        flush_keywords();
        auto r = m_conn->raw->idle(max, [this] { return stopping(); });
        report_pipelined_failures();
        switch (r) {
        case imap::Session::IdleResult::changed: return WaitResult::changed;
        case imap::Session::IdleResult::stopped: return WaitResult::stopped;
        case imap::Session::IdleResult::timeout: return WaitResult::timeout;
        }
    } catch (const ImapError& e) {
        if (e.transient()) disconnect_quietly();
        throw;
    }
    return WaitResult::timeout;
}

void ImapSource::close() {
    forget_select_answers();
    if (!m_conn) return;
    try {
        flush_keywords();
        m_conn->raw->drain();
        report_pipelined_failures();
        m_conn->polite = true;
    } catch (const ImapError& e) {
        log(LogLevel::warning, std::string("while closing: ") + e.what());
    }
    disconnect_quietly();
}

imap::Session& ImapSource::session() {
    forget_select_answers();
    if (!m_conn) {
        try {
            connect();
        } catch (...) {
            disconnect_quietly();
            throw;
        }
    }
    m_selected = false; // the caller's SELECTs are not this source's folder
    return *m_conn->raw;
}

bool ImapSource::has_capability(std::string_view name) const {
    return std::find(m_capabilities.begin(), m_capabilities.end(), name) != m_capabilities.end();
}

std::unique_ptr<ImapSource> make_imap_source(const ImapSettings& settings, ImapHooks hooks) {
    return std::make_unique<ImapSource>(settings, std::move(hooks));
}

} // namespace ndr::agent
