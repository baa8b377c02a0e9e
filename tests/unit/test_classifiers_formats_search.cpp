// Unit tests for classifiers/formats/search.cpp and the lookups of common.cpp built on it: over every
// fixture message and a few hostile texts, each listed phrase is found on exactly the lines a plain
// case-insensitive search (the path of an unlisted phrase) finds, the detection window is the same,
// the marker lines are those of a line-by-line check, the lines are split as next_line() does, and
// the phrases found in From and Subject are those contains() finds there, and the header fields
// found in one pass are those Headers::get / has find.
#include "classifiers/formats/common.hpp"
#include "classifiers/formats/needles.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/mime.hpp"
#include "classifiers/text.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace ndr::classifiers;
using namespace ndr::classifiers::formats;
using namespace std::string_literals;

namespace {

// find_original_marker() as a line-by-line check: the trimmed line starts with a marker.
std::size_t marker_by_lines(const Context& ctx, std::size_t from) {
    for (std::size_t i = from; i < ctx.lines.size(); ++i) {
        const std::string_view t = trim(ctx.lines[i]);
        if (t.size() < 10) continue;
        for (std::size_t m = 0; m < k_marker_count; ++m)
            if (istarts_with(t, k_needles[m])) return i;
    }
    return std::string_view::npos;
}

// Compares every lookup of ctx with its plain counterpart; returns the number of mismatches.
std::size_t mismatches(const Context& ctx, const std::string& name) {
    std::size_t bad = 0;
    // The lines, as next_line() splits the text.
    std::vector<std::string_view> want;
    for (std::size_t pos = 0; pos < ctx.text.size();)
        want.push_back(next_line(ctx.text, pos));
    if (want != ctx.lines) {
        ++bad;
        MESSAGE(name, ": lines differ");
    }
    // Every phrase from every line (and one past the end).
    for (std::size_t k = 0; k < k_needle_count; ++k) {
        const Needle fast = Needle::listed(k), plain = Needle::unlisted(k_needles[k]);
        if (find_head(ctx, fast) != find_head(ctx, plain)) {
            ++bad;
            MESSAGE(name, ": find_head differs for \"", k_needles[k], "\"");
        }
        if (from_has(ctx, fast) != contains(ctx.from, k_needles[k]) ||
            subject_has(ctx, fast) != contains(ctx.subject, k_needles[k])) {
            ++bad;
            MESSAGE(name, ": from_has / subject_has differ for \"", k_needles[k], "\"");
        }
        for (std::size_t from = 0; from <= ctx.lines.size(); ++from)
            if (find_line(ctx, fast, from) != find_line(ctx, plain, from)) {
                ++bad;
                MESSAGE(name, ": find_line differs for \"", k_needles[k], "\" from line ", from);
                break;
            }
    }
    for (std::size_t f = 0; f < k_field_count; ++f) {
        const std::string_view field = field_name(static_cast<Field>(f));
        if (header(ctx, static_cast<Field>(f)) != ctx.headers->get(field) ||
            has_header(ctx, static_cast<Field>(f)) != ctx.headers->has(field)) {
            ++bad;
            MESSAGE(name, ": header field ", field, " differs");
        }
    }
    for (std::size_t from = 0; from <= ctx.lines.size(); ++from)
        if (find_original_marker(ctx, from) != marker_by_lines(ctx, from)) {
            ++bad;
            MESSAGE(name, ": find_original_marker differs from line ", from);
            break;
        }
    return bad;
}

ParsedMessage message(std::string_view body) {
    std::string raw = "From: MAILER-DAEMON@Example.com (Mail Delivery System)\n"
                      "Subject: =?utf-8?q?Mail_delivery_failed:_Delivery_Status_Notification?=\n"
                      "x-mailer: first\nX-MAILER: second\nX-SES-Outgoing:\nX-Failed-Recipient: not this one\n"
                      "Content-Type: text/plain\n\n";
    raw += body;
    return parse_mime(raw);
}

} // namespace

TEST_CASE("formats: the phrase index agrees with a plain search over every fixture") {
    namespace fs = std::filesystem;
    std::size_t files = 0, bad = 0;
    for (const auto& e :
         fs::recursive_directory_iterator(std::string(NDR_TEST_SOURCE_DIR) + "/fixtures/ndr")) {
        if (!e.is_regular_file() || e.path().extension() != ".eml") continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        // As stored and as CR LF: the lines drop a '\r' before '\n', the phrase search does not.
        for (const std::string& raw : {ss.str(), [&] {
                                           std::string crlf;
                                           for (char c : ss.str()) {
                                               if (c == '\n') crlf += '\r';
                                               crlf += c;
                                           }
                                           return crlf;
                                       }()}) {
            const ParsedMessage msg = parse_mime(raw);
            Context ctx;
            build_context(msg, ctx);
            bad += mismatches(ctx, e.path().filename().string());
        }
        ++files;
    }
    CHECK(files > 100);
    CHECK(bad == 0);
}

