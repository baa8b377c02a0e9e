// test_agent_sources_files.cpp — agent/sources/files: .eml files as a source, and the shared helpers.
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <string>

#include "agent/sources/files.hpp"

using namespace ndr::agent;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/ndr-files-test-XXXXXX";
        const char* d = ::mkdtemp(tmpl);
        REQUIRE(d != nullptr);
        path = d;
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path + "/" + name, std::ios::binary) << text;
        return path + "/" + name;
    }
};

} // namespace

TEST_CASE("sources: files are UIDs 1..n in the order given; bytes unchanged") {
    TempDir d;
    const auto a = d.write("a.eml", "Subject: a\r\n\r\nbody a\r\n");
    const auto b = d.write("b.eml", "Subject: b\n\nbody b\n");
    FilesSource src({b, a});
    const auto state = src.open();
    CHECK(state.source == "files");
    CHECK(state.uid_validity != 0);
    CHECK(src.list_after(0) == std::vector<std::uint32_t>{1, 2});
    CHECK(src.list_after(1) == std::vector<std::uint32_t>{2});
    CHECK(src.list_after(2).empty());
    const auto m1 = src.fetch(1);
    REQUIRE(m1.has_value());
    CHECK(m1->raw == "Subject: b\n\nbody b\n");
    CHECK(m1->location == b);
    CHECK(src.fetch(2)->raw == "Subject: a\r\n\r\nbody a\r\n");
    CHECK_FALSE(src.fetch(3).has_value());
}

TEST_CASE("sources: the files' UIDVALIDITY changes with the set and the contents") {
    TempDir d;
    const auto a = d.write("a.eml", "one");
    const auto b = d.write("b.eml", "two");
    const auto v_ab = FilesSource({a, b}).open().uid_validity;
    CHECK(FilesSource({a, b}).open().uid_validity == v_ab);
    CHECK(FilesSource({b, a}).open().uid_validity != v_ab);
    CHECK(FilesSource({a}).open().uid_validity != v_ab);
    d.write("b.eml", "two, longer now");
    CHECK(FilesSource({a, b}).open().uid_validity != v_ab);
}

TEST_CASE("sources: a missing file fails open(); one that vanishes later is skipped") {
    TempDir d;
    const auto a = d.write("a.eml", "one");
    CHECK_THROWS_AS(FilesSource({a, d.path + "/missing.eml"}).open(), std::runtime_error);
    FilesSource src({a});
    src.open();
    ::unlink(a.c_str());
    CHECK_FALSE(src.fetch(1).has_value());
}

TEST_CASE("sources: stable_hash32 is never zero and depends on part boundaries") {
    CHECK(stable_hash32({}) != 0);
    CHECK(stable_hash32({"ab", "c"}) != stable_hash32({"a", "bc"}));
    CHECK(stable_hash32({"x"}) == stable_hash32({"x"}));
}
