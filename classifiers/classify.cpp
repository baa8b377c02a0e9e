// classify.cpp — the reason classifier: fills each record's Verdict (reason, hard, temporary).
//
// Follows Sisimai 5's decision procedure (Sisimai 4.25 Reason.pm get()/anotherone(), the per-reason
// true() tests, SMTP/Error.pm soft_or_hard(); BSD-2-Clause, (c) azumakuniyuki) over the record's
// status, reply code, SMTP command, action and diagnostic text. The text is attacker-controlled: it is
// capped (k_max_diagnostic_bytes), lower-cased and matched in one literal pass (reasons/matcher.cpp);
// precedence comes from the explicit lists in reasons/table.cpp. Never reads the returned original.
// Never throws.
#include "classifiers/classify.hpp"

#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "classifiers/limits.hpp"
#include "classifiers/reasons/matcher.hpp"
#include "classifiers/reasons/rhost.hpp"
#include "classifiers/reasons/table.hpp"
#include "classifiers/reasons/vendor.hpp"
#include "classifiers/status_code.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers {

namespace {

using reasons::TextMatch;
using R = Reason;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "d.d{1,3}.d{1,3}" starting at s[i] with class 2, 4 or 5; returns its length or 0 (Postfix dsn_valid()).
std::size_t status_at(std::string_view s, std::size_t i)
{
    if (i >= s.size() || (s[i] != '2' && s[i] != '4' && s[i] != '5'))
        return 0;
    std::size_t j = i + 1;
    for (int part = 0; part < 2; ++part) {
        if (j >= s.size() || s[j] != '.')
            return 0;
        ++j;
        std::size_t digits = 0;
        while (j < s.size() && is_digit(s[j]) && digits < 4) {
            ++j;
            ++digits;
        }
        if (digits == 0 || digits > 3)
            return 0;
    }
    if (j < s.size() && (is_digit(s[j]) || s[j] == '.'))
        return 0;
    if (i > 0 && (is_digit(s[i - 1]) || s[i - 1] == '.'))
        return 0;
    return j - i;
}

// The first byte at or after `from` that is '2', '4' or '5' (where a status code or a reply code can
// start), or s.size(): sixteen bytes at a time.
std::size_t next_class_digit(std::string_view s, std::size_t from)
{
    std::size_t i = from;
#if defined(__SSE2__)
    const __m128i two = _mm_set1_epi8('2'), four = _mm_set1_epi8('4'), five = _mm_set1_epi8('5');
    for (; i + 16 <= s.size(); i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
        const __m128i hit =
            _mm_or_si128(_mm_cmpeq_epi8(x, two), _mm_or_si128(_mm_cmpeq_epi8(x, four), _mm_cmpeq_epi8(x, five)));
        if (const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit)); mask != 0)
            return i + static_cast<std::size_t>(__builtin_ctz(mask));
    }
#endif
    for (; i < s.size(); ++i)
        if (s[i] == '5' || s[i] == '4' || s[i] == '2') return i;
    return s.size();
}

// The first specific status code ([45].[1-9].[1-9][0-9]{0,2}) in the text: Sisimai lets it override the
// Status: field (Data.pm CHECK_DELIVERY_STATUS_VALUE).
std::string specific_status_in(std::string_view text)
{
    // status_at() needs a class digit: the other bytes are passed over without the call.
    for (std::size_t i = next_class_digit(text, 0); i < text.size(); i = next_class_digit(text, i + 1)) {
        std::size_t n = status_at(text, i);
        if (n == 0)
            continue;
        std::string_view code = text.substr(i, n);
        if (n >= 5 && n <= 7 && (code[0] == '4' || code[0] == '5') && code[2] >= '1' && code[2] <= '9' &&
            code[4] >= '1' && code[4] <= '9')
            return std::string(code);
        i += n - 1;
    }
    return {};
}

