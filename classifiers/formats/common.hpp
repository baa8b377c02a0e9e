// common.hpp — helpers shared by the vendor-format modules: the message's human-readable text, line
// iteration, address / status / reply-code extraction from free text, the inline returned original.
//
// Input trust: everything comes from an attacker-controlled NDR. Every function is linear in its input
// (no regex, no backtracking), never throws, and respects the caps in limits.hpp: the readable text is
// capped at k_max_text_part_bytes, diagnostics at k_max_diagnostic_bytes, records at k_max_recipients.
#pragma once

#include "classifiers/dsn.hpp"
#include "classifiers/formats/needles.hpp"
#include "classifiers/formats/search.hpp"
#include "classifiers/mime.hpp"
#include "classifiers/report.hpp"
#include "classifiers/status_code.hpp"

#include <array>
#include <bitset>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::classifiers::formats {

// Which codes fill_from_diagnostic() reads from a record's diagnostic. All of them, except when the
// records only enrich those of an RFC 3464 part: then only those merge_into() (registry.cpp) will take.
struct FillNeeds {
    bool status = true;
    bool reply_code = true;
    bool smtp_command = true;
};

// The top-level header fields the modules and the registry look at: build_context() finds them in
// one pass over the header (the names are in common.cpp).
enum class Field : std::uint8_t {
    from,
    subject,
    message_id,
    x_mailer,
    x_zohomail,
    x_mlserver,
    x_msg_ref,
    x_spasign,
    x_nai_header,
    x_ses_outgoing,
    x_failed_recipients,
    x_google_smtp_source,
    x_amz_sns_message_id,
    count
};
inline constexpr std::size_t k_field_count = static_cast<std::size_t>(Field::count);

// What a module sees of the message, prepared once by the registry.
struct Context {
    Context() = default;
    Context(const Context&) = delete; // `lines` views into `text`
    Context& operator=(const Context&) = delete;

    const ParsedMessage* msg = nullptr;
    const Headers* headers = nullptr; // top-level headers
    // The first value of each Field in `headers` (empty when absent) and which are present.
    std::array<std::string_view, k_field_count> field_value{};
    std::bitset<k_field_count> field_present;
    std::string_view from;     // top-level From, raw (from_has() folds ASCII case)
    std::string subject;       // top-level Subject, decoded
    PhraseSet from_phrases;    // the listed phrases (needles.hpp) in `from`
    PhraseSet subject_phrases; // and in `subject` (found in the pass over `text`)
    // notification_text() (message_text.hpp): the text parts outside the returned original and the
    // delivery-status parts. Capped at k_max_text_part_bytes.
    std::string text;
    std::vector<std::string_view> lines; // `text` split into lines (views into `text`)
    // Where the listed phrases (needles.hpp) and the returned-original markers occur, and where each
    // line starts: one pass over `text` (search.hpp).
    NeedleIndex index;
    // `text` with ASCII letters lower-cased, made only for a phrase that needles.hpp does not list.
    mutable std::string lower;
    const MimePart* original = nullptr;        // first message/rfc822, message/global or text/rfc822-headers
    const MimePart* delivery_status = nullptr; // first message/(global-)delivery-status part
    // The RFC 3464 pass already produced the records: a module's records only fill them in
    // (registry.cpp merge_into), so a record may leave the address to the delivery-status fields.
    bool enriching = false;
    FillNeeds fill; // what make_record(ctx, ...) takes from a diagnostic (set by the registry)
};

// Builds the context (`ctx` may hold another message's: everything is set afresh, its buffers are
// reused). Never throws.
void build_context(const ParsedMessage& msg, Context& ctx);

// --- searching ----------------------------------------------------------------------------------

// The header name of a Field ("X-Mailer"); ctx.headers->get(name) and ->has(name) for it: lookups.
std::string_view field_name(Field f);
inline std::string_view header(const Context& ctx, Field f) {
    return ctx.field_value[static_cast<std::size_t>(f)];
}
inline bool has_header(const Context& ctx, Field f) {
    return ctx.field_present[static_cast<std::size_t>(f)];
}

