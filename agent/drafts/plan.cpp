// plan.cpp — the action for an incident and the text of its draft (see plan.hpp).
#include "agent/drafts/plan.hpp"

#include "agent/incidents/provenance.hpp"
#include "agent/scan.hpp"
#include "classifiers/text.hpp"

#include <ctime>
#include <openssl/evp.h>

namespace ndr::agent::drafts {

namespace {

using classifiers::rules::RemovalMethod;

std::string s(std::string_view text) {
    return classifiers::sanitise(text, 1024);
}

bool is_ip(std::string_view text) {
    return text.find('/') == std::string_view::npos && incidents::parse_network(text).has_value();
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& i : items) {
        if (i.empty()) continue;
        if (!out.empty()) out += sep;
        out += s(i);
    }
    return out;
}

void add_unique(std::vector<std::string>& v, const std::string& item) {
    if (item.empty()) return;
    for (const auto& x : v)
        if (x == item) return;
    v.push_back(item);
}

std::string contact(const IdentitySettings& id) {
    const auto address = safe_address(id.admin_email);
    if (id.admin_name.empty())
        return address.empty() ? "(set [identity] admin_name and admin_email)" : address;
    return header_value(id.admin_name) + (address.empty() ? "" : " <" + address + ">");
}

// The facts every draft carries, as "Label: value" lines and the rejection lines verbatim.
std::string evidence_block(const store::IncidentDetail& d, const IdentitySettings& id) {
    const auto& i = d.summary;
    std::vector<std::string> ips;
    if (is_ip(i.listed)) add_unique(ips, s(i.listed));
    for (const auto& ip : d.sending_ips)
        add_unique(ips, s(ip));
    std::vector<std::string> helos = d.sending_helos;
    for (const auto& h : id.helo_names)
        add_unique(helos, h);
    std::vector<std::string> domains;
    for (const auto& dom : id.domains)
        add_unique(domains, dom);
    if (domains.empty())
        for (const auto& dom : d.from_domains)
            add_unique(domains, dom);
    std::vector<std::string> recipient_domains;
    for (const auto& [dom, n] : i.recipient_domains)
        add_unique(recipient_domains, s(dom));

    std::string out;
    out += "Sending IP address(es): " +
           (ips.empty() ? std::string("(none named; see the rejections below)") : join(ips, ", ")) + "\n";
    if (!i.listed.empty() && !is_ip(i.listed)) out += "Listed domain: " + s(i.listed) + "\n";
    out += "HELO name(s): " + (helos.empty() ? std::string("(not configured)") : join(helos, ", ")) + "\n";
    if (!d.sending_rdns.empty() || d.reverse_dns.empty())
        out += "Reverse DNS (as the next hop saw it): " +
               (d.sending_rdns.empty() ? std::string("(not shown in the returned headers)")
                                       : join(d.sending_rdns, ", ")) +
               "\n";
    if (!d.reverse_dns.empty()) {
        std::vector<std::string> lines;
        for (const auto& line : d.reverse_dns)
            lines.push_back(s(line));
        out += "Reverse DNS (looked up): " + join(lines, "; ") + "\n";
    }
    out += "Sending domain(s): " + (domains.empty() ? std::string("(not configured)") : join(domains, ", ")) +
           "\n";
    out += "Recipient domain(s): " +
           (recipient_domains.empty() ? std::string("-") : join(recipient_domains, ", ")) + "\n";
    out += "Rejections: " + std::to_string(i.bounces) + " bounce(s) between " + format_utc(i.first_seen) +
           " and " + format_utc(i.last_seen) + " (UTC)\n";
    out += "\nThe rejection lines, verbatim:\n";
    if (d.rejections.empty()) out += "  (no rejection text recorded)\n";
    for (const auto& r : d.rejections)
        out += "  " + format_utc(r.at) + " " + (r.recipient_domain.empty() ? "(no recipient named)" : s(r.recipient_domain)) +
               (r.remote_mta.empty() ? "" : " (" + s(r.remote_mta) + ")") + ": " + s(r.text) + "\n";
    out += "\n";
    if (!i.remediation.empty())
        out += "What we did, " + format_utc(i.remediated_at) + ":\n  " + s(i.remediation) + "\n\n";
    return out;
}

std::string signature(const IdentitySettings& id) {
    return "Regards,\n" + contact(id) + "\n";
}

std::string postmaster_of(const store::IncidentSummary& i) {
    for (const auto& [dom, n] : i.recipient_domains) {
        const auto a = safe_address("postmaster@" + dom);
        if (!a.empty()) return a;
    }
    return {};
}

std::string subject_ip(const store::IncidentSummary& i, const IdentitySettings& id) {
    if (!i.listed.empty()) return s(i.listed);
    if (!id.domains.empty()) return "mail from " + s(id.domains.front());
    return "our mail server";
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool ascii(std::string_view v) {
    for (const unsigned char c : v)
        if (c >= 0x80) return false;
    return true;
}

// RFC 2047 B-encoding for a non-ASCII value (one encoded word per <= 45 bytes, whole UTF-8 sequences).
std::string encode_word(std::string_view v) {
    if (ascii(v)) return std::string(v);
    std::string out;
    std::size_t pos = 0;
    while (pos < v.size()) {
        std::size_t len = std::min<std::size_t>(45, v.size() - pos);
        while (pos + len < v.size() && (static_cast<unsigned char>(v[pos + len]) & 0xC0) == 0x80)
            --len;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(v.substr(pos, len)) + "?=";
        pos += len;
    }
    return out;
}

std::string rfc5322_date(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

} // namespace

const std::vector<std::string>& remediation_checklist() {
    static const std::vector<std::string> k_list{
        "find the hosts that send SMTP other than the mail server (firewall or flow logs for outbound port "
        "25)",
        "quarantine them and clean or rebuild them; change the passwords they held",
        "allow outbound port 25 only from the mail server",
        "check that the mail server is not an open relay (and no web form or script relays mail)",
        "check for compromised accounts (authenticated submissions in unusual volume or from unusual places)",
    };
    return k_list;
}

std::string header_value(std::string_view text) {
    // sanitise() turns CR, LF and TAB into spaces and drops other controls; strip again defensively.
    std::string out;
    for (const char c : classifiers::sanitise(text, 900))
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out.push_back(c);
    return std::string(classifiers::trim(out));
}

std::string safe_address(std::string_view text) {
    const auto t = classifiers::trim(text);
    const auto at = t.rfind('@');
    if (t.empty() || t.size() > 254 || at == std::string_view::npos || at == 0 || at + 1 >= t.size())
        return {};
    for (const unsigned char c : t)
        if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == ':' || c == '"' ||
            c == '(' || c == ')' || c == '[' || c == ']' || c == '\\')
            return {};
    if (t.find('@') != at) return {};
    const auto domain = t.substr(at + 1);
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.')
        return {};
    return classifiers::to_lower_ascii(t.substr(0, at)) == "postmaster"
               ? "postmaster@" + classifiers::to_lower_ascii(domain)
               : std::string(t.substr(0, at)) + "@" + classifiers::to_lower_ascii(domain);
}

std::string message_id_domain(const IdentitySettings& identity) {
    if (!identity.domains.empty()) return identity.domains.front();
    const auto address = safe_address(identity.admin_email);
    if (const auto at = address.rfind('@'); at != std::string::npos) return address.substr(at + 1);
    return "localhost";
}

Plan plan_incident(const store::IncidentDetail& d, const classifiers::rules::Blocklist* list,
                   const IdentitySettings& id) {
    Plan p;
    const auto& i = d.summary;
    const std::string name = list ? s(list->name.empty() ? list->id : list->name) : s(i.system);
    const std::string what = subject_ip(i, id);
    const std::string evidence = evidence_block(d, id);
    const std::string greeting = "Hello,\n\n";
    const std::string postmaster = postmaster_of(i);

    if (i.records > 0 && i.resolver_errors >= i.records) {
        p.action = "resolver-note";
        p.has_draft = true;
        p.text = {p.action, postmaster,
                  "Your DNSBL lookups are refused by " + name + " (mail from " + what + ")",
                  greeting +
                      "mail from us to your users is rejected with a text that says your server's own DNS "
                      "resolver was refused by " +
                      name +
                      ": this is not a listing of our address. The list "
                      "answers an error code to queries that come through public or shared DNS resolvers; "
                      "your server has to query it through a resolver of its own (or with a key).\n\n" +
                      evidence +
                      "Could you check your resolver set-up? Until then every sender is rejected the "
                      "same way.\n\n" +
                      signature(id),
                  ""};
        p.note = "not a listing: a note to " +
                 (postmaster.empty() ? std::string("the receiver's postmaster") : postmaster) +
                 " about their resolver";
        return p;
    }
    if (list == nullptr || list->removal.method == RemovalMethod::provider) {
        p.action = "remote-admin-note";
        p.has_draft = true;
        const std::string support =
            list && !list->removal.url.empty()
                ? " (the provider's own sender support is at " + s(list->removal.url) + ")"
                : "";
        p.text = {p.action, postmaster, "Mail from " + what + " rejected by your servers (" + name + ")",
                  greeting + "mail from us to your users was rejected by your servers with the text below" +
                      support +
                      ". We could not find a public list or removal procedure for it. Could you tell us why "
                      "our mail "
                      "is refused and what we should change?\n\n" +
                      evidence + signature(id),
                  ""};
        p.note = "note to " + (postmaster.empty() ? std::string("the remote postmaster") : postmaster);
        return p;
    }
    if (list->defunct) {
        p.action = "defunct-note";
        p.has_draft = true;
        p.text = {p.action, postmaster, "Your server still queries " + name + ", which no longer exists",
                  greeting + "mail from us was rejected because your server queries " + name +
                      ", which has shut down (" + s(list->defunct_note) +
                      "). A defunct list may answer \"listed\" for everyone; please remove it "
                      "from your configuration.\n\n" +
                      evidence + signature(id),
                  ""};
        p.note = "the list is defunct: a note to " +
                 (postmaster.empty() ? std::string("their postmaster") : postmaster);
        return p;
    }
    p.fix_first = list->fix_first;
    p.waiting_for_fix = p.fix_first && i.remediation.empty();
    const auto& r = list->removal;
    switch (r.method) {
    case RemovalMethod::form:
        p.action = "form";
        p.text = {p.action, "", "Removal request for " + what + " (" + name + ")",
                  "Text to paste into " + name + "'s removal form" +
                      (r.url.empty() ? "" : " at " + s(r.url)) + ":\n\n" + "Please remove " + what +
                      " from " + name + ".\n\n" + evidence + signature(id),
                  s(r.url)};
        break;
    case RemovalMethod::email:
        p.action = "email";
        p.text = {p.action, safe_address(r.address), "Removal request for " + what + " (" + name + ")",
                  greeting + "please remove " + what + " from " + name + ".\n\n" + evidence + signature(id),
                  ""};
        break;
    case RemovalMethod::expiry:
        p.action = "expiry";
        if (r.expiry_hours > 0) p.clears_at = i.last_seen + static_cast<std::int64_t>(r.expiry_hours) * 3600;
        p.note =
            name + " listings expire on their own" +
            (p.clears_at > 0 ? ": should clear by " + format_utc(p.clears_at) + " if nothing new is reported"
                             : "") +
            "; nothing to request";
        return p;
    case RemovalMethod::none:
        p.action = "postmaster-note";
        p.text = {p.action, postmaster, "Request for temporary allow-listing of " + what,
                  greeting + "mail from us to your users is rejected because of our " + name +
                      " reputation, which has no removal procedure: it follows the traffic. " +
                      (i.remediation.empty() ? std::string("We are looking into the cause")
                                             : std::string("We have found and fixed the cause (see below)")) +
                      " and ask you to allow-list our sending address(es) temporarily while the reputation "
                      "recovers.\n\n" +
                      evidence + signature(id),
                  ""};
        break;
    case RemovalMethod::provider:
        break; // handled above
    }
    p.has_draft = !p.waiting_for_fix;
    if (p.waiting_for_fix)
        p.note = "fix first; the request is drafted after `ndr-triage incidents fixed " +
                 std::to_string(i.id) + " --note \"...\"`";
    return p;
}

namespace {

// Printable ASCII and tabs only, lines of at most 998 octets ("\n" separates lines).
bool seven_bit_safe(std::string_view body) {
    std::size_t column = 0;
    for (const char ch : body) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\n') {
            column = 0;
            continue;
        }
        if ((c < 0x20 && c != '\t') || c > 0x7e || ++column > 998) return false;
    }
    return true;
}