// Lower-cased text with multi-line reply prefixes ("550-5.7.1 ", "550 5.7.1 ") removed from the
// middle of the text when they repeat (Sisimai Data.pm, "$vm > 2"), whitespace collapsed, into
// `lowered` (its buffer reused: classify_record() passes the same string for every record). Linear.
void matchable_text(std::string_view diagnostic, std::string& lowered)
{
    if (diagnostic.size() > k_max_diagnostic_bytes)
        diagnostic = diagnostic.substr(0, k_max_diagnostic_bytes);
    // Collapsed into the reused buffer, then lower-cased in place over the shorter text
    // (to_lower_ascii() would be a second string: one allocation and copy more per record).
    collapse_whitespace(diagnostic, lowered);
    lower_ascii_in_place(lowered);
    // Count reply-code-like tokens at the start or after a space (the only places a token starts),
    // trying only the bytes where one can start.
    std::size_t prefixes = 0;
    const std::string_view l = lowered;
    for (std::size_t i = next_class_digit(l, 0); i + 4 <= l.size(); i = next_class_digit(l, i + 1))
        if ((i == 0 || l[i - 1] == ' ') && (l[i] == '4' || l[i] == '5') && is_digit(l[i + 1]) && is_digit(l[i + 2]) &&
            (l[i + 3] == '-' || l[i + 3] == ' '))
            ++prefixes;
    if (prefixes <= 2)
        return;
    std::string out;
    out.reserve(lowered.size());
    std::size_t i = 0;
    while (i < lowered.size()) {
        if (i > 0 && lowered[i - 1] == ' ' && i + 4 <= lowered.size() && (lowered[i] == '4' || lowered[i] == '5') &&
            is_digit(lowered[i + 1]) && is_digit(lowered[i + 2]) && (lowered[i + 3] == '-' || lowered[i + 3] == ' ')) {
            std::size_t j = i + 4;
            if (std::size_t n = status_at(lowered, j); n != 0)
                j += n;
            while (j < lowered.size() && lowered[j] == ' ')
                ++j;
            i = j;
            continue;
        }
        out.push_back(lowered[i]);
        ++i;
    }
    lowered.swap(out);
}

struct Context {
    const RecipientRecord& rec;
    std::string status;         // effective status for classification
    std::optional<R> by_status; // Sisimai SMTP::Status->name()
    std::string command;        // upper-case SMTP command or empty
    TextMatch text;
    bool has_text = false;
    bool smtp_type = true;      // diagnostic type SMTP or absent
    R preset = R::undefined;    // a re-checkable reason a format or vendor phrase already named

    bool status_is(R r) const { return by_status && *by_status == r; }
    bool command_in(std::initializer_list<std::string_view> list) const
    {
        for (std::string_view c : list)
            if (command == c)
                return true;
        return false;
    }
};

// Sisimai Reason/<Name>.pm true(): does reason r hold for this record?
bool holds(R r, const Context& c)
{
    const TextMatch& m = c.text;
    if (c.preset == r) {
        // "return 1 if $argvs->reason eq ..." in every true(). A format's userunknown from a generic
        // RCPT refusal ("does not like recipient") yields to the remote server's own words naming a
        // block or a refusal, as a 5.1.1 status does (Reason/UserUnknown.pm $prematches).
        if (r != R::userunknown)
            return true;
        for (R other : {R::norelaying, R::blocked, R::mailboxfull, R::hasmoved, R::rejected, R::notaccept})
            if (m.has(other))
                return false;
        return true;
    }
    switch (r) {
    case R::mailboxfull: // Reason/MailboxFull.pm
        return c.status_is(R::mailboxfull) || m.has(R::mailboxfull);
    case R::mesgtoobig: // Reason/MesgTooBig.pm
        if (c.status_is(R::mesgtoobig))
            return true;
        if (c.status_is(R::exceedlimit) || c.status == "5.2.3")
            return false;
        return m.has(R::mesgtoobig);
    case R::exceedlimit: // Reason/ExceedLimit.pm
        return c.status_is(R::exceedlimit) || m.has(R::exceedlimit);
    case R::suspend: // Reason/Suspend.pm
        return m.has(R::suspend);
    case R::hasmoved: // Reason/HasMoved.pm
        return m.has(R::hasmoved);
    case R::norelaying: // Reason/NoRelaying.pm
        if (c.command_in({"CONN", "EHLO", "HELO"}))
            return false;
        // "Do not overwrite the reason": a vendor's securityerror/systemerror verdict stands.
        if (c.preset == R::securityerror || c.preset == R::systemerror)
            return false;
        return m.has(R::norelaying);
    case R::userunknown: // Reason/UserUnknown.pm
        if (c.status_is(R::suspend))
            return false;
        if (c.status_is(R::userunknown)) {
            for (R other : {R::norelaying, R::blocked, R::mailboxfull, R::hasmoved, R::rejected, R::notaccept,
                            R::requireptr, R::authfailure, R::badreputation})
                if (m.has(other))
                    return false;
            return true;
        }
        return c.command == "RCPT" && m.has(R::userunknown);
    case R::filtered: // Reason/Filtered.pm
        if (c.status_is(R::suspend))
            return false;
        if (c.status_is(R::filtered))
            return m.has(R::userunknown) || m.has(R::filtered);
        if (c.command_in({"CONN", "EHLO", "HELO", "MAIL", "RCPT"}))
            return false;
        return m.has(R::filtered) || m.has(R::userunknown);
    case R::rejected: { // Reason/Rejected.pm
        if (c.status_is(R::rejected))
            return true;
        if (c.command == "MAIL")
            return m.has(R::rejected);
        if (c.command == "DATA")
            return !c.status_is(R::userunknown) && m.has(R::rejected);
        bool weak = !c.by_status || c.status_is(R::onhold) || c.status_is(R::securityerror) ||
                    c.status_is(R::systemerror);
        return weak && m.has(R::rejected);
    }
    case R::hostunknown: // Reason/HostUnknown.pm
        if (c.status_is(R::hostunknown))
            return !m.has(R::networkerror);
        return m.has(R::hostunknown);
    case R::spamdetected: // Reason/SpamDetected.pm
        if (c.status_is(R::spamdetected))
            return true;
        if (c.command_in({"CONN", "EHLO", "HELO", "MAIL", "RCPT"}))
            return false;
        return m.has(R::spamdetected);
    case R::toomanyconn: // Reason/TooManyConn.pm
        return c.status_is(R::toomanyconn) || m.has(R::toomanyconn);
    case R::contenterror: // Sisimai 5: its text in stage 1; a bare 5.6.x status only in anotherone()
        return m.has(R::contenterror);
    case R::blocked: // Reason/Blocked.pm
        return c.status_is(R::blocked) || m.has(R::blocked);
    default: // Sisimai 5 reasons: AuthFailure, RequirePTR, BadReputation, NotCompliantRFC, Speeding
        return c.status_is(r) || m.has(r);
    }
}

