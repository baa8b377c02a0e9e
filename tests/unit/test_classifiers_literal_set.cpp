// test_classifiers_literal_set.cpp — classifiers/literal_set.cpp: every occurrence of every literal is
// reported, checked against one search per literal on random texts over a small alphabet (so that
// literals overlap, nest and share prefixes and suffixes).
#include "classifiers/literal_set.hpp"
#include "classifiers/text.hpp"

#include <doctest/doctest.h>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace ndr::classifiers;

namespace {

// literal id -> number of occurrences, by brute force.
std::map<std::size_t, int> count_naive(const std::vector<std::string>& literals, const std::string& text,
                                       bool fold) {
    const std::string hay = fold ? to_lower_ascii(text) : text;
    std::map<std::size_t, int> out;
    for (std::size_t id = 0; id < literals.size(); ++id) {
        const std::string needle = fold ? to_lower_ascii(literals[id]) : literals[id];
        if (needle.empty()) {
            out[id] = 1;
            continue;
        }
        for (std::size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1))
            ++out[id];
    }
    return out;
}

std::map<std::size_t, int> count_scan(const LiteralSet& set, const std::string& text) {
    std::map<std::size_t, int> out;
    set.scan(text, [&](std::size_t id) { ++out[id]; });
    return out;
}

} // namespace

TEST_CASE("literal set: reports every occurrence of every literal") {
    std::mt19937 rng(42);
    const std::string alphabet = "abAB\x80\xff";
    auto random_string = [&](std::size_t max_len) {
        std::string s(rng() % (max_len + 1), 'a');
        for (char& c : s)
            c = alphabet[rng() % alphabet.size()];
        return s;
    };
    for (int round = 0; round < 200; ++round) {
        const bool fold = round % 2 == 1;
        std::vector<std::string> literals;
        const std::size_t n = 1 + rng() % 12;
        for (std::size_t i = 0; i < n; ++i)
            literals.push_back(random_string(5));
        // Full rows for every node, for none but the root, and for some.
        for (std::size_t dense_entries : {std::size_t{1} << 16, std::size_t{0}, std::size_t{40}}) {
            LiteralSet set;
            for (const std::string& l : literals)
                CHECK(set.add(l) == &l - literals.data());
            set.build(fold, dense_entries);
            CHECK(set.size() == literals.size());
            for (int t = 0; t < 10; ++t) {
                const std::string text = random_string(t % 2 == 0 ? 40 : 100);
                CHECK(count_scan(set, text) == count_naive(literals, text, fold));
            }
        }
    }
}

TEST_CASE("literal set: literals longer than the parts a long text is read in") {
    // Texts of 32 bytes and more are read in two or four parts at once: an occurrence may begin in one
    // part and end several parts on; each is still reported once.
    std::mt19937 rng(11);
    auto random_string = [&](std::size_t min_len, std::size_t max_len, int b_in) {
        std::string s(min_len + rng() % (max_len - min_len + 1), 'a');
        for (char& c : s)
            if (static_cast<int>(rng() % 100) < b_in) c = 'b';
        return s;
    };
    for (int round = 0; round < 60; ++round) {
        std::vector<std::string> literals;
        const std::size_t n = 1 + rng() % 10;
        for (std::size_t i = 0; i < n; ++i)
            literals.push_back(random_string(1, 120, round % 3 == 0 ? 0 : 10));
        for (std::size_t dense_entries : {std::size_t{1} << 16, std::size_t{0}, std::size_t{40}}) {
            LiteralSet set;
            for (const std::string& l : literals)
                set.add(l);
            set.build(round % 2 == 1, dense_entries);
            for (std::size_t len : {31u, 32u, 33u, 63u, 64u, 65u, 67u, 100u, 160u, 301u}) {
                const std::string text = random_string(len, len, round % 3 == 0 ? 1 : 8);
                CHECK(count_scan(set, text) == count_naive(literals, text, round % 2 == 1));
            }
        }
    }
}

TEST_CASE("literal set: more than 65,536 nodes (node numbers wider than 16 bits)") {
    std::mt19937 rng(7);
    const std::string alphabet = "abcdefgh";
    auto random_string = [&](std::size_t len) {
        std::string s(len, 'a');
        for (char& c : s)
            c = alphabet[rng() % alphabet.size()];
        return s;
    };
    std::vector<std::string> literals;
    for (int i = 0; i < 4000; ++i) // some 130,000 bytes: more than 65,536 nodes
        literals.push_back(random_string(3 + rng() % 60));
    std::string text;
    for (int i = 0; i < 200; ++i)
        text += literals[rng() % literals.size()].substr(0, 1 + rng() % 40) + random_string(rng() % 6);
    for (std::size_t dense_entries : {std::size_t{1} << 16, std::size_t{1} << 20}) {
        LiteralSet set;
        for (const std::string& l : literals)
            set.add(l);
        set.build(false, dense_entries);
        CHECK(count_scan(set, text) == count_naive(literals, text, false));
    }
}

TEST_CASE("literal set: empty set, empty literal, empty text") {
    LiteralSet none;
    none.build(false);
    int calls = 0;
    none.scan("anything", [&](std::size_t) { ++calls; });
    CHECK(calls == 0);
    LiteralSet set;
    set.add("");
    set.add("ab");
    set.build(false);
    std::vector<std::size_t> got;
    set.scan("abab", [&](std::size_t id) { got.push_back(id); });
    CHECK(got == std::vector<std::size_t>{0, 1, 1}); // the empty literal once, before the first byte
    got.clear();
    set.scan("", [&](std::size_t id) { got.push_back(id); });
    CHECK(got == std::vector<std::size_t>{0});
}

TEST_CASE("small id set: inline and heap storage answer alike") {
    for (std::size_t n : {std::size_t{10}, std::size_t{1024}, std::size_t{5000}}) {
        SmallIdSet set(n);
        std::mt19937 rng(static_cast<unsigned>(n));
        std::vector<bool> want(n, false);
        for (int k = 0; k < 300; ++k) {
            const std::size_t i = rng() % n;
            CHECK(set.insert(i) == !want[i]);
            want[i] = true;
        }
        for (std::size_t i = 0; i < n; ++i)
            CHECK(set.contains(i) == want[i]);
    }
}

TEST_CASE("small id list: keeps order past its inline storage") {
    SmallIdList list;
    for (std::uint32_t i = 0; i < 200; ++i)
        list.push_back(i * 3);
    REQUIRE(list.size() == 200);
    for (std::uint32_t i = 0; i < 200; ++i)
        CHECK(list[i] == i * 3);
}
