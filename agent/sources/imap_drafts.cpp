// imap_drafts.cpp — store_draft() (see imap_drafts.hpp) over ImapSource's raw session.
#include "agent/sources/imap_drafts.hpp"

#include "agent/sources/imap.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/text.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace ndr::agent {

namespace {

using imap::Item;
using imap::Response;
using imap::Tagged;
using Kind = imap::ImapError::Kind;

std::string sanitised(std::string_view s) {
    return classifiers::sanitise(s, 512);
}

std::string crlf(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 32 + 2);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const char c = bytes[i];
        if (c == '\r' || c == '\n') {
            out += "\r\n";
            if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
        } else {
            out.push_back(c);
        }
    }
    if (!out.ends_with("\r\n")) out += "\r\n";
    return out;
}

// "<id@host>" and "id@host" compare equal; nothing else is loosened.
std::string bare_id(std::string_view id) {
    id = classifiers::trim(id);
    if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
    return std::string(id);
}

// The Message-ID value of a header block ("Message-ID: <x>\r\n\r\n"), unfolded; empty when absent.
std::string message_id_of(std::string_view header) {
    const std::string unfolded = classifiers::unfold(header);
    std::size_t pos = 0;
    while (pos < unfolded.size()) {
        const std::string_view line = classifiers::next_line(unfolded, pos);
        const auto colon = line.find(':');
        if (colon != std::string_view::npos &&
            classifiers::iequals(classifiers::trim(line.substr(0, colon)), "Message-ID"))
            return bare_id(line.substr(colon + 1));
    }
    return {};
}

// The \Drafts folder from LIST, as a quoted (already modified UTF-7) command argument.
std::optional<std::string> find_special_drafts(imap::Session& s) {
    std::optional<std::string> found;
    const Tagged t = s.command("LIST \"\" \"*\"", [&](Response& r) {
        if (found || r.kind != Response::Kind::untagged || imap::status_word(r.text) != "LIST") return;
        const auto items = imap::parse_items(r.text, r.literals.size());
        if (items.size() < 4 || items[1].type != Item::Type::list) return;
        const bool drafts = std::any_of(items[1].items.begin(), items[1].items.end(), [](const Item& f) {
            return classifiers::iequals(f.value, "\\Drafts");
        });
        if (!drafts) return;
        const Item& name = items[3];
        const std::string value = name.type == Item::Type::literal ? r.literals[name.literal] : name.value;
        found = imap::quote_string(value);
    });
    if (!t.ok()) throw imap::ImapError(Kind::command, "LIST refused: " + sanitised(t.text));
    return found;
}

// UIDs in the selected folder whose Message-ID is exactly `id` (SEARCH finds substrings; each
// candidate's header is read back and compared).
std::vector<std::uint32_t> copies_with_id(imap::Session& s, const std::string& id) {
    const auto quoted = imap::quote_string(id);
    if (!quoted) return {};
    std::vector<std::uint32_t> candidates;
    Tagged t = s.command("UID SEARCH HEADER Message-ID " + *quoted, [&](Response& r) {
        if (auto found = imap::parse_search(r.text))
            candidates.insert(candidates.end(), found->begin(), found->end());
    });
    if (!t.ok())
        throw imap::ImapError(Kind::command, "UID SEARCH in the drafts folder refused: " + sanitised(t.text));
    if (candidates.empty()) return {};
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    std::vector<std::uint32_t> exact;
    t = s.command(
        "UID FETCH " + imap::format_uid_set(candidates) + " (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])",
        [&](Response& r) {
            if (r.kind != Response::Kind::untagged) return;
            const auto sp = r.text.find(' ');
            if (sp == std::string::npos || imap::status_word(r.text.substr(sp + 1)) != "FETCH") return;
            const auto items = imap::parse_items(std::string_view(r.text).substr(sp + 7), r.literals.size());
            if (items.size() != 1 || items[0].type != Item::Type::list) return;
            std::optional<std::uint32_t> uid;
            std::string header;
            const auto& list = items[0].items;
            for (std::size_t i = 0; i + 1 < list.size(); i += 2) {
                const std::string key = classifiers::to_lower_ascii(list[i].value);
                const Item& v = list[i + 1];
                if (key == "uid") {
                    unsigned value = 0;
                    if (std::sscanf(v.value.c_str(), "%u", &value) == 1) uid = value;
                } else if (key.starts_with("body[")) {
                    header = v.type == Item::Type::literal ? r.literals[v.literal] : v.value;
                }
            }
            if (uid && message_id_of(header) == id) exact.push_back(*uid);
        });
    if (!t.ok())
        throw imap::ImapError(Kind::command, "UID FETCH in the drafts folder refused: " + sanitised(t.text));
    return exact;
}

struct Folder {
    std::string quoted; // the command argument
    std::string name;   // for messages
};

// The configured drafts folder, else the \Drafts special-use one from LIST, else "Drafts".
std::expected<Folder, std::string> drafts_folder(const Config& config, imap::Session& s) {
    if (!config.imap.drafts_folder.empty()) {
        auto q = imap::quote_mailbox(config.imap.drafts_folder);
        if (!q) return std::unexpected("imap.drafts_folder is not valid UTF-8 text");
        return Folder{*q, config.imap.drafts_folder};
    }
    // No folder marked \Drafts: the conventional name (store_draft creates it when it does not exist).
    std::string quoted = find_special_drafts(s).value_or("\"Drafts\"");
    return Folder{quoted, quoted};
}