// Sisimai Reason.pm anotherone().
R another_one(const Context& c)
{
    if (c.preset != R::undefined)
        return c.preset;
    R reason = c.by_status ? *c.by_status : R::undefined;
    bool try_text = !c.by_status || reason == R::expired || reasons::is_retried(reason) || !c.smtp_type;
    if (!try_text)
        return reason;
    for (R r : reasons::text_order())
        if (c.text.has(r))
            return r;
    // "last(TRY_TO_MATCH) if $reasontext": a reason the status named and no text overrode stands.
    if (reason != R::undefined)
        return reason;
    std::string_view s = c.status;
    if (s.size() >= 3 && (s[0] == '4' || s[0] == '5') && s[1] == '.' && s[2] == '6')
        return R::contenterror;
    if (s.size() >= 3 && (s[0] == '4' || s[0] == '5') && s[1] == '.' && s[2] == '7')
        return R::securityerror;
    std::string_view type = c.rec.diagnostic_type;
    if (iequals(type, "x-unix") || iequals(type, "x-postfix"))
        return R::mailererror;
    int code = c.rec.reply_code;
    if ((code >= 400 && code <= 407) || (code >= 500 && code <= 507)) // Reason/SyntaxError.pm
        return R::syntaxerror;
    if (c.rec.action == Action::delayed)
        return R::expired;
    if (c.command == "EHLO" || c.command == "HELO")
        return R::blocked;
    return reason;
}

// Sisimai Reason.pm get().
R decide(const Context& c)
{
    R reason = R::undefined;
    if (c.smtp_type) {
        for (R r : reasons::session_order())
            if (holds(r, c)) {
                reason = r;
                break;
            }
    }
    if (reason != R::undefined)
        return reason;
    reason = another_one(c);
    if (reason == R::undefined && c.rec.action == Action::delayed)
        reason = R::expired;
    if (reason != R::undefined)
        return reason;
    if (c.text.has(R::vacation))
        return R::vacation;
    if (c.has_text)
        return R::onhold;
    return R::undefined;
}

std::string upper(std::string_view s)
{
    std::string out(s.substr(0, 8));
    for (char& ch : out)
        if (ch >= 'a' && ch <= 'z')
            ch = static_cast<char>(ch - 'a' + 'A');
    return out;
}

// Format modules keep only the remote server's reply, but Sisimai's phrases were written against the
// MTA's whole line, which names the command: Exim's "SMTP error from remote mail server after initial
// connection:" (Reason/Blocked.pm) and Postfix's "(in reply to MAIL FROM command)" (Reason/Rejected.pm
// "access denied (in reply to mail from command)"). Put the phrase back for matching when the record
// names the command and the text lacks it. `text` is lower-cased.
void restore_command_phrase(std::string_view format, std::string_view command, std::string& text)
{
    if (text.empty())
        return;
    if (command == "CONN" && format == "exim" && text.find("after initial connection") == std::string::npos)
        text.insert(0, "smtp error from remote mail server after initial connection: ");
    else if (command == "MAIL" && text.find("(in reply to") == std::string::npos)
        text += " (in reply to mail from command)";
}