TEST_CASE("formats: the phrase index agrees with a plain search on edge-case texts") {
    std::string big(k_detect_window - 20, 'x');
    big += " This is the qmail-send program at x\n"; // ends past the detection window
    big += "This is the qmail-send program at y\n";
    std::string many; // more phrase hits than index_text() keeps in its object
    for (int i = 0; i < 100; ++i)
        many += "because: following recipients\n----- Original message -----\n";
    const std::string texts[] = {
        "",
        "\n",
        "\n\n\n",
        "This is the mail system at host x.",                // no line end
        "This is the mail system at host x.\n",              // a line end last
        "THIS IS THE MAIL SYSTEM AT HOST\r\n\r\nbecause:\r", // CR LF and a lone CR at the end
        "because:because:because:\nbecause:\n\nbecause:",    // a phrase twice on a line
        "   \t----- Original message -----\n--- Below this line is a copy of the message.\n",
        "x ----- Original message -----\n\r\r------ This is a copy of the message, including\n",
        "Original Message: follows\nOriginal message headers:\nOriginal message follows.\n",
        "following recipients cannot be delivered\nfollowing recipients\nto the following recipients\n",
        "\xC3\x84 Technical report:\x00 Technical details of\x80\xFF\n\x00"
        "because:"s,
        big,
        many,
    };
    for (const std::string& t : texts) {
        const ParsedMessage msg = message(t);
        Context ctx;
        build_context(msg, ctx);
        CHECK(mismatches(ctx, "edge case") == 0);
    }
}

TEST_CASE("formats: a reused context holds only the latest message's lines, phrases and fields") {
    // apply_vendor_formats() reuses a thread's Context: build_context() sets everything afresh.
    std::string many;
    for (int i = 0; i < 100; ++i)
        many += "because: following recipients\n----- Original message -----\n";
    const std::string texts[] = {
        many, "", "This is the mail system at host x.\n", many, "Original message headers:\nbecause:\n",
        "\n"};
    Context reused;
    for (int round = 0; round < 2; ++round)
        for (const std::string& t : texts) {
            const ParsedMessage msg = round == 0 ? message(t) : parse_mime("Subject: other\n\n" + t);
            reused.enriching = true;
            reused.fill.status = false;
            build_context(msg, reused);
            Context fresh;
            build_context(msg, fresh);
            // mismatches() compares the lines, phrases, fields and markers with plain searches.
            CHECK(mismatches(reused, "reused") == 0);
            const auto& a = reused.index;
            const auto& b = fresh.index;
            const bool same = a.line_starts == b.line_starts && a.lines == b.lines && a.count == b.count &&
                              a.marker_lines == b.marker_lines && reused.subject == fresh.subject &&
                              reused.original == fresh.original &&
                              reused.delivery_status == fresh.delivery_status;
            CHECK(same);
            CHECK((!reused.enriching && reused.fill.status));
        }
    // The Subject as decode_rfc2047() gives it: plain, encoded, not UTF-8, absent.
    for (const std::string subject :
         {"Subject: Undelivered Mail Returned to Sender\n", "Subject: =?utf-8?q?Mail_delivery_failed?=\n",
          "Subject: caf\xE9 =?x\n", "Subject: a\n", ""}) {
        const ParsedMessage msg = parse_mime(subject + "From: x@example.com\n\nbody\n");
        build_context(msg, reused);
        CHECK(reused.subject == decode_rfc2047(msg.root.headers.get("Subject")));
    }
}

