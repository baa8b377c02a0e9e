// original.cpp — extraction of the returned original's headers. See original.hpp.
#include "classifiers/original.hpp"

#include "classifiers/dsn.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

#include <cstring>

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
    // Up to the first empty line (a line is empty when it holds nothing but one CR). Each line end is
    // found with memchr, and the line after it is checked in place.
    const std::size_t n = message.size();
    auto empty_at = [&](std::size_t k) {
        return k < n &&
               (message[k] == '\n' || (message[k] == '\r' && (k + 1 == n || message[k + 1] == '\n')));
    };
    if (empty_at(0)) return message.substr(0, 0);
    std::size_t pos = 0;
    while (pos < n) {
        const void* nl = std::memchr(message.data() + pos, '\n', n - pos);
        if (nl == nullptr) break;
        pos = static_cast<std::size_t>(static_cast<const char*>(nl) - message.data()) + 1;
        if (empty_at(pos)) return message.substr(0, pos);
    }
    return message;
}

void fill_original(const Headers& h, std::string_view raw_block, bool headers_only, ReturnedOriginal& out) {
    out.present = true;
    out.headers_only = headers_only;
    out.received.clear();
    out.dkim_signatures.clear();
    // The first of each field read below (as Headers::get() finds it), and every Received: and
    // DKIM-Signature: kept, in one pass over the fields (the last two copied after it, into vectors
    // given their room at once).
    const std::string_view* firsts[6] = {};
    const std::string_view* received[k_max_received_fields];
    const std::string_view* dkim[k_max_dkim_signatures];
    std::size_t n_received = 0, n_dkim = 0;
    enum { message_id, from, to, subject, date, return_path };
    for (const auto& f : h.fields) {
        const std::string_view n = f.name;
        int which = -1;
        switch (n.size()) {
        case 2:
            which = iequals(n, "To") ? to : -1;
            break;
        case 4:
            which = iequals(n, "From") ? from : iequals(n, "Date") ? date : -1;
            break;
        case 7:
            which = iequals(n, "Subject") ? subject : -1;
            break;
        case 8:
            if (iequals(n, "Received")) {
                if (n_received < k_max_received_fields) received[n_received++] = &f.value;
                continue;
            }
            break;
        case 10:
            which = iequals(n, "Message-ID") ? message_id : -1;
            break;
        case 11:
            which = iequals(n, "Return-Path") ? return_path : -1;
            break;
        case 14:
            if (iequals(n, "DKIM-Signature")) {
                if (n_dkim < k_max_dkim_signatures) dkim[n_dkim++] = &f.value;
                continue;
            }
            break;
        default:
            break;
        }
        if (which >= 0 && firsts[which] == nullptr) firsts[which] = &f.value;
    }
    out.received.reserve(n_received);
    for (std::size_t k = 0; k < n_received; ++k)
        collapse_whitespace(*received[k], out.received.emplace_back());
    out.dkim_signatures.reserve(n_dkim);
    for (std::size_t k = 0; k < n_dkim; ++k)
        out.dkim_signatures.emplace_back(*dkim[k]);
    auto value = [&](int which) { return firsts[which] == nullptr ? std::string_view{} : *firsts[which]; };
    copy_into(out.message_id, trim(value(message_id)));
    decode_rfc2047(value(from), out.from);
    decode_rfc2047(value(to), out.to);
    decode_rfc2047(value(subject), out.subject);
    copy_into(out.date, trim(value(date)));
    copy_into(out.return_path, trim(value(return_path)));
    if (raw_block.size() > k_max_header_bytes) raw_block = raw_block.substr(0, k_max_header_bytes);
    copy_into(out.raw_headers, raw_block);
}

bool original_from_text(std::string_view text, ReturnedOriginal& out) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t start = pos;
        std::string_view line = next_line(text, pos);
        // Indented copies ("   From: x") are common in vendor NDRs; strip up to 8 spaces or a tab.
        std::size_t indent = 0;
        while (indent < line.size() && indent < 8 && (line[indent] == ' ' || line[indent] == '\t'))
            ++indent;
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
                while (k < l.size() && k < indent && (l[k] == ' ' || l[k] == '\t'))
                    ++k;
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
    if (!original.raw_headers.empty() &&
        !address_list(parse_headers(original.raw_headers).decoded("Cc")).empty())
        return std::nullopt;
    return std::move(to.front());
}

} // namespace ndr::classifiers
