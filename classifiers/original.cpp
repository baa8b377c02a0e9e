// original.cpp — extraction of the returned original's headers. See original.hpp.
#include "classifiers/original.hpp"

#include "classifiers/dsn.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers {
namespace {

bool is_known_field(std::string_view name) {
    for (std::string_view k : {"From", "To", "Subject", "Date", "Message-ID", "Received", "Return-Path",
                               "DKIM-Signature", "MIME-Version", "Cc", "Reply-To", "Content-Type", "X-Mailer",
                               "Sender", "In-Reply-To", "References", "Delivered-To", "X-Original-To"})
        if (iequals(name, k)) return true;
    return false;
}

// A line "Name: ..." whose name is one of the usual ones.
bool starts_known_field(std::string_view line) {
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 40) return false;
    return is_known_field(line.substr(0, colon));
}

} // namespace

std::string_view header_block(std::string_view message) {
    std::size_t pos = 0;
    while (pos < message.size()) {
        std::size_t start = pos;
        std::string_view line = next_line(message, pos);
        if (line.empty()) return message.substr(0, start);
    }
    return message;
}

void fill_original(const Headers& h, std::string_view raw_block, bool headers_only, ReturnedOriginal& out) {
    out.present = true;
    out.headers_only = headers_only;
    out.message_id = std::string(trim(h.get("Message-ID")));
    out.from = h.decoded("From");
    out.to = h.decoded("To");
    out.subject = h.decoded("Subject");
    out.date = std::string(trim(h.get("Date")));
    out.return_path = std::string(trim(h.get("Return-Path")));
    out.received.clear();
    out.dkim_signatures.clear();
    for (const auto& f : h.fields) {
        if (iequals(f.name, "Received")) {
            if (out.received.size() < k_max_received_fields) out.received.push_back(collapse_whitespace(f.value));
        } else if (iequals(f.name, "DKIM-Signature")) {
            if (out.dkim_signatures.size() < 16) out.dkim_signatures.emplace_back(f.value);
        }
    }
    if (raw_block.size() > k_max_header_bytes) raw_block = raw_block.substr(0, k_max_header_bytes);
    out.raw_headers = std::string(raw_block);
}

bool original_from_text(std::string_view text, ReturnedOriginal& out) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t start = pos;
        std::string_view line = next_line(text, pos);
        // Indented copies ("   From: x") are common in vendor NDRs; strip up to 8 spaces or a tab.
        std::size_t indent = 0;
        while (indent < line.size() && indent < 8 && (line[indent] == ' ' || line[indent] == '\t')) ++indent;
        if (!starts_known_field(line.substr(indent))) continue;
        // Count the known fields in the block that starts here.
        std::string_view rest = text.substr(start);
        std::string dedented;
        if (indent > 0) {
            std::size_t p2 = 0, lines = 0;
            while (p2 < rest.size() && lines < 2000) {
                std::string_view l = next_line(rest, p2);
                ++lines;
                std::size_t k = 0;
                while (k < l.size() && k < indent && (l[k] == ' ' || l[k] == '\t')) ++k;
                if (l.substr(k).empty()) break;
                dedented.append(l.substr(k));
                dedented += '\n';
            }
            rest = dedented;
        }
        std::string_view block = header_block(rest);
        Headers h = parse_headers(block);
        int known = 0;
        for (const auto& f : h.fields)
            if (is_known_field(f.name)) ++known;
        if (known >= 2) {
            fill_original(h, block, true, out);
            return true;
        }
    }
    return false;
}

std::optional<std::string> sole_recipient(const ReturnedOriginal& original) {
    if (!original.present) return std::nullopt;
    std::vector<std::string> to = address_list(original.to);
    if (to.size() != 1) return std::nullopt;
    if (!original.raw_headers.empty() && !address_list(parse_headers(original.raw_headers).decoded("Cc")).empty())
        return std::nullopt;
    return std::move(to.front());
}

} // namespace ndr::classifiers
