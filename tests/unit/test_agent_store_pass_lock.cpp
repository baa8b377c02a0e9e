// test_agent_store_pass_lock.cpp — agent/store/pass_lock: one holder at a time, the holder named to a
// waiter, released on destruction, no symlink followed.
#include "agent/store/pass_lock.hpp"

#include <chrono>
#include <cstdlib>
#include <doctest/doctest.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using ndr::agent::store::PassLock;
using namespace std::chrono_literals;

namespace {

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/ndr-pass-lock-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
};

} // namespace

TEST_CASE("pass lock: a second pass waits, is told the holder, and gets the lock once it is released") {
    TempDir dir;
    const std::string state = dir.path + "/state.db";
    CHECK_FALSE(PassLock::holder(state).has_value()); // no lock file yet
    auto first = PassLock::acquire(state, 0ms);
    REQUIRE(first.has_value());
    CHECK(PassLock::holder(state) == "pid " + std::to_string(::getpid()));
    struct stat st {};
    REQUIRE(::stat(PassLock::path_for(state).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    int told = 0;
    std::string holder;
    const auto t0 = std::chrono::steady_clock::now();
    auto second = PassLock::acquire(state, 150ms, [&](const std::string& h) {
        ++told;
        holder = h;
    });
    CHECK(std::chrono::steady_clock::now() - t0 >= 150ms);
    REQUIRE_FALSE(second.has_value());
    CHECK(told == 1);
    CHECK(holder == "pid " + std::to_string(::getpid()));
    CHECK(second.error().find("another ndr-triage pass (pid " + std::to_string(::getpid()) + ")") !=
          std::string::npos);

    // A stop request ends the wait before its time.
    auto stopped = PassLock::acquire(state, std::chrono::hours(1), {}, [] { return true; });
    CHECK_FALSE(stopped.has_value());
    // Forever, as the service waits: only the stop request ends it (after a few tries here).
    int tries = 0;
    auto forever = PassLock::acquire(state, PassLock::k_forever, {}, [&] { return ++tries >= 3; });
    CHECK_FALSE(forever.has_value());
    CHECK(tries == 3);

    { auto released = std::move(*first); }
    CHECK_FALSE(PassLock::holder(state).has_value());
    auto third = PassLock::acquire(state, 0ms);
    CHECK(third.has_value());
}

TEST_CASE("pass lock: a symlink at the lock path is refused") {
    TempDir dir;
    const std::string state = dir.path + "/state.db";
    REQUIRE(::symlink((dir.path + "/elsewhere").c_str(), PassLock::path_for(state).c_str()) == 0);
    auto lock = PassLock::acquire(state, 0ms);
    REQUIRE_FALSE(lock.has_value());
    CHECK(lock.error().find("cannot open the pass lock") != std::string::npos);
    struct stat st {};
    CHECK(::stat((dir.path + "/elsewhere").c_str(), &st) != 0); // nothing created through the link
}