// One body line in quoted-printable (RFC 2045 6.7): '=', controls and 8-bit octets as =XX, whitespace
// at the end of the line encoded, soft line breaks keep every encoded line within 76 characters.
std::string quoted_printable_line(std::string_view line) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(line.size() + line.size() / 8 + 4);
    std::size_t column = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        const bool last = i + 1 == line.size();
        const bool encode =
            c == '=' || (c < 0x20 && c != '\t') || c > 0x7e || ((c == ' ' || c == '\t') && last);
        const std::size_t width = encode ? 3 : 1;
        if (column + width > 75) {
            out += "=\r\n";
            column = 0;
        }
        if (encode) {
            out += '=';
            out += k_hex[c >> 4];
            out += k_hex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
        column += width;
    }
    return out + "\r\n";
}

} // namespace

std::string compose_message(const store::Draft& draft, const IdentitySettings& identity, std::int64_t date) {
    std::string m;
    const auto from = safe_address(identity.admin_email);
    const auto name = header_value(identity.admin_name);
    if (!from.empty()) m += "From: " + (name.empty() ? from : encode_word(name) + " <" + from + ">") + "\r\n";
    const auto to = safe_address(draft.recipient);
    if (!to.empty()) m += "To: " + to + "\r\n";
    m += "Subject: " + encode_word(header_value(draft.subject)) + "\r\n";
    m += "Date: " + rfc5322_date(date) + "\r\n";
    const auto mid = safe_address(draft.message_id);
    if (!mid.empty()) m += "Message-ID: <" + mid + ">\r\n";
    m += "MIME-Version: 1.0\r\n";
    m += "Content-Type: text/plain; charset=utf-8\r\n";
    // 7bit when every line is short printable ASCII (readable as is); otherwise quoted-printable, so
    // the message needs neither 8BITMIME nor a relay's conversion, and no line exceeds RFC 5322's 998.
    const bool plain = seven_bit_safe(draft.body);
    m += plain ? "Content-Transfer-Encoding: 7bit\r\n" : "Content-Transfer-Encoding: quoted-printable\r\n";
    m += "X-NDR-Triage-Draft: " + std::to_string(draft.id) + " " + header_value(draft.kind) + "\r\n";
    if (!draft.url.empty()) m += "X-NDR-Triage-Form: " + header_value(draft.url) + "\r\n";
    m += "\r\n";
    std::size_t start = 0;
    const std::string_view body = draft.body;
    while (start < body.size()) {
        auto nl = body.find('\n', start);
        if (nl == std::string_view::npos) nl = body.size();
        const std::string_view line = body.substr(start, nl - start);
        m += plain ? std::string(line) + "\r\n" : quoted_printable_line(line);
        start = nl + 1;
    }
    return m;
}

} // namespace ndr::agent::drafts
