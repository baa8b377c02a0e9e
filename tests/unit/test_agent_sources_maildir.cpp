// test_agent_sources_maildir.cpp — agent/sources/maildir: ordering, new/ → cur/ moves, subfolders.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "agent/sources/maildir.hpp"

using namespace ndr::agent;

namespace {

struct TempMaildir {
    std::string path;
    TempMaildir() {
        char tmpl[] = "/tmp/ndr-maildir-test-XXXXXX";
        const char* d = ::mkdtemp(tmpl);
        REQUIRE(d != nullptr);
        path = d;
        for (const char* sub : {"/cur", "/new", "/tmp"}) ::mkdir((path + sub).c_str(), 0700);
    }
    ~TempMaildir() { std::system(("rm -rf '" + path + "'").c_str()); }
    void put(const std::string& rel, const std::string& text) const {
        std::ofstream(path + "/" + rel, std::ios::binary) << text;
    }
};

} // namespace

TEST_CASE("sources: maildir messages are ordered by unique name across new/ and cur/") {
    TempMaildir m;
    m.put("new/1700000003.M3P1.host", "third");
    m.put("cur/1700000001.M1P1.host:2,S", "first");
    m.put("cur/1700000002.M2P1.host:2,", "second");
    m.put("tmp/1700000000.M0P1.host", "in delivery: ignored");
    m.put("cur/.hidden", "ignored");
    MaildirSource src(m.path);
    const auto state = src.open();
    CHECK(state.source == "maildir:" + m.path);
    CHECK(state.folder == "INBOX");
    REQUIRE(src.list_after(0).size() == 3);
    CHECK(src.fetch(1)->raw == "first");
    CHECK(src.fetch(2)->raw == "second");
    CHECK(src.fetch(3)->raw == "third");
    CHECK(src.list_after(2) == std::vector<std::uint32_t>{3});
    CHECK_FALSE(src.fetch(1)->internal_date.empty());
}

TEST_CASE("sources: a maildir message moved from new/ to cur/ after open() is still found") {
    TempMaildir m;
    m.put("new/1700000001.M1P1.host", "moving");
    MaildirSource src(m.path);
    src.open();
    REQUIRE(std::rename((m.path + "/new/1700000001.M1P1.host").c_str(),
                        (m.path + "/cur/1700000001.M1P1.host:2,S").c_str()) == 0);
    const auto msg = src.fetch(1);
    REQUIRE(msg.has_value());
    CHECK(msg->raw == "moving");
    CHECK(msg->location.find("/cur/") != std::string::npos);
}

TEST_CASE("sources: the maildir UIDVALIDITY ignores flag changes but not new messages") {
    TempMaildir m;
    m.put("cur/1700000001.M1P1.host:2,", "a");
    const auto v1 = MaildirSource(m.path).open().uid_validity;
    REQUIRE(std::rename((m.path + "/cur/1700000001.M1P1.host:2,").c_str(),
                        (m.path + "/cur/1700000001.M1P1.host:2,S").c_str()) == 0);
    CHECK(MaildirSource(m.path).open().uid_validity == v1);
    m.put("new/1700000002.M2P1.host", "b");
    CHECK(MaildirSource(m.path).open().uid_validity != v1);
}

TEST_CASE("sources: a Maildir++ subfolder, and a directory that is no maildir") {
    TempMaildir m;
    ::mkdir((m.path + "/.Bounces").c_str(), 0700);
    ::mkdir((m.path + "/.Bounces/cur").c_str(), 0700);
    m.put(".Bounces/cur/1700000001.M1P1.host:2,", "bounce");
    MaildirSource sub(m.path, "Bounces");
    CHECK(sub.open().folder == "Bounces");
    CHECK(sub.fetch(1)->raw == "bounce");
    CHECK_THROWS_AS(MaildirSource(m.path, "Nope").open(), std::runtime_error);
    CHECK_THROWS_AS(MaildirSource(m.path, "../etc").open(), std::runtime_error);
    CHECK_THROWS_AS(MaildirSource(m.path + "/cur").open(), std::runtime_error);
    CHECK(is_maildir(m.path));
}