// Flags exactly `uids` of the selected folder \Deleted and UID EXPUNGEs them (UIDPLUS): nothing else
// marked \Deleted in the folder is touched.
std::expected<void, std::string> expunge(imap::Session& s, const std::vector<std::uint32_t>& uids,
                                         const std::string& what) {
    if (uids.empty()) return {};
    const std::string set = imap::format_uid_set(uids);
    const Tagged flagged = s.command("UID STORE " + set + " +FLAGS.SILENT (\\Deleted)");
    if (!flagged.ok()) return std::unexpected(what + " could not be flagged: " + sanitised(flagged.text));
    const Tagged expunged = s.command("UID EXPUNGE " + set);
    if (!expunged.ok())
        return std::unexpected(what + " could not be removed (UID EXPUNGE): " + sanitised(expunged.text));
    return {};
}

} // namespace

std::expected<void, std::string> store_draft(const Config& config, const std::string& message,
                                             const std::string& replace_message_id) {
    if (message.empty() || message.size() > classifiers::k_max_message_bytes)
        return std::unexpected("the draft is empty or too large");
    if (message.find('\0') != std::string::npos) return std::unexpected("the draft contains a NUL byte");
    const std::string replace = bare_id(replace_message_id);
    if (!replace_message_id.empty() && (replace.empty() || !imap::quote_string(replace)))
        return std::unexpected("the Message-ID to replace is not printable ASCII");
    const std::string draft = crlf(message);
    try {
        ImapSource source(config.imap);
        imap::Session& s = source.session();
        if (!replace.empty() && !source.has_capability("UIDPLUS"))
            return std::unexpected(
                "the IMAP server has no UIDPLUS: the earlier draft cannot be replaced without "
                "touching other messages; nothing was stored");

        auto where = drafts_folder(config, s);
        if (!where) return std::unexpected(where.error());
        const std::string& folder = where->quoted;
        const std::string& folder_name = where->name;

        const bool literal_plus = source.has_capability("LITERAL+");
        const std::string append = "APPEND " + folder + " (\\Draft \\Seen)";
        Tagged t = s.command_with_literal(append, draft, literal_plus);
        if (!t.ok()) {
            const auto code = imap::response_code(t.text);
            if (code && code->name == "TRYCREATE") {
                const Tagged created = s.command("CREATE " + folder);
                if (!created.ok())
                    return std::unexpected("cannot create drafts folder " + sanitised(folder_name) + ": " +
                                           sanitised(created.text));
                t = s.command_with_literal(append, draft, literal_plus);
            }
            if (!t.ok())
                return std::unexpected("APPEND to drafts folder " + sanitised(folder_name) +
                                       " refused: " + sanitised(t.text));
        }
        if (!replace.empty()) {
            std::uint32_t new_uid = 0;
            if (const auto code = imap::response_code(t.text); code && code->name == "APPENDUID") {
                unsigned validity = 0, uid = 0;
                if (std::sscanf(code->args.c_str(), "%u %u", &validity, &uid) == 2) new_uid = uid;
            }
            if (new_uid == 0)
                return std::unexpected("the server gave no APPENDUID: the new draft was stored, the earlier "
                                       "copy was left in place");
            const Tagged selected = s.command("SELECT " + folder);
            if (!selected.ok())
                return std::unexpected("cannot open drafts folder " + sanitised(folder_name) + ": " +
                                       sanitised(selected.text));
            auto old = copies_with_id(s, replace);
            std::erase(old, new_uid);
            if (auto removed = expunge(s, old, "the new draft was stored, but the earlier copy"); !removed)
                return removed;
        }
        source.close();
        return {};
    } catch (const imap::ImapError& e) {
        return std::unexpected(std::string("drafts folder: ") + e.what());
    }
}


std::expected<void, std::string> remove_draft(const Config& config, const std::string& message_id) {
    const std::string id = bare_id(message_id);
    if (id.empty() || !imap::quote_string(id)) return std::unexpected("the Message-ID is not printable ASCII");
    try {
        ImapSource source(config.imap);
        imap::Session& s = source.session();
        if (!source.has_capability("UIDPLUS"))
            return std::unexpected("the IMAP server has no UIDPLUS: the copy in the drafts folder cannot be "
                                   "removed without touching other messages; it was left in place");
        auto where = drafts_folder(config, s);
        if (!where) return std::unexpected(where.error());
        const Tagged selected = s.command("SELECT " + where->quoted);
        if (!selected.ok()) {
            // No drafts folder: there is no copy to remove.
            if (const auto code = imap::response_code(selected.text); code && code->name == "NONEXISTENT")
                return {};
            return std::unexpected("cannot open drafts folder " + sanitised(where->name) + ": " +
                                   sanitised(selected.text));
        }
        if (auto removed = expunge(s, copies_with_id(s, id), "the copy in the drafts folder"); !removed)
            return removed;
        source.close();
        return {};
    } catch (const imap::ImapError& e) {
        return std::unexpected(std::string("drafts folder: ") + e.what());
    }
}

} // namespace ndr::agent