// Sisimai 5 SMTP/Failure.pm is_hardbounce(): permanent for the address.
bool hard_for(R reason, const RecipientRecord& rec, std::string_view status)
{
    switch (reason) {
    case R::hasmoved:
    case R::hostunknown:
    case R::userunknown:
        return true;
    case R::notaccept:
        if (!status.empty())
            return status[0] == '5';
        if (rec.reply_code != 0)
            return rec.reply_code >= 500;
        return true;
    default:
        return false;
    }
}

void classify_record(const DeliveryReport& report, RecipientRecord& rec)
{
    Verdict& v = rec.verdict;
    std::string_view status = rec.status;
    v.temporary = rec.action == Action::delayed || (rec.reply_code >= 400 && rec.reply_code < 500) ||
                  (!status.empty() && status[0] == '4');

    if (report.kind == Kind::feedback) {
        v.reason = R::feedback;
        v.hard = false;
        v.temporary = false;
        return;
    }
    if (report.kind == Kind::auto_reply) {
        v.reason = R::vacation;
        v.hard = false;
        v.temporary = false;
        return;
    }
    if (rec.action == Action::delivered || rec.action == Action::relayed || rec.action == Action::expanded ||
        (!status.empty() && status[0] == '2')) {
        v.reason = R::delivered;
        v.hard = false;
        v.temporary = false;
        return;
    }

    // A reason a format module or the MTA's own wording settled stands unless Sisimai would re-check
    // it; a re-checkable one still wins where its test comes up in the precedence order.
    // The thread's buffer for the text, reused from record to record (one allocation less for each;
    // it holds at most k_max_diagnostic_bytes and a phrase: restore_command_phrase()).
    thread_local std::string t_text;
    std::string& text = t_text;
    matchable_text(rec.diagnostic, text);
    R preset = v.reason;
    if (preset == R::undefined)
        preset = reasons::vendor_reason(rec.format, text);
    if (preset == R::undefined)
        preset = reasons::vendor_status_reason(rec.format, rec.status);
    // An MTA's "expired" sentence is often appended to the real error: re-check it like Sisimai's
    // retried reasons.
    if (preset != R::undefined && preset != R::expired && !reasons::is_retried(preset)) {
        v.reason = preset;
        v.hard = hard_for(preset, rec, status);
        return;
    }

    std::string command = upper(rec.smtp_command);
    if (command.empty())
        command = find_smtp_command(text);
    restore_command_phrase(rec.format, command, text);
    Context c{rec, {}, std::nullopt, std::move(command), {}, !text.empty(), true};
    c.status = specific_status_in(text);
    if (c.status.empty())
        c.status = rec.status;
    c.by_status = reasons::reason_for_status(c.status);
    // Sisimai 5 reads Postfix's own "X-Postfix;" diagnostics like SMTP ones (only X-UNIX stays apart).
    c.smtp_type = rec.diagnostic_type.empty() || iequals(rec.diagnostic_type, "smtp") ||
                  iequals(rec.diagnostic_type, "x-postfix");
    c.preset = preset == R::onhold ? R::undefined : preset;

    std::optional<R> by_provider;
    if (preset == R::undefined || reasons::is_retried(preset))
        by_provider = reasons::provider_reason(rec, text, report.reporting_mta);
    // Sisimai 5 split authfailure, requireptr, badreputation and notcompliantrfc out of the broad
    // reasons older provider tables still use: the specific text wins over the broad provider reason.
    const bool broad = by_provider && (*by_provider == R::blocked || *by_provider == R::rejected ||
                                       *by_provider == R::securityerror ||
                                       *by_provider == R::policyviolation || *by_provider == R::spamdetected);
    // The text's patterns are read only where they can decide: a provider's specific reason stands
    // without them (the pass over the text is most of a record's classification).
    if (!by_provider || broad)
        c.text = reasons::match_text(text);
    if (broad) {
        for (R specific : {R::authfailure, R::requireptr, R::badreputation, R::notcompliantrfc})
            if (c.text.has(specific)) {
                by_provider = specific;
                break;
            }
    }
    R reason = by_provider ? *by_provider : decide(c);
    v.reason = reason;
    v.hard = hard_for(reason, rec, c.status);
}

} // namespace

void classify(DeliveryReport& report)
{
    for (RecipientRecord& rec : report.recipients) {
        try {
            classify_record(report, rec);
        } catch (...) {
            rec.verdict.reason = R::undefined; // std::bad_alloc: leave the record unclassified
        }
    }
}

} // namespace ndr::classifiers
