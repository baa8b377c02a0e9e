// test_agent_sources_imap.cpp — ImapSource without a server: settings refused up front, errors before
// any connection (password, CA file), a closed port on loopback. The rest is in tests/integration/imap_*.sh.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/sources/imap.hpp"

using namespace ndr::agent;

namespace {

ImapSettings base() {
    ImapSettings s;
    s.host = "127.0.0.1";
    s.port = 1;
    s.tls = TlsMode::implicit;
    s.user = "postmaster@example.test";
    s.timeout_seconds = 2;
    return s;
}

ImapHooks quiet(std::string password = "pw-for-test") {
    ImapHooks h;
    h.log = [](LogLevel, std::string_view) {};
    h.password = [password]() -> std::expected<std::string, std::string> { return password; };
    return h;
}

ImapError::Kind construct_error(const ImapSettings& s) {
    try {
        ImapSource src(s, quiet());
    } catch (const ImapError& e) {
        return e.kind();
    }
    FAIL("settings accepted");
    return ImapError::Kind::protocol;
}

// A loopback port with nothing listening: bind an ephemeral port, then close it.
int closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

} // namespace

TEST_CASE("imap: settings that can never work are refused before connecting") {
    auto no_host = base();
    no_host.host.clear();
    CHECK(construct_error(no_host) == ImapError::Kind::config);

    auto implicit_plain = base();
    implicit_plain.tls = TlsMode::none;
    implicit_plain.tls_set_explicitly = false;
    CHECK(construct_error(implicit_plain) == ImapError::Kind::config);

    auto bad_folder = base();
    bad_folder.folder = "In\xff";
    CHECK(construct_error(bad_folder) == ImapError::Kind::config);

    auto injected = base();
    injected.processed_folder = "Done\r\nx DELETE INBOX";
    CHECK(construct_error(injected) == ImapError::Kind::config);

    for (const char* kw : {"two words", "\\Seen", "a)b", "x\r\n"}) {
        auto bad_keyword = base();
        bad_keyword.keyword = kw;
        CHECK_MESSAGE(construct_error(bad_keyword) == ImapError::Kind::config, "keyword ", kw, " accepted");
    }
}

TEST_CASE("imap: plaintext is accepted only when set explicitly") {
    auto s = base();
    s.tls = TlsMode::none;
    s.tls_set_explicitly = true;
    ImapSource src(s, quiet());
    CHECK(src.source_name() == "imap://postmaster@example.test@127.0.0.1:1");
}

TEST_CASE("imap: an unreadable password is a config error that holds no secret") {
    auto s = base();
    ImapHooks h = quiet();
    h.password = []() -> std::expected<std::string, std::string> { return std::unexpected("file /x is world-readable"); };
    ImapSource src(s, h);
    try {
        src.open();
        FAIL("open succeeded");
    } catch (const ImapError& e) {
        CHECK(e.kind() == ImapError::Kind::config);
        CHECK(std::string(e.what()).find("world-readable") != std::string::npos);
    }
}

TEST_CASE("imap: a CA file without certificates is a config error naming the file") {
    char path[] = "/tmp/ndr-imap-ca.XXXXXX";
    int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, "not a certificate\n", 18) == 18);
    ::close(fd);
    auto s = base();
    s.ca_file = path;
    ImapSource src(s, quiet());
    try {
        src.open();
        FAIL("open succeeded");
    } catch (const ImapError& e) {
        CHECK(e.kind() == ImapError::Kind::config);
        CHECK_MESSAGE(std::string(e.what()).find(path) != std::string::npos, "got ", e.what());
    }
    ::unlink(path);
}

TEST_CASE("imap: a closed port is a connect error naming host and port, without the password") {
    auto s = base();
    s.tls = TlsMode::none;
    s.tls_set_explicitly = true;
    s.port = closed_port();
    ImapSource src(s, quiet("pw-for-test"));
    try {
        src.open();
        FAIL("open succeeded");
    } catch (const ImapError& e) {
        const std::string what = e.what();
        CHECK(e.kind() == ImapError::Kind::connect);
        CHECK(e.transient());
        CHECK_MESSAGE(what.find("127.0.0.1:" + std::to_string(s.port)) != std::string::npos, "got ", what);
        CHECK(what.find("pw-for-test") == std::string::npos);
    }
}
