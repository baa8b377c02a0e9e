// Unit tests for agent/input_files.cpp: PATH expansion (files, mbox, maildir, directories, errors).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "agent/input_files.hpp"

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
    t.write("box", "From a Mon Jan  1 00:00:00 2024\nSubject: 1\n\nx\nFrom b Mon Jan  1 00:00:01 2024\nSubject: 2\n\ny\n");
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
