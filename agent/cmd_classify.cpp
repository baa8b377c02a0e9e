// cmd_classify.cpp — `ndr-triage classify [--json] [--no-rules] PATH...`: parse, classify and attribute
// every message of the inputs and print one row (or one JSON object) per recipient record.
//
// Every string taken from a message goes through sanitise() before it is printed, so the output holds
// no terminal escapes, no CR/LF inside a value and only valid UTF-8. Exit: 0 when every input was
// read, 2 when one could not be (named on stderr), 1 for usage errors and unusable rule files.
#include "agent/classify_json.hpp"
#include "agent/commands.hpp"
#include "agent/input_files.hpp"
#include "agent/pipeline.hpp"
#include "classifiers/text.hpp"

#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

namespace ndr::agent {
namespace {

using classifiers::sanitise;

struct ClassifyOptions {
    bool json = false;
    bool no_rules = false;
    std::vector<std::string> paths;
};

struct Row {
    std::string cells[9];
};

// Display width in code points (the table is for terminals; wide CJK glyphs may misalign slightly).
std::size_t display_width(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::string clip(std::string_view s, std::size_t max_chars) {
    if (display_width(s) <= max_chars) return std::string(s);
    std::string out;
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if ((c & 0xC0) != 0x80) {
            if (n + 1 >= max_chars) break;
            ++n;
        }
        out += s[i];
    }
    return out + "~";
}

// Keeps the end of a long path (the file name tells inputs apart, the common directory does not).
std::string clip_left(std::string_view s, std::size_t max_chars) {
    std::size_t w = display_width(s);
    if (w <= max_chars) return std::string(s);
    std::size_t drop = w - max_chars + 1, i = 0;
    while (drop > 0 && i < s.size()) {
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
        --drop;
    }
    return "~" + std::string(s.substr(i));
}

Row record_row(const std::string& source, std::size_t index, const classifiers::DeliveryReport& rep,
               const classifiers::RecipientRecord* r) {
    Row row;
    row.cells[0] = clip_left(sanitise(source, 1024), 48) + "#" + std::to_string(index);
    row.cells[1] = std::string(to_string(rep.kind));
    row.cells[2] = r ? clip(sanitise(r->final_recipient, 256), 40) : "-";
    row.cells[3] = r && !r->status.empty() ? sanitise(r->status, 16) : "-";
    row.cells[4] = r && r->reply_code ? std::to_string(r->reply_code) : "-";
    row.cells[5] = r ? std::string(to_string(r->verdict.reason)) : "-";
    row.cells[6] = r ? (r->verdict.hard ? "hard" : "soft") : "-";
    std::string lists;
    if (r) {
        for (const auto& h : r->verdict.lists) {
            if (!lists.empty()) lists += ",";
            lists += sanitise(h.id, 64);
            if (!h.listed.empty()) lists += "(" + sanitise(h.listed, 64) + ")";
        }
        if (!r->verdict.provider.empty()) {
            if (!lists.empty()) lists += ",";
            lists += sanitise(r->verdict.provider, 64);
        }
    }
    row.cells[7] = lists.empty() ? "-" : clip(lists, 40);
    row.cells[8] = r ? clip(sanitise(r->diagnostic, 512), 72) : "";
    return row;
}

void print_table(const std::vector<Row>& rows) {
    static const char* k_head[9] = {"SOURCE#MSG", "KIND", "RECIPIENT", "STATUS", "CODE", "REASON", "HARD", "LISTS",
                                    "DIAGNOSTIC"};
    std::size_t width[9];
    for (int c = 0; c < 9; ++c) width[c] = display_width(k_head[c]);
    for (const auto& r : rows)
        for (int c = 0; c < 9; ++c) width[c] = std::max(width[c], display_width(r.cells[c]));
    std::string out;
    auto line = [&](auto cell) {
        for (int c = 0; c < 9; ++c) {
            std::string_view s = cell(c);
            out += s;
            if (c < 8) out.append(width[c] - display_width(s) + 2, ' ');
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += '\n';
    };
    line([&](int c) { return std::string_view(k_head[c]); });
    for (const auto& r : rows) {
        line([&](int c) { return std::string_view(r.cells[c]); });
        if (out.size() > (1u << 16)) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
}

int run_classify(const ClassifyOptions& opt, const GlobalOptions& global) {
    Pipeline pipeline;
    if (!opt.no_rules) {
        auto p = make_pipeline(global);
        if (!p) {
            for (const auto& e : p.error()) std::cerr << "ndr-triage: " << sanitise(e, 1024) << "\n";
            return 1;
        }
        pipeline = std::move(*p);
    }
    std::string out;
    std::vector<Row> rows;
    auto emit = [&](const std::string& source, std::size_t index, const classifiers::DeliveryReport& rep,
                    const classifiers::RecipientRecord* r) {
        append_record_json(out, source, index, rep, r);
        out += '\n';
        if (out.size() > (1u << 16)) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
    };
    auto errors = for_each_message(opt.paths, [&](const std::string& source, std::size_t index, std::string_view raw) {
        classifiers::DeliveryReport rep = analyse(raw, pipeline);
        if (rep.recipients.empty()) {
            if (opt.json)
                emit(source, index, rep, nullptr);
            else rows.push_back(record_row(source, index, rep, nullptr));
            return;
        }
        for (const auto& r : rep.recipients) {
            if (opt.json)
                emit(source, index, rep, &r);
            else rows.push_back(record_row(source, index, rep, &r));
        }
    });
    if (opt.json) std::fwrite(out.data(), 1, out.size(), stdout);
    else print_table(rows);
    std::fflush(stdout);
    for (const auto& e : errors)
        std::cerr << "ndr-triage: cannot read " << sanitise(e.path, 1024) << ": " << sanitise(e.message, 256) << "\n";
    return errors.empty() ? 0 : 2;
}

} // namespace

void add_classify_command(CLI::App& app, CommandContext& ctx) {
    auto opt = std::make_shared<ClassifyOptions>();
    auto* sub = app.add_subcommand("classify",
                                   "Parse and classify bounces (.eml files, mbox files, maildirs, directories, - for "
                                   "stdin) and print one row per recipient");
    sub->add_flag("--json", opt->json, "JSON Lines: one object per recipient record");
    sub->add_flag("--no-rules", opt->no_rules, "Skip blocklist attribution (no rule files are read)");
    sub->add_option("PATH", opt->paths, "Input: .eml file, mbox file, maildir, directory, or - for stdin")
        ->required();
    sub->callback([opt, &ctx] { ctx.exit_code = run_classify(*opt, ctx.global); });
}

} // namespace ndr::agent
