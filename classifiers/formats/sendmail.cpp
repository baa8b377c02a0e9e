// sendmail.cpp — Sendmail's plain-text bounces (V8 without a usable delivery-status part, V5, and
// gateways that copy its template: Active!hunter, Mail2000, TmailServer...).
//
// Layout (sendmail/savemail.c errbody(); Sisimai Lhost/Sendmail.pm, V5sendmail.pm, Activehunter.pm):
//      ----- The following addresses had permanent fatal errors -----
//   <user@example.org>
//       (reason: 550 5.1.1 <user@example.org>... User unknown)
//
//      ----- Transcript of session follows -----
//   ... while talking to mx.example.org.:
//   >>> RCPT To:<user@example.org>
//   <<< 550 5.1.1 <user@example.org>... User unknown
//   550 5.1.1 <user@example.org>... User unknown
//
//      ----- Unsent message follows -----      (V5; V8 attaches the original as a MIME part)
// The remote reply ("<<< ...") of a "while talking to" block is the diagnostic of the addresses that
// block names; otherwise the text after "<addr>... ". Quoted copies ("> " prefixes, a forwarded
// bounce) are read the same way. Input is attacker-controlled; one linear pass over the lines.
#include "classifiers/formats/modules.hpp"
#include "classifiers/limits.hpp"
#include "classifiers/original.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::formats {

namespace {

struct Found {
    std::string addr;
    std::string diag;
    std::string remote;
    std::string command;
};

// The entry of address `a`, added (`a` moved into it) when there is none yet.
Found* find_or_add(std::vector<Found>& v, std::string&& a, DeliveryReport& report) {
    for (auto& f : v)
        if (f.addr == a) return &f;
    if (v.size() >= k_max_recipients) {
        report.add_anomaly("too-many-recipients");
        return nullptr;
    }
    v.push_back(Found{std::move(a), {}, {}, {}});
    return &v.back();
}

} // namespace