TEST_CASE("formats: the phrase index agrees with a plain search wherever the text is split") {
    // index_text() scans four runs of the text at once, split at each quarter of it (after the From
    // and Subject values), each started a few bytes early, and a phrase longer than the automaton's
    // depth is compared with the text where its start was found. Texts grown piece by piece, and a
    // block of them after every number of padding bytes up to a few hundred, put the split points,
    // the 64-byte blocks of the line search and the text's end at every place relative to the
    // phrases: phrases of the greatest length, at the very start and end, right before, across and
    // after a split, markers at line starts, a phrase cut by the end of the text, lines that are
    // empty or hold only "\r".
    std::string_view longest = k_needles[0];
    for (std::string_view n : k_needles)
        if (n.size() > longest.size()) longest = n;
    const std::string pieces[] = {
        std::string(longest) + "\n",
        "----- Original message -----\n",
        "because:",
        "\n",
        "x\r\n",
        "This is the mail system at host\n",
        "  --- Below this line is a copy of the message.\n",
        "following recipients",
        "\r\n\r\n",
        "Mail delivery failed: returning message to sender\n",
    };
    std::size_t bad = 0, texts = 0;
    for (std::size_t start = 0; start < std::size(pieces); ++start) {
        std::string text;
        for (std::size_t k = 0; text.size() < 700; ++k) {
            text += pieces[(start + k * 3) % std::size(pieces)];
            if (k % 4 == 3) text += std::string(k % 7, 'y');
            for (const std::string& t : {text, text + std::string(longest).substr(0, longest.size() - 1)}) {
                const ParsedMessage msg = message(t);
                Context ctx;
                build_context(msg, ctx);
                bad += mismatches(ctx, "split text");
                ++texts;
            }
        }
    }
    std::string block;
    for (const std::string& piece : pieces)
        block += piece;
    for (std::size_t pad = 0; pad < 300; ++pad) {
        const ParsedMessage msg = message(std::string(pad, 'y') + block);
        Context ctx;
        build_context(msg, ctx);
        bad += mismatches(ctx, "padded text");
        ++texts;
    }
    CHECK(texts > 400);
    CHECK(bad == 0);
}

TEST_CASE("formats: the phrase index agrees with a plain search across the scan's 64 KiB windows") {
    // A long text is scanned 64 KiB at a time: phrases of every kind straddle the first window's
    // end at every offset of a longest phrase.
    std::string_view longest = k_needles[0];
    for (std::string_view n : k_needles)
        if (n.size() > longest.size()) longest = n;
    const std::string block = std::string(longest) +
                              "\n----- Original message -----\nbecause:" + std::string(longest) +
                              " following recipients\n";
    std::size_t bad = 0;
    for (std::size_t shift = 0; shift < longest.size() + 10; ++shift) {
        std::string text(64 * 1024 - longest.size() - shift, 'z');
        text += '\n';
        text += block;
        text += std::string(4000, 'z');
        const ParsedMessage msg = message(text);
        Context ctx;
        build_context(msg, ctx);
        bad += mismatches(ctx, "long text");
    }
    CHECK(bad == 0);
}

TEST_CASE("formats: the short texts scanned along with the text hold the phrases contains() finds") {
    // More of them than index_text() takes in its pass, the first of them longer than the text.
    const std::string shorts[] = {
        std::string(300, 'x') + "MAILER-DAEMON@example.org postmaster",
        "Mail delivery failed: Delivery Status Notification (Failure)",
        "",
        "au.com ezweb.ne.jp mailer-daemon@google",
        "interscan",
    };
    for (const std::string_view text :
         {std::string_view(), std::string_view("because: x\nfollowing recipients\n")}) {
        std::vector<PhraseSet> found(std::size(shorts));
        std::vector<PhraseQuery> queries;
        for (std::size_t k = 0; k < std::size(shorts); ++k)
            queries.push_back({shorts[k], &found[k]});
        NeedleIndex index;
        index_text(text, index, queries);
        for (std::size_t k = 0; k < std::size(shorts); ++k)
            for (std::size_t id = 0; id < k_needle_count; ++id)
                CHECK_MESSAGE(found[k].test(id) == contains(shorts[k], k_needles[id]), shorts[k], " / ",
                              k_needles[id]);
        CHECK(index.line_starts.size() == (text.empty() ? 0 : 2));
        CHECK(index.count[Needle("because:").id] == (text.empty() ? 0 : 1));
    }
}

TEST_CASE("formats: a listed phrase is found by its index, an unlisted one by a plain search") {
    const ParsedMessage msg = message("intro\nThis Is The Mail System At Host mx.example.net.\n"
                                      "--- Below this line is a copy of the message.\n");
    Context ctx;
    build_context(msg, ctx);
    CHECK(Needle("This is the mail system at host").id != k_unlisted);
    CHECK(Needle::unlisted("mail system at").id == k_unlisted); // Needle("mail system at") does not compile
    CHECK(find_head(ctx, "This is the mail system at host") == 1);
    CHECK(find_head(ctx, Needle::unlisted("mail system at")) == 1);
    CHECK(find_line(ctx, "This is the mail system at host", 2) == std::string_view::npos);
    CHECK(find_original_marker(ctx) == 2);
    CHECK(find_original_marker(ctx, 3) == std::string_view::npos);
}
