// Unit tests for agent/input_files.cpp: PATH expansion (files, mbox, maildir, directories, errors).
#include "agent/input_files.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

using namespace ndr::agent;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("ndr-input-test-" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    void write(const fs::path& rel, const std::string& data) const {
        fs::create_directories((path / rel).parent_path());
        std::ofstream(path / rel, std::ios::binary) << data;
    }
};

} // namespace

TEST_CASE("expand_paths: maildir, directory, file, missing") {
    TempDir t;
    t.write("md/cur/2", "Subject: b\n\n");
    t.write("md/new/1", "Subject: c\n\n");
    t.write("md/cur/1", "Subject: a\n\n");
    t.write("md/tmp/x", "ignored\n");
    t.write("dir/b.eml", "x");
    t.write("dir/a.eml", "x");
    t.write("dir/.hidden", "x");
    t.write("dir/sub/c.eml", "x");
    t.write("one.eml", "x");
    auto r = expand_paths({(t.path / "md").string(), (t.path / "dir").string(), (t.path / "one.eml").string(),
                           (t.path / "missing.eml").string(), "-"});
    REQUIRE(r.files.size() == 7);
    CHECK(r.files[0] == (t.path / "md/cur/1").string());
    CHECK(r.files[1] == (t.path / "md/cur/2").string());
    CHECK(r.files[2] == (t.path / "md/new/1").string());
    CHECK(r.files[3] == (t.path / "dir/a.eml").string());
    CHECK(r.files[4] == (t.path / "dir/b.eml").string());
    CHECK(r.files[5] == (t.path / "one.eml").string());
    CHECK(r.files[6] == "-");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].path == (t.path / "missing.eml").string());
}

TEST_CASE("for_each_message: mbox split and indexes") {
    TempDir t;
    t.write("box", "From a Mon Jan  1 00:00:00 2024\nSubject: 1\n\nx\nFrom b Mon Jan  1 00:00:01 "
                   "2024\nSubject: 2\n\ny\n");
    t.write("single.eml", "Subject: s\n\nFrom here on\n");
    std::vector<std::pair<std::string, std::size_t>> seen;
    auto errors = for_each_message({(t.path / "box").string(), (t.path / "single.eml").string()},
                                   [&](const std::string& src, std::size_t i, std::string_view) {
                                       seen.emplace_back(fs::path(src).filename().string(), i);
                                   });
    CHECK(errors.empty());
    REQUIRE(seen.size() == 3);
    CHECK(seen[0] == std::pair<std::string, std::size_t>{"box", 0});
    CHECK(seen[1] == std::pair<std::string, std::size_t>{"box", 1});
    CHECK(seen[2] == std::pair<std::string, std::size_t>{"single.eml", 0});
}

TEST_CASE("read_input: unreadable file names the error") {
    std::string data, err;
    CHECK_FALSE(read_input("/nonexistent/ndr-triage/x.eml", data, &err));
    CHECK_FALSE(err.empty());
}

TEST_CASE("for_each_message: errors of the expansion first, then those of reading, each in order") {
    TempDir t;
    t.write("dir/a.eml", "Subject: a\n\n");
    t.write("dir/b.eml", "Subject: b\n\n");
    t.write("md/new/1", "Subject: m\n\n");
    t.write("one.eml", "Subject: o\n\n");
    std::vector<std::string> seen;
    // /proc/self/mem opens but its first read fails (EIO): a read error, after every expansion error.
    auto errors =
        for_each_message({"/proc/self/mem", (t.path / "missing.eml").string(), (t.path / "dir").string(),
                          (t.path / "one.eml/x").string(), (t.path / "one.eml").string(),
                          (t.path / "md").string(), (t.path / "dir/a.eml").string()},
                         [&](const std::string& src, std::size_t, std::string_view raw) {
                             seen.push_back(fs::path(src).filename().string() + ":" + std::string(raw));
                         });
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].path == (t.path / "missing.eml").string());
    CHECK(errors[0].message == "No such file or directory");
    CHECK(errors[1].path == (t.path / "one.eml/x").string());
    CHECK(errors[1].message == "Not a directory");
    CHECK(errors[2].path == "/proc/self/mem");
    CHECK(errors[2].message == "Input/output error");
    CHECK(seen == std::vector<std::string>{"a.eml:Subject: a\n\n", "b.eml:Subject: b\n\n",
                                           "one.eml:Subject: o\n\n", "1:Subject: m\n\n",
                                           "a.eml:Subject: a\n\n"});
}

TEST_CASE("read_input: a file bigger than the first read, and an empty one") {
    TempDir t;
    const std::string big(200000, 'x');
    t.write("big.eml", big);
    t.write("empty.eml", "");
    std::string data, err;
    CHECK(read_input((t.path / "big.eml").string(), data, &err));
    CHECK(data == big);
    CHECK(read_input((t.path / "empty.eml").string(), data, &err));
    CHECK(data.empty());
}