bool parse_sendmail(const Context& ctx, DeliveryReport& report) {
    // savemail.c: "   ----- Transcript of session follows -----" and the address list headings.
    std::size_t transcript = find_head(ctx, "----- Transcript of session follows -----");
    std::size_t list = find_head(ctx, "----- The following addresses had permanent fatal errors -----");
    if (list == std::string_view::npos)
        list = find_head(ctx, "----- The following addresses had transient non-fatal errors -----");
    if (list == std::string_view::npos)
        list = find_head(ctx, "----- The following addresses had permanent delivery errors -----");
    if (transcript == std::string_view::npos && list == std::string_view::npos) return false;
    const std::size_t begin = std::min(transcript, list);
    // A forwarded copy quotes every line with ">": read it without the quote.
    const bool quoted = trim(ctx.lines[begin]).starts_with('>');
    auto unquote = [quoted](std::string_view l) {
        if (quoted) {
            l = trim(l);
            if (l.starts_with('>')) l.remove_prefix(1);
            if (l.starts_with(' ')) l.remove_prefix(1);
        }
        return l;
    };
    std::size_t end = find_original_marker(ctx, begin);
    end = std::min(end, ctx.lines.size());
    const bool transient = contains(ctx.lines[begin], "transient non-fatal");

    std::vector<Found> found;
    enum class Section { none, list, transcript } sec = Section::none;
    // An index, not a pointer: a later find_or_add() may grow `found` and move its elements.
    std::size_t last_listed = std::string_view::npos;
    std::string remote, command, reply;   // of the current "while talking to" block
    std::vector<std::size_t> block_addrs; // indexes into found named by the block
    std::string loose_reply;              // a transcript reply line that names no address
    bool reply_used = false;              // the block's reply was given to an address line already
    for (std::size_t i = begin; i < end; ++i) {
        const std::string_view line = unquote(ctx.lines[i]);
        const std::string_view t = trim(line);
        if (t.starts_with("-----") && contains(t, "The following addresses")) {
            sec = Section::list;
            continue;
        }
        if (t.starts_with("-----") && contains(t, "Transcript of session follows")) {
            sec = Section::transcript;
            continue;
        }
        if (t.starts_with("-----")) {
            sec = Section::none;
            continue;
        }
        if (t.empty()) continue;
        if (sec == Section::list) {
            std::string a;
            // Active!Hunter lists ">>> user@example.org <user@example.org>".
            std::string_view entry = t;
            if (entry.starts_with(">>> ")) {
                entry = trim(entry.substr(4));
                if (const std::size_t sp = entry.find(' ');
                    sp != std::string_view::npos &&
                    find_address(entry.substr(sp)) == find_address(entry.substr(0, sp)))
                    entry = entry.substr(0, sp);
            }
            if (is_address_line(entry, &a)) {
                Found* f = find_or_add(found, std::move(a), report);
                last_listed = f ? static_cast<std::size_t>(f - found.data()) : std::string_view::npos;
            } else if (last_listed < found.size() && istarts_with(t, "(reason:")) {
                std::string_view r = t.substr(8);
                if (r.ends_with(')')) r.remove_suffix(1);
                if (found[last_listed].diag.empty()) found[last_listed].diag = std::string(trim(r));
            }
            continue;
        }
        if (sec != Section::transcript) continue;
        // "... while talking to mx.example.org.:" (V8) / "While talking to example.org:" (V5).
        if (contains(t, "while talking to ")) {
            std::string_view h = t.substr(ifind(t, "while talking to ") + 17);
            while (!h.empty() && (h.back() == ':' || h.back() == '.'))
                h.remove_suffix(1);
            remote = std::string(h);
            command.clear();
            reply.clear();
            reply_used = false;
            block_addrs.clear();
            continue;
        }
        if (t.starts_with(">>> ")) {
            // Each command gets its own reply: a second RCPT's refusal is not appended to the first's.
            command = find_smtp_command(t);
            reply.clear();
            reply_used = false;
            std::string a = find_address(t);
            if (command == "RCPT" && !a.empty()) {
                if (Found* f = find_or_add(found, std::move(a), report))
                    block_addrs.push_back(static_cast<std::size_t>(f - found.data()));
            }
            continue;
        }
        if (t.starts_with("<<< ")) {
            if (reply.size() < k_max_diagnostic_bytes) {
                if (!reply.empty()) reply += ' ';
                reply += t.substr(4);
            }
            for (std::size_t k : block_addrs)
                if (k < found.size() && found[k].diag.empty()) {
                    found[k].diag = reply;
                    found[k].remote = remote;
                    found[k].command = command;
                }
            continue;
        }
        // "550 5.1.1 <user@example.org>... User unknown" / "554 <user@example.org>... 550 Host unknown".
        const std::size_t dots = t.find("... ");
        if (dots == std::string_view::npos && loose_reply.empty() && leading_reply_code(t) != 0)
            loose_reply = std::string(t); // "550 sorry, no mailbox here by that name (#5.1.1 - chkusr)"
        if (dots != std::string_view::npos) {
            std::string a = find_address(t.substr(0, dots));
            if (a.empty() || t.substr(0, dots).find('@') == std::string_view::npos) {
                // '554 "|/usr/bin/procmail ..."... Service unavailable': a pipe or file, no address.
                if (loose_reply.empty() && leading_reply_code(t) != 0) loose_reply = std::string(t);
                continue;
            }
            Found* f = find_or_add(found, std::move(a), report);
            if (f == nullptr) continue;
            // The block's reply belongs to the first address line after it; a later line in the same
            // block ("554 <b@example.org>... 550 Host unknown", V5 sendmail) carries its own error.
            // Sendmail's own line says what became of the address after the reply ("Remote protocol
            // error: Connection reset by peer"): kept after the reply unless it only repeats it.
            const std::string_view own = trim(t.substr(dots + 4));
            if (!reply.empty() && !reply_used) {
                f->diag = reply;
                if (!own.empty() && reply.find(own) == std::string::npos) (f->diag += ' ') += own;
                f->command = command;
                reply_used = true;
            } else if (f->diag.empty() || f->diag == own) { // the list's "(reason: ...)" without codes
                f->diag = std::string(own);
                // "550 5.1.2 <user@example.org>... Host unknown": the reply code and status that open
                // the line are the address's own.
                if (const std::string_view head = trim(t.substr(0, dots));
                    leading_reply_code(own) == 0 && leading_reply_code(head) != 0) {
                    const std::size_t lt = head.find('<');
                    const std::string_view codes =
                        trim(head.substr(0, lt == std::string_view::npos ? 0 : lt));
                    if (!codes.empty()) f->diag = std::string(codes) + ' ' + f->diag;
                }
            }
            if (f->remote.empty()) f->remote = remote;
        }
    }
    // One listed recipient and one reply that names nobody: the reply is that recipient's.
    if (found.size() == 1 && found.front().diag.empty() && !loose_reply.empty())
        found.front().diag = loose_reply;
    // No address in the text (the list names a pipe, or there is no list) but the delivery-status
    // fields name the recipient: the reply is given without an address and merged into their only
    // record (registry.cpp merge_into), whose Diagnostic-Code is often just an exit status.
    if (found.empty() && !loose_reply.empty() && ctx.enriching) {
        RecipientRecord r =
            make_record(ctx, "", loose_reply, "sendmail", transient ? Action::delayed : Action::failed);
        r.final_recipient.clear();
        if (!add_record(report, std::move(r))) return false;
        finish(report, "sendmail");
        return true;
    }
    // V5 Sendmail after days of deferrals ("Returned mail: Cannot send message for 4 days"): the
    // transcript names only the host ("421 example.com (smtp)... Deferred: Connection timed out ...")
    // and the unsent original follows. When that original is addressed to exactly one recipient (no
    // Cc), the reply is that recipient's, flagged as read from the original.
    if (found.empty() && !loose_reply.empty() && end < ctx.lines.size()) {
        DeliveryReport probe;
        read_original_after(ctx, end, probe);
        if (const auto to = sole_recipient(probe.original)) {
            // The report has no record yet (nothing found, not enriching): no cap to meet.
            report.recipients.push_back(
                make_record(ctx, *to, loose_reply, "sendmail", transient ? Action::delayed : Action::failed));
            report.original = std::move(probe.original);
            report.add_anomaly("recipient-from-original");
            finish(report, "sendmail");
            return true;
        }
    }
    std::size_t added = 0;
    for (auto& f : found) {
        RecipientRecord r = make_record(ctx, f.addr, f.diag, "sendmail",
                                        transient ? Action::delayed : Action::failed, f.command);
        r.remote_mta = std::move(f.remote);
        if (!add_record(report, std::move(r))) break;
        ++added;
    }
    if (added == 0) return false;
    if (end < ctx.lines.size()) read_original_after(ctx, end, report);
    read_part_original(ctx, report);
    finish(report, "sendmail");
    return true;
}

} // namespace ndr::classifiers::formats