// Index of the first line at or after `from` that contains `needle` (ASCII, case-insensitive, must
// not span lines), or npos. A lookup in ctx.index (every phrase a module uses is listed in needles.hpp).
std::size_t find_line(const Context& ctx, Needle needle, std::size_t from = 0);
// find_line() limited to the first k_detect_window bytes of the text: what a module uses to decide
// whether the message is in its format (openers and headings sit at the top), so that a message in
// another format costs each module a bounded search (for a listed phrase, a lookup).
inline constexpr std::size_t k_detect_window = 16 * 1024;
std::size_t find_head_unlisted(const Context& ctx, std::string_view needle);
// Inline: every module's format check starts here. A listed phrase's first occurrence counts when it
// ends inside the window (a later one ends later); no text, no occurrence.
inline std::size_t find_head(const Context& ctx, Needle needle) {
    if (needle.id == k_unlisted) return find_head_unlisted(ctx, needle.text);
    if (ctx.index.count[needle.id] == 0 || ctx.index.first_end[needle.id] > k_detect_window)
        return std::string_view::npos;
    return ctx.index.lines[ctx.index.begin[needle.id]];
}
// The first of `needles` (by position) found at or after line `from`, as a line index, or npos.
std::size_t find_first_line(const Context& ctx, std::initializer_list<Needle> needles, std::size_t from = 0);
// Index of the first line at or after `from` that starts (after leading blanks) with `prefix`.
std::size_t find_line_starting(const Context& ctx, std::string_view prefix, std::size_t from = 0);
bool contains(std::string_view hay, std::string_view needle); // case-insensitive
// contains(ctx.from, phrase) and contains(ctx.subject, phrase): a lookup for a listed phrase.
inline bool from_has(const Context& ctx, Needle phrase) {
    return phrase.id == k_unlisted ? contains(ctx.from, phrase.text) : ctx.from_phrases.test(phrase.id);
}
inline bool subject_has(const Context& ctx, Needle phrase) {
    return phrase.id == k_unlisted ? contains(ctx.subject, phrase.text) : ctx.subject_phrases.test(phrase.id);
}

// --- extraction from free text ------------------------------------------------------------------

// Status and reply codes: find_status() / find_reply_code() of classifiers/status_code.hpp.
// Position of the first SMTP reply code at or after `from` that follows ": " (the way MTAs quote a
// remote reply: "host mx.example.net [192.0.2.1]: 550 ...", "...after RCPT TO:<a@b>: 550 ..."), or npos.
std::size_t find_reply_after_colon(std::string_view text, std::size_t from = 0);
// The reply code of a diagnostic: find_reply_code() (status_code.hpp), else one at the start, else
// one after ": "; 0 when none.
int reply_code_in(std::string_view text);
// A reply code at the very start of `text` ("550 ...", "550-...", "550: ..."); 0 when none.
int leading_reply_code(std::string_view text);
// First thing that looks like an e-mail address (local@domain.tld), without brackets, quotes,
// "mailto:" or trailing punctuation; empty when none. Linear.
std::string find_address(std::string_view text);
// True when the whole of `s` (after trimming "<>", quotes and a trailing ':') is one address.
bool is_address_line(std::string_view s, std::string* addr = nullptr);
// Addresses are normalised with normalise_address() of classifiers/dsn.hpp.
// The SMTP command a text names: find_smtp_command() of classifiers/status_code.hpp.
// The host of "host mx.example.net [192.0.2.1]" style phrases; empty when none.
std::string find_remote_host(std::string_view text);

// --- records ------------------------------------------------------------------------------------

// A record with action, diagnostic (whitespace collapsed, capped), status, reply code and command
// taken from the diagnostic when not already set.
RecipientRecord make_record(std::string_view recipient, std::string_view diagnostic, std::string_view format,
                            Action action = Action::failed);
