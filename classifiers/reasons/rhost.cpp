// rhost.cpp — provider code tables (see rhost.hpp). Sources: Sisimai 4.25 Rhost/*.pm (BSD-2-Clause,
// (c) azumakuniyuki) and the providers' published NDR code lists named on each row.
#include "classifiers/reasons/rhost.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>

#include "classifiers/status_code.hpp"
#include "classifiers/text.hpp"

namespace ndr::classifiers::reasons {

namespace {

using R = Reason;

struct Provider {
    std::string_view host_suffix; // matched against the end of the remote MTA's host name
    std::string_view name;
};

struct CodeRow {
    std::string_view provider; // Provider::name
    std::string_view fragment; // lower-case text that must occur in the diagnostic
    R reason;
    std::string_view source;
};

constexpr Provider k_providers[] = {
    {"cox.net", "cox"},                       // Sisimai Rhost.pm
    {".prod.outlook.com", "exchangeonline"},  // Sisimai Rhost.pm
    {".protection.outlook.com", "exchangeonline"},
    {"laposte.net", "franceptt"},             // Sisimai Rhost.pm
    {"orange.fr", "franceptt"},
    {"wanadoo.fr", "franceptt"},
    {"secureserver.net", "godaddy"},          // Sisimai Rhost.pm
    {"aspmx.l.google.com", "google"},         // Sisimai Rhost.pm
    {"gmail-smtp-in.l.google.com", "google"},
    {".email.ua", "iua"},                     // Sisimai Rhost.pm
    {".ezweb.ne.jp", "kddi"},                 // Sisimai Rhost.pm
    {".au.com", "kddi"},
    {".mimecast.com", "mimecast"},            // Sisimai Rhost.pm
    {"mfsmax.docomo.ne.jp", "nttdocomo"},     // Sisimai Rhost.pm
    {"charter.net", "spectrum"},              // Sisimai Rhost.pm
    {".qq.com", "tencent"},                   // Sisimai Rhost.pm
    {".yahoodns.net", "yahoo"},               // Sisimai 5 Rhost.pm (YahooInc)
    {"yahoo.com", "yahoo"},
};

constexpr CodeRow k_codes[] = {
    // Sisimai Rhost/KDDI.pm (au / EZweb): "550 <user@...>: User unknown" names the user, "550 : User
    // unknown" (no address) is the recipient's own filter.
    {"kddi", ">: user unknown", R::userunknown, "au (KDDI) reply naming the unknown address"},
    {"kddi", "550 : user unknown", R::filtered, "au (KDDI) domain-filter refusal"},
    // Sisimai 5 Rhost/Microsoft.pm and learn.microsoft.com "Email non-delivery reports in Exchange Online".
    {"exchangeonline", "resolver.adr.recipientnotfound", R::userunknown, "Microsoft NDR 5.1.10 RecipientNotFound"},
    {"exchangeonline", "resolver.adr.recipnotfound", R::userunknown, "Microsoft NDR 5.1.1 RecipNotFound"},
    {"exchangeonline", "recipient address rejected: access denied", R::userunknown, "Microsoft NDR 5.4.1 Recipient address rejected: Access denied (directory-based edge blocking)"},
    {"exchangeonline", "does not pass dmarc verification", R::authfailure, "Microsoft NDR 5.7.509"},
    {"exchangeonline", "rate limited due to ip reputation", R::badreputation, "Microsoft NDR 4.7.650 (S3113)"},
    {"exchangeonline", "dns query failed", R::networkerror, "Microsoft NDR 5.4.312 DNS query failed"},
    {"exchangeonline", "message expired, connection refused", R::expired, "Microsoft NDR 5.4.316 connection refused"},
    // Sisimai 5 Rhost/YahooInc.pm and senders.yahooinc.com/smtp-error-codes.
    {"yahoo", "doesn't have a yahoo.com account", R::userunknown, "Yahoo 554 delivery error: dd This user doesn't have a yahoo.com account"},
    {"yahoo", "[ts01]", R::badreputation, "Yahoo [TS01] temporarily deferred due to user complaints"},
    {"yahoo", "[ts02]", R::badreputation, "Yahoo [TS02] temporarily deferred due to user complaints"},
    {"yahoo", "[ts03]", R::badreputation, "Yahoo [TS03] temporarily deferred due to user complaints"},
    {"yahoo", "[tss04]", R::badreputation, "Yahoo [TSS04] deferred due to unexpected volume or user complaints"},
    {"yahoo", "[tss09]", R::badreputation, "Yahoo [TSS09] deferred due to user complaints"},
    {"yahoo", "[tss11]", R::badreputation, "Yahoo [TSS11] deferred due to user complaints"},
    {"yahoo", "[bl21]", R::blocked, "Yahoo [BL21] listed by Spamhaus"},
    {"yahoo", "[bl23]", R::blocked, "Yahoo [BL23] listed by Spamhaus"},
    // Sisimai 5 Rhost/Tencent.pm (service.mail.qq.com help pages).
    {"tencent", "dmarc check failed", R::authfailure, "Tencent QQ 550 DMARC check failed"},
    {"tencent", "spf check failed", R::authfailure, "Tencent QQ 550 SPF check failed"},
    {"tencent", "suspected spam ip", R::blocked, "Tencent QQ 550 Suspected spam ip"},
    {"tencent", "mailbox unavailable or access denied", R::suspend, "Tencent QQ 550 Mailbox unavailable or access denied"},
    {"tencent", "ip frequency limited", R::toomanyconn, "Tencent QQ 550 Ip frequency limited"},
    {"tencent", "connection frequency limited", R::toomanyconn, "Tencent QQ 550 Connection frequency limited"},
    {"tencent", "the length of mail exceeds", R::mesgtoobig, "Tencent QQ 552 The length of mail exceeds"},
    {"cox", "cxbl", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "cxthrt", R::securityerror, "Sisimai Rhost/Cox.pm"},
    {"cox", "cxmj", R::securityerror, "Sisimai Rhost/Cox.pm"},
    {"cox", "cxdns", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "cxsndr", R::rejected, "Sisimai Rhost/Cox.pm"},
    {"cox", "cxsmtp", R::rejected, "Sisimai Rhost/Cox.pm"},
    {"cox", "cxcnct", R::toomanyconn, "Sisimai Rhost/Cox.pm"},
    {"cox", "cxmxrt", R::toomanyconn, "Sisimai Rhost/Cox.pm"},
    {"cox", "cdrbl", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl0001", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl0010", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl0100", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl0011", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl0101", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl0110", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl0111", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl1000", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl1001", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl1010", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl1011", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl1100", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl1101", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl1110", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl1111", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "ipbl00001", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "urlbl011", R::spamdetected, "Sisimai Rhost/Cox.pm"},
    {"cox", "urlbl101", R::spamdetected, "Sisimai Rhost/Cox.pm"},
    {"cox", "urlbl110", R::spamdetected, "Sisimai Rhost/Cox.pm"},
    {"cox", "urlbl1001", R::spamdetected, "Sisimai Rhost/Cox.pm"},
    {"cox", "rejected - no rdns", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "cox too many bad commands from", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "dns check failure - try again later", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "too many invalid recipients", R::blocked, "Sisimai Rhost/Cox.pm"},
    {"cox", "esmtp server temporarily not available", R::notaccept, "Sisimai Rhost/Cox.pm"},
    {"cox", "esmtp no data before greeting", R::policyviolation, "Sisimai Rhost/Cox.pm"},
    {"cox", "attachment extension is forbidden", R::policyviolation, "Sisimai Rhost/Cox.pm"},
    {"cox", "sender rejected", R::rejected, "Sisimai Rhost/Cox.pm"},
    {"cox", "too many sessions from", R::toomanyconn, "Sisimai Rhost/Cox.pm"},
    {"cox", "requested action aborted: try again later", R::toomanyconn, "Sisimai Rhost/Cox.pm"},
    {"cox", "message threshold exceeded", R::toomanyconn, "Sisimai Rhost/Cox.pm"},
    {"cox", "recipient rejected", R::userunknown, "Sisimai Rhost/Cox.pm"},
    {"exchangeonline", "connection dropped", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "access denied, please try again later", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "must have a reverse dns record", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "access denied, bad helo", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "access denied, rejected by recipient", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "does not accept email over ipv6", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "access denied, banned sender", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "using customer block list", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "access denied, banned sending ip ", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "invalid domain name", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "restrictdomainstoipaddresses or restrictdomainstocertificate", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "part of their network is on our block list (s3150)", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "must pass either spf or dkim validation, this message is not signed", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "tlsa-invalid: the domain failed dane validation", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "dnssec-invalid: destination domain returned invalid dnssec records", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "certificate-host-mismatch: remote certificate must have a common name or subject alternative name matching the hostname (dane)", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "the message was rejected because of sender policy framework violation", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "certificate-expired: destination mail server's certificate is expired", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "does not pass dmarc verification", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "has been temporarily rate limited due to ip reputation", R::blocked, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "too many related errors", R::contenterror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "invalid characters", R::contenterror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "agent generated message depth exceeded", R::contenterror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "invalid message content", R::contenterror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "resolver.rst.recipsizelimit; message too large for this recipient", R::exceedlimit, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "connection timed out", R::expired, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "message delayed", R::expired, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "queue expired; message expired", R::expired, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "message expired", R::expired, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "mailbox full", R::mailboxfull, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "message size exceeds fixed maximum message size", R::mesgtoobig, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "message too big for system", R::mesgtoobig, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "smtpsend.dns.nonexistentdomain; nonexistent domain", R::networkerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "hop count exceeded - possible mail loop", R::networkerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "connection refused", R::networkerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "invalid arguments", R::networkerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "routing loop detected", R::networkerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "unable to relay", R::norelaying, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "client was not authenticated", R::norelaying, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "relay access denied", R::norelaying, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "tenantattribution; relay access denied", R::norelaying, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "does not exist", R::norelaying, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "system not accepting network messages", R::notaccept, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "storedrv.deliver: missing or bad storedriver mdb properties", R::notaccept, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "x-dg-ref header is too long", R::policyviolation, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "requested action not taken: policy violation detected (as345)", R::policyviolation, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "delivery not authorized, message refused", R::policyviolation, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "invalid address", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "unknown sender address", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "sender denied", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "access denied, bad outbound sender", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "delivery not authorized", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "sender was not authenticated by organization", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "sender not in allowed-senders list", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "sender not authenticated for group", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "sender was not authenticated for mailbox", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "sender was not authenticated for public folder", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "sender was not authenticated", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "access denied, spam abuse detected", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "access denied, message must be rfc 5322 section 3.6.2 compliant", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "service unavailable. client blocked from sending from unregistered domains", R::rejected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "cannot achieve exchange server authentication", R::securityerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "not authorized", R::securityerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "starttls-not-supported: destination mail server must support tls to receive mail", R::securityerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "client was not authenticated to send anonymous mail during mail from", R::securityerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "content filter agent quarantined this message", R::spamdetected, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "recipient address rejected: access denied", R::suspend, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "access denied, banned recipient", R::suspend, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "mailbox cannot be accessed", R::suspend, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "unrecognized command", R::syntaxerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "send hello first", R::syntaxerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "service not available", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "service not active", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "system incorrectly configured", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "journaling on-premises messages to microsoft 365 or office 365 not supported when journaling archive is disabled", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "helo / ehlo requires domain address", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "destination mailbox address ambiguous", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "mailing list expansion problem", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "misconfigured forwarding address", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "temporary server error. please try again later attr18", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "temporary server error. please try again later. prx4 nexthop:", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "message failed to be replicated: insufficient system resource:", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "message failed to be replicated: no healthy secondary server available to accept replica at this time.", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "message failed to be replicated: the operation was canceled", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "server busy. please try again later from ", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "pfa agent busy, please try again.", R::systemerror, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "insufficient system resources", R::systemfull, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "too many recipients", R::toomanyconn, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "the recipient has exceeded their limit for", R::toomanyconn, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "storedrv.deliver; recipient thread limit exceeded", R::toomanyconn, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "your message can't be sent because you've reached your daily limit for message recipients", R::toomanyconn, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "submission quota exceeded", R::toomanyconn, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "recipient's per hour message receive limit from specific sender exceeded", R::toomanyconn, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "recipient's per hour message receive limit exceeded", R::toomanyconn, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "has exceeded permitted limits within", R::toomanyconn, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "access denied, tenant has exceeded threshold", R::toomanyconn, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "access denied, traffic not accepted from this ip", R::toomanyconn, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "resolver.adr.exrecipnotfound; not found", R::userunknown, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "user unknown", R::userunknown, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "storedrv.submit; invalid recipient address", R::userunknown, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "recipient address reserved by rfc 2606", R::userunknown, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "recipient addresses in single label domains not accepted", R::userunknown, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "bad destination mailbox address", R::userunknown, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "recipient not found", R::userunknown, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "requested action not taken: mailbox unavailable", R::userunknown, "Sisimai Rhost/ExchangeOnline.pm"},
    {"exchangeonline", "invalid x.400 address", R::userunknown, "Sisimai Rhost/ExchangeOnline.pm"},
    {"godaddy", "ib103", R::blocked, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib104", R::blocked, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib105", R::blocked, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib106", R::blocked, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib007", R::toomanyconn, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib101", R::expired, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib108", R::blocked, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib110", R::blocked, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib111", R::blocked, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib112", R::blocked, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib113", R::blocked, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib212", R::spamdetected, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib401", R::securityerror, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib501", R::rejected, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib502", R::rejected, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib504", R::toomanyconn, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib506", R::rejected, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib508", R::rejected, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib510", R::toomanyconn, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib607", R::toomanyconn, "Sisimai Rhost/GoDaddy.pm"},
    {"godaddy", "ib705", R::virusdetected, "Sisimai Rhost/GoDaddy.pm"},
    {"google", "ip not in whitelist for rcpt domain, closing connection.", R::blocked, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "our system has detected an unusual rate of unsolicited mail originating from your ip address", R::blocked, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "try again later, closing connection.", R::blocked, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "helo/ehlo argument is invalid", R::blocked, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "the ip you're using to send mail is not authorized to send email directly to our servers", R::blocked, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "the ip address sending this message does not have a ptr record setup", R::blocked, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "is not accepted due to domain's dmarc policy", R::blocked, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "fails to pass authentication checks", R::blocked, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "this message fails to pass spf checks for an spf record with a hard fail", R::blocked, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "this message is likely suspicious due to the very low reputation of the sending ip address", R::blocked, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "mail message is malformed. not accepted", R::contenterror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "your message exceeded google's message size limits", R::exceedlimit, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "timeout - closing connection", R::expired, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "the email account that you tried to reach is over quota", R::mailboxfull, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "email quota exceeded", R::mailboxfull, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "message exceeded 50 hops, this may indicate a mail loop", R::networkerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "mail relay denied", R::norelaying, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "messages with multiple addresses in from: header are not accepted", R::policyviolation, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "the user or domain that you are sending to (or from) has a policy that prohibited", R::policyviolation, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "our system detected an illegal attachment on your message", R::policyviolation, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "this message was blocked because its content presents a potential security issue", R::policyviolation, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "mail sending denied", R::rejected, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "unauthenticated email is not accepted from this domain", R::rejected, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "tls required for rcpt domain, closing connection", R::securityerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "cannot decode response", R::securityerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "authentication required.", R::securityerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "application-specific password required", R::securityerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "please log in with your web browser and then try again", R::securityerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "username and password not accepted", R::securityerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "invalid credentials for relay", R::securityerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "our system has detected that this message is likely unsolicited mail", R::spamdetected, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "the email account that you tried to reach is disabled", R::suspend, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "smtp protocol violation, visit rfc 2821", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "smtp protocol violation, no commands allowed to pipeline after starttls", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "starttls may not be repeated", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "too many unrecognized commands, goodbye", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "unimplemented command", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "unrecognized command", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "ehlo/helo first", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "mail first", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "rcpt first", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "no identity changes permitted", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "unrecognized authentication type", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "must issue a starttls command first", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "optional argument not permitted for that auth mode", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "too many unauthenticated commands", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "syntax error", R::syntaxerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "temporary system problem", R::systemerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "server busy", R::systemerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "mail server temporarily rejected message", R::systemerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "cannot authenticate due to temporary system problem", R::systemerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "domain policy size per transaction exceeded", R::systemerror, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "multiple destination domains per transaction is unsupported", R::toomanyconn, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "your message has too many recipients", R::toomanyconn, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "is receiving mail too quickly", R::toomanyconn, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "is receiving mail at a rate that prevents additional messages from being delivered", R::toomanyconn, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "peak smtp relay limit exceeded for customer", R::toomanyconn, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "daily smtp relay limit exceeded for user", R::toomanyconn, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "daily sending quota exceeded", R::toomanyconn, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "daily smtp relay limit exceeded for customer", R::toomanyconn, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "the email account that you tried to reach does not exist", R::userunknown, "Sisimai Rhost/GoogleApps.pm"},
    {"google", "we weren't able to find the recipient domain", R::userunknown, "Sisimai Rhost/GoogleApps.pm"},
    {"mimecast", "sender address blocked", R::blocked, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "recipient temporarily unavailable", R::blocked, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "ip temporarily blacklisted", R::blocked, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "internal resources are temporarily unavailable", R::blocked, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "local ct ip reputation - (reject)", R::blocked, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "spf sender invalid - envelope rejected", R::blocked, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "dkim sender invalid - envelope rejected", R::blocked, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "dmarc sender invalid - envelope rejected", R::blocked, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "maximum email size exceeded", R::mesgtoobig, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "mail loop detected", R::networkerror, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "open relay not allowed", R::norelaying, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "account inbounds disabled", R::notaccept, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "account outbounds disabled", R::onhold, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "hostname is not authorized", R::onhold, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "journal message past expiration", R::onhold, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "anti-spoofing policy - inbound not allowed", R::policyviolation, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "rejected by header-based anti-spoofing policy", R::policyviolation, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "message bounced due to content examination policy", R::policyviolation, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "host network not allowed", R::policyviolation, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "administrative prohibition envelope blocked", R::rejected, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "envelope blocked – user entry", R::rejected, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "envelope blocked – user domain entry", R::rejected, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "rejected by header-based manually blocked senders - block for manual block", R::rejected, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "rejected by header-based blocked senders - block policy for header from", R::rejected, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "envelope rejected - block policy for envelope from address", R::rejected, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "incorrect authentication data", R::securityerror, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "submitter failed to disabled", R::securityerror, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "this route requires encryption (tls)", R::securityerror, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "this route requires tls version 1.2 or greater", R::securityerror, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "this route requires high-strength ciphers", R::securityerror, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "configuration is invalid for this certificate", R::securityerror, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "unable to process connection at this time", R::systemerror, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "message ended early", R::systemerror, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "unable to process command", R::systemerror, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "unable to process an email at this time", R::systemerror, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "account service is temporarily unavailable", R::toomanyconn, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "too many recipients", R::toomanyconn, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "exceeding outbound thread limit", R::toomanyconn, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "invalid address", R::userunknown, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "user unknown", R::userunknown, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "invalid recipient", R::userunknown, "Sisimai Rhost/Mimecast.pm"},
    {"mimecast", "email rejected due to security policies", R::virusdetected, "Sisimai Rhost/Mimecast.pm"},
    {"spectrum", "1000", R::blocked, "Sisimai Rhost/Spectrum.pm"},
    {"spectrum", "1010", R::rejected, "Sisimai Rhost/Spectrum.pm"},
    {"spectrum", "1090", R::systemerror, "Sisimai Rhost/Spectrum.pm"},
    {"spectrum", "1260", R::networkerror, "Sisimai Rhost/Spectrum.pm"},
    {"spectrum", "1500", R::rejected, "Sisimai Rhost/Spectrum.pm"},
    {"spectrum", "1520", R::rejected, "Sisimai Rhost/Spectrum.pm"},
    {"spectrum", "1530", R::mesgtoobig, "Sisimai Rhost/Spectrum.pm"},
    {"spectrum", "1540", R::toomanyconn, "Sisimai Rhost/Spectrum.pm"},
    {"spectrum", "1550", R::toomanyconn, "Sisimai Rhost/Spectrum.pm"},
    {"spectrum", "1560", R::policyviolation, "Sisimai Rhost/Spectrum.pm"},

};

struct FranceCode {
    std::string_view code;
    R reason;
};

// Sisimai Rhost/FrancePTT.pm $errorcodes (Orange "Codes d'erreur" postmaster page).
constexpr FranceCode k_france_codes[] = {
    {"101", R::blocked},       {"102", R::blocked},       {"103", R::blocked},     {"104", R::toomanyconn},
    {"105", R::undefined},     {"109", R::undefined},     {"201", R::undefined},   {"305", R::securityerror},
    {"401", R::blocked},       {"402", R::securityerror}, {"403", R::rejected},    {"405", R::rejected},
    {"415", R::rejected},      {"416", R::userunknown},   {"417", R::mailboxfull}, {"418", R::userunknown},
    {"420", R::suspend},       {"421", R::rejected},      {"423", R::undefined},   {"424", R::undefined},
    {"426", R::suspend},       {"505", R::systemerror},   {"506", R::spamdetected}, {"510", R::blocked},
    {"513", R::undefined},     {"514", R::mesgtoobig},    {"517", R::policyviolation}, {"630", R::policyviolation},
    {"999", R::blocked},
};

bool ends_with_host(std::string_view host, std::string_view suffix)
{
    if (host.size() < suffix.size())
        return false;
    // The last bytes differ for nearly every row: compare them before the whole suffix.
    if ((host.back() | 0x20) != (suffix.back() | 0x20)) return false;
    if (!iequals(host.substr(host.size() - suffix.size()), suffix))
        return false;
    // A suffix without a leading dot must start a label (or be the whole name).
    if (suffix.front() == '.' || host.size() == suffix.size())
        return true;
    return host[host.size() - suffix.size() - 1] == '.';
}

// The last seven bytes of s (s has at least seven) with 0x20 set in each: equal for two strings that
// end alike but for ASCII case (a necessary condition only: '@' and '`' compare equal too).
constexpr std::uint64_t k_tail_bytes = 7;
constexpr std::uint64_t folded_tail(std::string_view s)
{
    std::uint64_t t = 0;
    for (std::size_t i = s.size() - k_tail_bytes; i < s.size(); ++i)
        t = t << 8 | (static_cast<unsigned char>(s[i]) | 0x20u);
    return t;
}
constexpr auto k_provider_tails = [] {
    std::array<std::uint64_t, std::size(k_providers)> t{};
    for (std::size_t i = 0; i < t.size(); ++i)
        t[i] = folded_tail(k_providers[i].host_suffix);
    return t;
}();
static_assert(std::ranges::all_of(k_providers, [](const Provider& p) { return p.host_suffix.size() >= k_tail_bytes; }),
              "provider_of() compares the last seven bytes first");

std::string_view provider_of(std::string_view host)
{
    // "Remote-MTA: dns; mx.example.net (TCP|192.0.2.1|25) (comment)": the host is the first word.
    for (std::size_t i = 0; i < host.size(); ++i)
        if (host[i] == ' ' || host[i] == '\t' || host[i] == '(') {
            host = host.substr(0, i);
            break;
        }
    while (!host.empty() && (host.back() == '.' || host.back() == ']'))
        host.remove_suffix(1);
    if (host.size() < k_tail_bytes)
        return {}; // shorter than every suffix
    // Rows whose last seven bytes differ from the host's (nearly all) without the whole comparison.
    const std::uint64_t tail = folded_tail(host);
    for (std::size_t i = 0; i < std::size(k_providers); ++i)
        if (k_provider_tails[i] == tail && ends_with_host(host, k_providers[i].host_suffix))
            return k_providers[i].name;
    return {};
}

// Orange / La Poste "LPN007_510", "OFR_506", "OUK_403": the last three digits are the code
// (Sisimai Rhost/FrancePTT.pm). Unknown codes give undefined, as in Sisimai.
std::optional<Reason> france_ptt_reason(std::string_view text)
{
    for (std::string_view prefix : {"lpnaaa", "lpn", "ofr", "ouk"}) {
        for (std::size_t at = text.find(prefix); at != std::string_view::npos; at = text.find(prefix, at + 1)) {
            if (at > 0 && (std::isalnum(static_cast<unsigned char>(text[at - 1])) != 0))
                continue;
            std::size_t i = at + prefix.size();
            std::string digits;
            while (i < text.size() && digits.size() < 8 &&
                   (std::isdigit(static_cast<unsigned char>(text[i])) != 0 || text[i] == '_' || text[i] == '-')) {
                if (std::isdigit(static_cast<unsigned char>(text[i])) != 0)
                    digits.push_back(text[i]);
                ++i;
            }
            if (digits.size() < 3)
                continue;
            std::string_view code = std::string_view(digits).substr(digits.size() - 3);
            for (const FranceCode& row : k_france_codes)
                if (row.code == code)
                    return row.reason;
            return R::undefined;
        }
    }
    return std::nullopt;
}

// NTT DOCOMO (mfsmax.docomo.ne.jp), Sisimai Rhost/NTTDOCOMO.pm: its MX answers "550 Unknown user" both
// for an unknown address (at RCPT) and for a message its per-address filter refuses (at DATA), so the
// status and the command decide. `text` is lower-cased.
std::optional<Reason> nttdocomo_reason(const RecipientRecord& rec, std::string_view text)
{
    const std::string_view status = rec.status;
    if (status == "5.1.1")
        return R::userunknown;
    if (status == "5.2.0")
        return R::filtered;
    if (text.find("552 too much mail data") != std::string_view::npos)
        return R::mailboxfull;
    if (text.find("552 too many recipients") != std::string_view::npos)
        return R::toomanyconn;
    if (text.find("503 bad sequence of commands") != std::string_view::npos ||
        text.find("504 command parameter not implemented") != std::string_view::npos)
        return R::syntaxerror;
    if (status != "5.0.0")
        return std::nullopt;
    const std::string command = rec.smtp_command.empty() ? find_smtp_command(text) : rec.smtp_command;
    if (iequals(command, "RCPT"))
        return R::userunknown;
    if (iequals(command, "DATA"))
        return R::rejected;
    return std::nullopt;
}

// I.UA "See http://mail.i.ua/err/3/": the number is the code (Sisimai Rhost/IUA.pm).
std::optional<Reason> iua_reason(std::string_view text)
{
    constexpr R k_codes_iua[] = {R::undefined,   R::norelaying, R::userunknown, R::suspend,
                                 R::mailboxfull, R::toomanyconn, R::norelaying, R::blocked,
                                 R::rejected,    R::blocked,    R::filtered};
    std::size_t at = text.find(".i.ua/err/");
    if (at == std::string_view::npos)
        return std::nullopt;
    std::size_t i = at + 10;
    unsigned code = 0;
    std::size_t digits = 0;
    while (i < text.size() && digits < 3 && std::isdigit(static_cast<unsigned char>(text[i])) != 0) {
        code = code * 10 + static_cast<unsigned>(text[i] - '0');
        ++i;
        ++digits;
    }
    if (digits == 0 || code == 0 || code >= std::size(k_codes_iua))
        return std::nullopt;
    return k_codes_iua[code];
}

std::string_view recipient_domain(std::string_view address)
{
    std::size_t at = address.rfind('@');
    return at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
}

} // namespace

std::optional<Reason> provider_reason(const RecipientRecord& rec, std::string_view lowered_text,
                                      std::string_view reporting_mta)
{
    if (lowered_text.empty())
        return std::nullopt;
    std::string_view provider = provider_of(rec.remote_mta);
    if (provider.empty() && rec.remote_mta.empty())
        provider = provider_of(reporting_mta);
    if (provider.empty())
        provider = provider_of(recipient_domain(rec.final_recipient));
    if (provider.empty())
        return std::nullopt;
    if (provider == "franceptt")
        return france_ptt_reason(lowered_text);
    if (provider == "iua")
        return iua_reason(lowered_text);
    if (provider == "nttdocomo")
        return nttdocomo_reason(rec, lowered_text);
    for (const CodeRow& row : k_codes)
        if (row.provider == provider && lowered_text.find(row.fragment) != std::string_view::npos)
            return row.reason;
    return std::nullopt;
}

} // namespace ndr::classifiers::reasons
