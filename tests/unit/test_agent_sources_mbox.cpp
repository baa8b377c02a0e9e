// test_agent_sources_mbox.cpp — agent/sources/mbox: splitting, >From unquoting, stable bytes on append.
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <string>

#include "agent/sources/mbox.hpp"

using namespace ndr::agent;

namespace {

struct TempFile {
    std::string path;
    TempFile() {
        char tmpl[] = "/tmp/ndr-mbox-test-XXXXXX";
        const int fd = ::mkstemp(tmpl);
        REQUIRE(fd >= 0);
        ::close(fd);
        path = tmpl;
    }
    ~TempFile() { ::unlink(path.c_str()); }
    void write(const std::string& text, bool append = false) const {
        std::ofstream(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc)) << text;
    }
};

std::vector<std::string> all(MboxSource& src) {
    std::vector<std::string> out;
    for (auto uid : src.list_after(0)) out.push_back(src.fetch(uid)->raw);
    return out;
}

} // namespace

TEST_CASE("sources: an mbox splits at From_ lines after a blank line, separators removed") {
    TempFile f;
    f.write("From MAILER-DAEMON Mon Nov 16 09:12:03 2026\n"
            "Subject: one\n\nbody one\nFrom inside a paragraph is not a separator\n\n"
            "From MAILER-DAEMON Tue Nov 17 10:00:00 2026\n"
            "Subject: two\n\n>From quoted\n>>From twice\n\n");
    MboxSource src(f.path);
    const auto state = src.open();
    CHECK(state.source == "mbox:" + f.path);
    const auto msgs = all(src);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0] == "Subject: one\n\nbody one\nFrom inside a paragraph is not a separator\n");
    CHECK(msgs[1] == "Subject: two\n\nFrom quoted\n>From twice\n");
    CHECK(src.fetch(1)->internal_date == "2026-11-16T09:12:03Z");
    CHECK(src.fetch(2)->location == f.path + "#2");
}

TEST_CASE("sources: mbox messages keep their bytes when another is appended") {
    TempFile f;
    f.write("From a@example.com Mon Nov 16 09:12:03 2026\r\nSubject: one\r\n\r\nbody\r\n\r\n");
    MboxSource before(f.path);
    const auto v1 = before.open().uid_validity;
    const auto first = all(before);
    REQUIRE(first.size() == 1);
    f.write("From b@example.com Mon Nov 16 09:13:03 2026\r\nSubject: two\r\n\r\nbody\r\n\r\n", true);
    MboxSource after(f.path);
    const auto v2 = after.open().uid_validity;
    const auto both = all(after);
    REQUIRE(both.size() == 2);
    CHECK(both[0] == first[0]);
    CHECK(both[0] == "Subject: one\r\n\r\nbody\r\n");
    CHECK(v1 != v2);
}

TEST_CASE("sources: a file without a From_ line is one message; an empty file none") {
    TempFile f;
    f.write("Subject: lone\n\nno separator\n");
    MboxSource src(f.path);
    src.open();
    const auto msgs = all(src);
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0] == "Subject: lone\n\nno separator\n");
    f.write("");
    MboxSource empty(f.path);
    empty.open();
    CHECK(empty.list_after(0).empty());
    CHECK_THROWS_AS(MboxSource("/nonexistent/mbox").open(), std::runtime_error);
}

TEST_CASE("sources: a very long line in an mbox is indexed without holding it") {
    TempFile f;
    std::string big(300000, 'x');
    f.write("From a Mon Nov 16 09:12:03 2026\nSubject: big\n\n" + big + "\n\nFrom b Mon Nov 16 09:12:04 2026\nSubject: small\n\nok\n");
    MboxSource src(f.path);
    src.open();
    const auto msgs = all(src);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].size() == std::string("Subject: big\n\n").size() + big.size() + 1);
    CHECK(msgs[1] == "Subject: small\n\nok\n");
}

TEST_CASE("sources: mbox_unquote removes one '>' from quoted From lines only") {
    CHECK(mbox_unquote(">From x\n>>From y\n> From z\nFrom w\n") == "From x\n>From y\n> From z\nFrom w\n");
    CHECK(mbox_unquote("") == "");
}