// The same, taking from the diagnostic only the codes ctx.fill (or `needs`) asks for (the modules use
// these). A non-empty `command` is the SMTP command the module knows: the record's, instead of one
// looked for in the diagnostic.
RecipientRecord make_record(const Context& ctx, std::string_view recipient, std::string_view diagnostic,
                            std::string_view format, Action action = Action::failed,
                            std::string_view command = {});
RecipientRecord make_record(const FillNeeds& needs, std::string_view recipient, std::string_view diagnostic,
                            std::string_view format, Action action = Action::failed);
// Fills status / reply code / command of `r` from its diagnostic where they are empty (those `needs`
// asks for).
void fill_from_diagnostic(RecipientRecord& r);
void fill_from_diagnostic(const FillNeeds& needs, RecipientRecord& r);
// Appends a record, moved in (anomaly "too-many-recipients" beyond k_max_recipients). Returns false
// when capped.
bool add_record(DeliveryReport& report, RecipientRecord&& r);
// True, with the same anomaly, when the report holds k_max_recipients records already: what
// add_record() would say, asked before building a record it would drop.
bool report_full(DeliveryReport& report);
// Sets report.format and (when the report is not yet a failure/delay kind) report.kind from records.
void finish(DeliveryReport& report, std::string_view format);

// --- the "address, then its error text" layout ----------------------------------------------------

// The address a recipient line starts with ("  user@example.net", "<user@example.net>: 550 ...",
// "\"user@example.net\":") and the text after it; false when the line does not start with one.
bool split_address_line(std::string_view line, std::string& addr, std::string_view& rest);
// Leading blanks (SP, TAB) of a line.
std::size_t indent_of(std::string_view line);

// Options for parse_address_blocks().
struct BlockOptions {
    std::size_t max_indent = 4; // a recipient line is indented by at most this many blanks
    bool stop_at_blank = true;  // a blank line ends the current record's text
    bool bare_only = false;     // the recipient line holds nothing but the address
};

// Reads lines [begin, end) of ctx as the layout Exim, qmail, Yahoo, GMX, OpenSMTPD and others use:
// a line that starts with an address ("  user@example.net", "<user@example.net>:",
// "\"user@example.net\":", "user@example.net: 550 ...") opens a record; the rest of that line and the
// lines below it (to the next address line, a blank line, or `end`) are its diagnostic. A line that
// repeats the current address continues it. Returns the number of records added.
std::size_t parse_address_blocks(const Context& ctx, std::size_t begin, std::size_t end,
                                 std::string_view format, Action action, DeliveryReport& report,
                                 const BlockOptions& opt = {});

// --- returned original --------------------------------------------------------------------------

// Index of the first line at or after `from` where a vendor marks the start of the returned message
// ("------ This is a copy of the message, including all the headers. ------", "--- Below this line is
// a copy of the message.", ...; the list and the source of each is in common.cpp), or npos.
std::size_t find_original_marker(const Context& ctx, std::size_t from = 0);
// Fills report.original from the text after marker line `marker` (separator lines of dashes skipped).
void read_original_after(const Context& ctx, std::size_t marker, DeliveryReport& report);

// Offset of the first "\n\n" in `s` (the end of a header block), or npos: s.find("\n\n") in one pass
// (string_view::find calls memchr once per '\n').
std::size_t find_two_newlines(std::string_view s);
// Fills report.original from a header block that a vendor inlined after its marker (leading blank
// lines and ">" quoting skipped). Does nothing when report.original is already present.
void read_inline_original(std::string_view block, DeliveryReport& report);
// Fills report.original from ctx.original (message/rfc822 or text/rfc822-headers) when not present.
void read_part_original(const Context& ctx, DeliveryReport& report);
// Lines [begin, end) of ctx trimmed and joined by spaces, leading blank lines skipped, up to the first
// blank line after some text (capped at k_max_diagnostic_bytes).
std::string paragraph(const Context& ctx, std::size_t begin, std::size_t end);
// The text from the start of line `line` to the end of ctx.text.
std::string_view text_from_line(const Context& ctx, std::size_t line);

} // namespace ndr::classifiers::formats
