// fuzz_imap_response.cpp — what an IMAP server sends, as the raw session reads it (agent/sources/
// imap_raw.*): the response reader fed in chunks whose sizes come from the input, every response
// through the parsers the IMAP source uses, and a Session with pipelined, kept and forgotten commands
// reading the same bytes. ImapError is the expected way to refuse bad input; anything else (a crash, a
// sanitizer report, another exception, a hang) is a finding.
#include "agent/sources/imap_raw.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace imap = ndr::agent::imap;

namespace {

// The input as the server's bytes, handed out in chunks of 1 to 64 bytes (sizes taken from `sizes`,
// cyclically); exhausted: the connection is closed.
class FuzzTransport final : public imap::Transport {
  public:
    FuzzTransport(std::string_view bytes, std::string_view sizes) : m_bytes(bytes), m_sizes(sizes) {}
    void send(std::string_view) override {}
    std::size_t receive(char* buffer, std::size_t size) override {
        if (m_bytes.empty()) throw imap::ImapError(imap::ImapError::Kind::connect, "closed");
        std::size_t n =
            m_sizes.empty() ? 64 : 1 + static_cast<unsigned char>(m_sizes[m_next++ % m_sizes.size()]) % 64;
        n = std::min({n, size, m_bytes.size()});
        std::copy_n(m_bytes.data(), n, buffer);
        m_bytes.remove_prefix(n);
        return n;
    }

  private:
    std::string_view m_bytes;
    std::string_view m_sizes;
    std::size_t m_next = 0;
};

// Each parser on its own: ImapError(protocol) is how they refuse what they cannot read.
template <typename F> void refused_or_read(F&& f) {
    try {
        f();
    } catch (const imap::ImapError&) {
    }
}

void parse_everything(imap::Response& r) {
    refused_or_read([&] { (void)imap::status_word(r.text); });
    refused_or_read([&] { (void)imap::response_code(r.text); });
    refused_or_read([&] { (void)imap::parse_search(r.text); });
    refused_or_read([&] { (void)imap::parse_capability(r.text); });
    refused_or_read([&] { (void)imap::parse_exists(r.text); });
    refused_or_read([&] { (void)imap::parse_items(r.text, r.literals.size()); });
    refused_or_read([&] {
        imap::Response copy = r;
        if (auto f = imap::parse_fetch(copy); f && f->internal_date)
            (void)imap::internal_date_to_rfc3339(*f->internal_date);
    });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // First byte: how many of the next bytes give chunk sizes (0-15); the rest is the server's stream.
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::size_t n_sizes = in.empty() ? 0 : static_cast<unsigned char>(in[0]) % 16;
    in.remove_prefix(in.empty() ? 0 : 1);
    n_sizes = std::min(n_sizes, in.size());
    const std::string_view sizes = in.substr(0, n_sizes);
    const std::string_view stream = in.substr(n_sizes);

    // The reader alone, then every response through the parsers.
    {
        imap::ResponseReader reader;
        std::deque<imap::Response> out;
        try {
            std::size_t at = 0, k = 0;
            while (at < stream.size()) {
                const std::size_t n =
                    sizes.empty() ? stream.size() : 1 + static_cast<unsigned char>(sizes[k++ % sizes.size()]);
                reader.feed(stream.substr(at, n), out);
                at += n;
            }
        } catch (const imap::ImapError&) {
        }
        for (auto& r : out)
            parse_everything(r);
    }

    // A session reading the same bytes: three kept FETCHes (one waited for only until its message is
    // in, one forgotten), a STORE, a drain.
    FuzzTransport transport(stream, sizes);
    imap::Session session(transport, std::chrono::milliseconds(0));
    // As the IMAP source's sink: the body moved out, a malformed FETCH thrown through the session.
    bool seen_4 = false;
    session.set_untagged_sink([&seen_4](imap::Response& r) {
        parse_everything(r);
        if (auto f = imap::parse_fetch(r); f && f->uid == 4u) seen_4 = true;
    });
    try {
        const auto d = session.send("UID FETCH 4 (UID INTERNALDATE BODY.PEEK[])", true);
        const auto a = session.send("UID FETCH 1:2 (UID INTERNALDATE BODY.PEEK[])", true);
        session.send("UID STORE 1:2 +FLAGS.SILENT ($NDRTriaged)");
        const auto c = session.send("UID FETCH 3 (UID INTERNALDATE BODY.PEEK[])", true);
        session.forget(c);
        (void)session.wait_until(d, [&seen_4] { return seen_4; });
        (void)session.wait(a, [](imap::Response& r) { parse_everything(r); });
        session.drain();
        (void)session.wait_until(d, [] { return false; });
        (void)session.take_failed_pipelined();
        (void)session.command("NOOP");
    } catch (const imap::ImapError&) {
    }
    return 0;
}
