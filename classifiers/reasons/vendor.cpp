// vendor.cpp — per-MTA phrase tables (see vendor.hpp). Ported from Sisimai 4.25 Lhost/*.pm
// (BSD-2-Clause, (c) azumakuniyuki); the module is named on each row, the MTA source beside it there.
#include "classifiers/reasons/vendor.hpp"

#include <algorithm>
#include <vector>

#include "classifiers/text.hpp"

namespace ndr::classifiers::reasons {

namespace {

constexpr VendorPhrase k_phrases[] = {
    {"googlegroups", Reason::rejected, R"re()re", "Sisimai Lhost/GoogleGroups.pm: every Google Groups bounce is a rejected post"},
    {"ezweb", Reason::mailboxfull, R"re(the user(s) account is temporarily over quota)re", "Sisimai Lhost/EZweb.pm"},
    {"ezweb", Reason::suspend, R"re(the user(s) account is disabled.)re", "Sisimai Lhost/EZweb.pm"},
    {"ezweb", Reason::suspend, R"re(the user(s) account is temporarily limited.)re", "Sisimai Lhost/EZweb.pm"},
    {"ezweb", Reason::expired, R"re(your message was not delivered within )re", "Sisimai Lhost/EZweb.pm"},
    {"fml", Reason::rejected, R"re(are not a member of this mailing list)re", "Sisimai Lhost/FML.pm"},
    {"fml", Reason::systemerror, R"re(duplicated message-id)re", "Sisimai Lhost/FML.pm"},
    {"interscanmss", Reason::userunknown, R"re(please check if address is correct)re", "Sisimai Lhost/InterScanMSS.pm"},
    {"messagelabs", Reason::securityerror, R"re(please turn on smtp authentication in your mail client)re", "Sisimai Lhost/MessageLabs.pm"},
    {"messagelabs", Reason::userunknown, R"re(no such user)re", "Sisimai Lhost/MessageLabs.pm"},
    {"messagelabs", Reason::userunknown, R"re(542 )re", "Sisimai Lhost/MessageLabs.pm"},
    {"messagelabs", Reason::userunknown, R"re( rejected)re", "Sisimai Lhost/MessageLabs.pm"},
    {"qmail", Reason::blocked, R"re(but my name was rejected)re", "Sisimai Lhost/qmail.pm (qmail-remote.c: Connected to x but my name was rejected)"},
    {"exchange2003", Reason::userunknown, R"re(unknown recipient)re", "Sisimai Lhost/Exchange2003.pm: 000C05A6 Unknown Recipient"},
    {"mcafee", Reason::userunknown, R"re(no such user)re", "Sisimai Lhost/McAfee.pm"},
    {"mcafee", Reason::userunknown, R"re(user not exist)re", "Sisimai Lhost/McAfee.pm"},
    {"mcafee", Reason::userunknown, R"re(550 unknown user )re", "Sisimai Lhost/McAfee.pm"},
    {"imailserver", Reason::userunknown, R"re(unknown user)re", "Sisimai Lhost/IMailServer.pm"},
    {"imailserver", Reason::userunknown, R"re(invalid final delivery userid)re", "Sisimai Lhost/IMailServer.pm"},
    {"imailserver", Reason::hostunknown, R"re(unknown host)re", "Sisimai Lhost/IMailServer.pm"},
    {"imailserver", Reason::mailboxfull, R"re(user mailbox exceeds allowed size)re", "Sisimai Lhost/IMailServer.pm"},
    {"imailserver", Reason::virusdetected, R"re(requested action not taken: virus detected)re", "Sisimai Lhost/IMailServer.pm"},
    {"imailserver", Reason::expired, R"re(delivery failed )re", "Sisimai Lhost/IMailServer.pm: Delivery failed N attempts"},
    {"amavis", Reason::spamdetected, R"re( - spam)re", "Sisimai Lhost/Amavis.pm"},
    {"amavis", Reason::virusdetected, R"re( - infected)re", "Sisimai Lhost/Amavis.pm"},
    {"amavis", Reason::contenterror, R"re( - bad header:)re", "Sisimai Lhost/Amavis.pm"},
    {"amavis", Reason::exceedlimit, R"re( - message size exceeds recipient)re", "Sisimai Lhost/Amavis.pm"},
    {"amavis", Reason::systemerror, R"re( - temporary mta failure on relaying)re", "Sisimai Lhost/Amavis.pm"},
    {"amavis", Reason::systemerror, R"re( - rejected by next-hop mta on relaying)re", "Sisimai Lhost/Amavis.pm"},
    {"amavis", Reason::systemerror, R"re( - unable to relay message back to mta)re", "Sisimai Lhost/Amavis.pm"},
    {"amazonses", Reason::expired, R"re(delivery expired)re", "Sisimai Lhost/AmazonSES.pm"},
    {"aol", Reason::hostunknown, R"re(host or domain name not found)re", "Sisimai Lhost/Aol.pm"},
    {"aol", Reason::notaccept, R"re(type=mx: malformed or unexpected name server reply)re", "Sisimai Lhost/Aol.pm"},
    {"biglobe", Reason::filtered, R"re(mail delivery failed... user unknown)re", "Sisimai Lhost/Biglobe.pm"},
    {"biglobe", Reason::mailboxfull, R"re(the number of messages in recipient's mailbox exceeded the local limit.)re", "Sisimai Lhost/Biglobe.pm"},
    {"courier", Reason::hostunknown, R"re(no such domain.)re", "Sisimai Lhost/Courier.pm"},
    {"courier", Reason::systemerror, R"re(this domain's dns violates rfc 1035.)re", "Sisimai Lhost/Courier.pm"},
    {"courier", Reason::networkerror, R"re(dns lookup failed.)re", "Sisimai Lhost/Courier.pm"},
    {"domino", Reason::userunknown, R"re(not listed in domino directory)re", "Sisimai Lhost/Domino.pm"},
    {"domino", Reason::userunknown, R"re(not listed in public name & address book)re", "Sisimai Lhost/Domino.pm"},
    {"domino", Reason::userunknown, R"re(non répertorié dans l'annuaire domino)re", "Sisimai Lhost/Domino.pm"},
    {"domino", Reason::userunknown, R"re(domino ディレクトリには見つかりません)re", "Sisimai Lhost/Domino.pm"},
    {"domino", Reason::filtered, R"re(cannot route mail to user)re", "Sisimai Lhost/Domino.pm"},
    {"domino", Reason::systemerror, R"re(several matches found in domino directory)re", "Sisimai Lhost/Domino.pm"},
    {"einsundeins", Reason::mesgtoobig, R"re(mail size limit exceeded)re", "Sisimai Lhost/EinsUndEins.pm"},
    {"exchange2003", Reason::onhold, R"re(000b099c)re", "Sisimai Lhost/Exchange2003.pm"},
    {"exchange2003", Reason::onhold, R"re(000b09aa)re", "Sisimai Lhost/Exchange2003.pm"},
    {"exchange2003", Reason::onhold, R"re(000b09b6)re", "Sisimai Lhost/Exchange2003.pm"},
    {"exchange2003", Reason::userunknown, R"re(000c05a6)re", "Sisimai Lhost/Exchange2003.pm"},
    {"exchange2003", Reason::systemerror, R"re(00010256)re", "Sisimai Lhost/Exchange2003.pm"},
    {"exchange2003", Reason::systemerror, R"re(000d06b5)re", "Sisimai Lhost/Exchange2003.pm"},
    {"exchange2003", Reason::networkerror, R"re(00120270)re", "Sisimai Lhost/Exchange2003.pm"},
    {"exchange2003", Reason::contenterror, R"re(00050311)re", "Sisimai Lhost/Exchange2003.pm"},
    {"exchange2003", Reason::contenterror, R"re(000502cc)re", "Sisimai Lhost/Exchange2003.pm"},
    {"exchange2003", Reason::securityerror, R"re(000b0981)re", "Sisimai Lhost/Exchange2003.pm"},
    {"exchange2003", Reason::filtered, R"re(000c0595)re", "Sisimai Lhost/Exchange2003.pm"},
    {"exim", Reason::userunknown, R"re(user not found)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::hostunknown, R"re(all host address lookups failed permanently)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::hostunknown, R"re(all relevant mx records point to non-existent hosts)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::hostunknown, R"re(unrouteable address)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::mailboxfull, R"re(mailbox is full)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::mailboxfull, R"re(error: quota exceed)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::notaccept, R"re(an mx or srv record indicated no smtp service)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::notaccept, R"re(no host found for existing smtp connection)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::syntaxerror, R"re(angle-brackets nested too deep)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::syntaxerror, R"re(expected word or "<")re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::syntaxerror, R"re(domain missing in source-routed address)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::syntaxerror, R"re(malformed address:)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::systemerror, R"re(delivery to file forbidden)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::systemerror, R"re(delivery to pipe forbidden)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::systemerror, R"re(local delivery failed)re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::systemerror, R"re(lmtp error after )re", "Sisimai Lhost/Exim.pm"},
    {"exim", Reason::contenterror, R"re(too many "received" headers)re", "Sisimai Lhost/Exim.pm"},
    {"facebook", Reason::userunknown, R"re(rcp-p1)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::userunknown, R"re(int-p1)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::userunknown, R"re(int-p3)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::userunknown, R"re(int-p4)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::filtered, R"re(rcp-p2)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::filtered, R"re(s preferences prevent messages from being delivered.
            )re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::filtered, R"re(,   # the attempted recipient)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::blocked, R"re(pol-p1)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::blocked, R"re(s ip address is listed on the spamhaus pbl.
            )re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::blocked, R"re(,   # facebook will no longer accept mail from your mail server)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::mesgtoobig, R"re(msg-p1)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::mesgtoobig, R"re(s maximum allowed size.
            )re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::mesgtoobig, R"re(,   # the message exceeds facebook)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::contenterror, R"re(msg-p2)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::contenterror, R"re(msg-p3)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::contenterror, R"re(pol-p6)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::contenterror, R"re(pol-p7)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::notaccept, R"re(pol-p3)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::notaccept, R"re(pol-p4)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::notaccept, R"re(pol-t1)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::notaccept, R"re(pol-t2)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::notaccept, R"re(pol-t3)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::rejected, R"re(dns-p1)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::rejected, R"re(dns-p2)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::rejected, R"re(dns-t1)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::rejected, R"re(dns-p3)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::rejected, R"re(dns-t2)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::systemerror, R"re(con-t1)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::systemerror, R"re(s mail server currently has too many connections open to allow another one.
            )re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::toomanyconn, R"re(con-t2)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::toomanyconn, R"re(s mail servers.
            )re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::toomanyconn, R"re(,   # your mail server has opened too many new connections to facebook)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::virusdetected, R"re(pol-p5)re", "Sisimai Lhost/Facebook.pm"},
    {"facebook", Reason::suspend, R"re(rcp-t4)re", "Sisimai Lhost/Facebook.pm"},
    {"gmx", Reason::expired, R"re(delivery retry timeout exceeded)re", "Sisimai Lhost/GMX.pm"},
    {"gsuite", Reason::userunknown, R"re(because the address couldn't be found. check for typos or unnecessary spaces and try again.)re", "Sisimai Lhost/GSuite.pm"},
    {"gsuite", Reason::notaccept, R"re(null mx)re", "Sisimai Lhost/GSuite.pm"},
    {"gsuite", Reason::networkerror, R"re( had no relevant answers.)re", "Sisimai Lhost/GSuite.pm"},
    {"gsuite", Reason::networkerror, R"re( responded with code nxdomain)re", "Sisimai Lhost/GSuite.pm"},
    {"gmail", Reason::expired, R"re(dns error: could not contact dns servers)re", "Sisimai Lhost/Gmail.pm"},
    {"gmail", Reason::expired, R"re(delivery to the following recipient has been delayed)re", "Sisimai Lhost/Gmail.pm"},
    {"gmail", Reason::expired, R"re(the recipient server did not accept our requests to connect)re", "Sisimai Lhost/Gmail.pm"},
    {"gmail", Reason::hostunknown, R"re(dns error: domain name not found)re", "Sisimai Lhost/Gmail.pm"},
    {"gmail", Reason::hostunknown, R"re(dns error: dns server returned answer with no data)re", "Sisimai Lhost/Gmail.pm"},
    {"kddi", Reason::mailboxfull, R"re(as their mailbox is full)re", "Sisimai Lhost/KDDI.pm"},
    {"kddi", Reason::norelaying, R"re(due to the following smtp relay error)re", "Sisimai Lhost/KDDI.pm"},
    {"kddi", Reason::hostunknown, R"re(as the remote domain doesnt exist)re", "Sisimai Lhost/KDDI.pm"},
    {"mxlogic", Reason::userunknown, R"re(user not found)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::hostunknown, R"re(all host address lookups failed permanently)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::hostunknown, R"re(all relevant mx records point to non-existent hosts)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::hostunknown, R"re(unrouteable address)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::mailboxfull, R"re(mailbox is full)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::mailboxfull, R"re(error: quota exceed)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::notaccept, R"re(an mx or srv record indicated no smtp service)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::notaccept, R"re(no host found for existing smtp connection)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::syntaxerror, R"re(angle-brackets nested too deep)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::syntaxerror, R"re(expected word or "<")re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::syntaxerror, R"re(domain missing in source-routed address)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::syntaxerror, R"re(malformed address:)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::systemerror, R"re(delivery to file forbidden)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::systemerror, R"re(delivery to pipe forbidden)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::systemerror, R"re(local delivery failed)re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::systemerror, R"re(lmtp error after )re", "Sisimai Lhost/MXLogic.pm"},
    {"mxlogic", Reason::contenterror, R"re(too many "received" headers)re", "Sisimai Lhost/MXLogic.pm"},
    {"mailru", Reason::expired, R"re(retry timeout exceeded)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::expired, R"re(no action is required on your part)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::userunknown, R"re(user not found)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::hostunknown, R"re(all host address lookups failed permanently)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::hostunknown, R"re(all relevant mx records point to non-existent hosts)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::hostunknown, R"re(unrouteable address)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::mailboxfull, R"re(mailbox is full)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::mailboxfull, R"re(error: quota exceed)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::notaccept, R"re(an mx or srv record indicated no smtp service)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::notaccept, R"re(no host found for existing smtp connection)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::systemerror, R"re(delivery to file forbidden)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::systemerror, R"re(delivery to pipe forbidden)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::systemerror, R"re(local delivery failed)re", "Sisimai Lhost/MailRu.pm"},
    {"mailru", Reason::contenterror, R"re(too many "received" headers )re", "Sisimai Lhost/MailRu.pm"},
    {"messagingserver", Reason::hostunknown, R"re(illegal host/domain name found)re", "Sisimai Lhost/MessagingServer.pm"},
    {"notes", Reason::userunknown, R"re(user not listed in public name & address book)re", "Sisimai Lhost/Notes.pm"},
    {"notes", Reason::userunknown, R"re(ディレクトリのリストにありません)re", "Sisimai Lhost/Notes.pm"},
    {"notes", Reason::networkerror, R"re(message has exceeded maximum hop count)re", "Sisimai Lhost/Notes.pm"},
    {"opensmtpd", Reason::expired, R"re(envelope expired)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::hostunknown, R"re(invalid domain name)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::hostunknown, R"re(domain does not exist)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::notaccept, R"re(destination seem to reject all mails)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::networkerror, R"re(temporary failure in mx lookup)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::networkerror, R"re(address family mismatch on destination mxs)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::networkerror, R"re(all routes to destination blocked)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::networkerror, R"re(bad dns lookup error code)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::networkerror, R"re(could not retrieve source address)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::networkerror, R"re(loop detected)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::networkerror, R"re(network error on destination mxs)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::networkerror, R"re(no mx found for domain)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::networkerror, R"re(no mx found for destination)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::networkerror, R"re(no valid route to remote mx)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::networkerror, R"re(no valid route to destination)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"opensmtpd", Reason::securityerror, R"re(could not retrieve credentials)re", "Sisimai Lhost/OpenSMTPD.pm"},
    {"outlook", Reason::hostunknown, R"re(the mail could not be delivered to the recipient because the domain is not reachable)re", "Sisimai Lhost/Outlook.pm"},
    {"outlook", Reason::userunknown, R"re(requested action not taken: mailbox unavailable)re", "Sisimai Lhost/Outlook.pm"},
    {"receivingses", Reason::filtered, R"re(mailbox does not exist)re", "Sisimai Lhost/ReceivingSES.pm"},
    {"receivingses", Reason::mesgtoobig, R"re(message too large)re", "Sisimai Lhost/ReceivingSES.pm"},
    {"receivingses", Reason::mailboxfull, R"re(mailbox full)re", "Sisimai Lhost/ReceivingSES.pm"},
    {"receivingses", Reason::contenterror, R"re(message content rejected)re", "Sisimai Lhost/ReceivingSES.pm"},
    {"verizon", Reason::userunknown, R"re(550 - requested action not taken: no such user here)re", "Sisimai Lhost/Verizon.pm"},
    {"verizon", Reason::userunknown, R"re(no valid recipients for this mm)re", "Sisimai Lhost/Verizon.pm"},
    {"x4", Reason::suspend, R"re(mailaddress is administrative?le?y disabled)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::userunknown, R"re(sorry, no mailbox here by that name)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::exceedlimit, R"re(the message exeeded the maximum size the user accepts)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(automatic homedir creator crashed)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(illegal value in ldap attribute)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(ldap attribute is not given but mandatory)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(timeout while performing search on ldap server)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(too many results returned but needs to be unique)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(permanent error while executing qmail-forward)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(temporary error in automatic homedir creation)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(temporary error while executing qmail-forward)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(temporary failure in ldap lookup)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(unable to contact ldap server)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(unable to login into ldap server, bad credentials)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::userunknown, R"re(no mailbox here by that name)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::userunknown, R"re(does not like recipient.)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::mailboxfull, R"re(disk quota exceeded)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::mesgtoobig, R"re(message size exceeds fixed maximum message size:)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::hostunknown, R"re(sorry, i couldn't find any host )re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemfull, R"re(requested action not taken: mailbox unavailable (not enough free space))re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(bad interpreter: no such file or directory)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(system error)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::systemerror, R"re(unable to)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::networkerror, R"re(sorry, i wasn't able to establish an smtp connection)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::networkerror, R"re(sorry, i couldn't find a mail exchanger or ip address)re", "Sisimai Lhost/X4.pm"},
    {"x4", Reason::networkerror, R"re(sorry. although i'm listed as a best-preference mx or a for that host)re", "Sisimai Lhost/X4.pm"},
    {"zoho", Reason::expired, R"re(host not reachable)re", "Sisimai Lhost/Zoho.pm"},
    {"qmail", Reason::suspend, R"re(mailaddress is administrative?le?y disabled)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::userunknown, R"re(sorry, no mailbox here by that name)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::exceedlimit, R"re(the message exeeded the maximum size the user accepts)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(automatic homedir creator crashed)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(illegal value in ldap attribute)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(ldap attribute is not given but mandatory)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(timeout while performing search on ldap server)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(too many results returned but needs to be unique)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(permanent error while executing qmail-forward)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(temporary error in automatic homedir creation)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(temporary error while executing qmail-forward)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(temporary failure in ldap lookup)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(unable to contact ldap server)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(unable to login into ldap server, bad credentials)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::userunknown, R"re(no mailbox here by that name)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::userunknown, R"re(does not like recipient.)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::mailboxfull, R"re(disk quota exceeded)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::mesgtoobig, R"re(message size exceeds fixed maximum message size:)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::hostunknown, R"re(sorry, i couldn't find any host )re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemfull, R"re(requested action not taken: mailbox unavailable (not enough free space))re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(bad interpreter: no such file or directory)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(system error)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::systemerror, R"re(unable to)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::networkerror, R"re(sorry, i wasn't able to establish an smtp connection)re", "Sisimai Lhost/qmail.pm"},
    {"qmail", Reason::notaccept, R"re(sorry, i couldn't find a mail exchanger or ip address)re", "Sisimai Lhost/qmail.pm (notaccept in Sisimai 5)"},
    {"qmail", Reason::networkerror, R"re(sorry. although i'm listed as a best-preference mx or a for that host)re", "Sisimai Lhost/qmail.pm"},
};

struct VendorStatus {
    std::string_view format;
    std::string_view status;
    Reason reason;
};

// Sisimai Lhost/Office365.pm $statuslist (Microsoft "Email non-delivery reports in Office 365").
constexpr VendorStatus k_statuses[] = {
    {"office365", "4.4.7", Reason::expired},        {"office365", "4.4.312", Reason::networkerror},
    {"office365", "4.4.316", Reason::expired},      {"office365", "4.7.26", Reason::securityerror},
    {"office365", "5.0.350", Reason::contenterror}, {"office365", "5.1.10", Reason::userunknown},
    {"office365", "5.4.1", Reason::norelaying},     {"office365", "5.4.6", Reason::networkerror},
    {"office365", "5.4.312", Reason::networkerror}, {"office365", "5.4.316", Reason::expired},
    {"office365", "5.6.11", Reason::contenterror},  {"office365", "5.7.1", Reason::rejected},
    {"office365", "5.7.12", Reason::rejected},      {"office365", "5.7.13", Reason::rejected},
    {"office365", "5.7.124", Reason::rejected},     {"office365", "5.7.133", Reason::rejected},
    {"office365", "5.7.134", Reason::rejected},     {"office365", "5.7.135", Reason::rejected},
    {"office365", "5.7.136", Reason::rejected},     {"office365", "5.7.23", Reason::blocked},
    {"office365", "5.7.25", Reason::networkerror},  {"office365", "5.7.501", Reason::spamdetected},
    {"office365", "5.7.502", Reason::spamdetected}, {"office365", "5.7.503", Reason::spamdetected},
    {"office365", "5.7.504", Reason::filtered},     {"office365", "5.7.505", Reason::filtered},
    {"office365", "5.7.506", Reason::blocked},      {"office365", "5.7.507", Reason::blocked},
    {"office365", "5.7.508", Reason::toomanyconn},  {"office365", "5.7.509", Reason::securityerror},
};

// Sisimai module names whose records this project's format modules report under another name.
struct Alias {
    std::string_view table;
    std::string_view record;
};
constexpr Alias k_aliases[] = {
    {"office365", "exchange"},
    {"exchange2007", "exchange"},
    {"mailmarshalsmtp", "mailmarshal"},
};

// The table formats whose rows apply to a record's format: the format itself and every table it is an
// alias of. A table row applies when its format equals one of them, ASCII case-insensitively (what
// comparing each row's format with the record's, alias by alias, decided row by row before).
struct TableNames {
    std::string_view names[1 + std::size(k_aliases)];
    std::size_t count = 0;

    explicit TableNames(std::string_view record) {
        names[count++] = record;
        for (const Alias& a : k_aliases)
            if (iequals(a.record, record)) names[count++] = a.table;
    }
    bool has(std::string_view table) const {
        for (std::size_t i = 0; i < count; ++i)
            if (iequals(table, names[i])) return true;
        return false;
    }
};

// ASCII case-insensitive order, for the binary search over the phrase index.
bool iless(std::string_view a, std::string_view b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
        const char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
        if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
    }
    return a.size() < b.size();
}

// k_phrases in runs of rows of one format, in table order, and the runs of each format.
struct PhraseRun {
    std::size_t begin = 0;
    std::size_t end = 0;
};
struct FormatRuns {
    std::string_view format;
    std::vector<PhraseRun> runs; // in table order
};

// One entry per distinct format of k_phrases, sorted by iless: a record's rows are found with a binary
// search per table name instead of a comparison per run of the table.
const std::vector<FormatRuns>& phrase_index() {
    static const std::vector<FormatRuns> index = [] {
        std::vector<FormatRuns> out;
        for (std::size_t i = 0; i < std::size(k_phrases); ++i) {
            const std::string_view f = k_phrases[i].format;
            auto it = std::find_if(out.begin(), out.end(),
                                   [&](const FormatRuns& e) { return iequals(e.format, f); });
            if (it == out.end()) {
                out.push_back(FormatRuns{f, {}});
                it = out.end() - 1;
            }
            if (!it->runs.empty() && it->runs.back().end == i)
                it->runs.back().end = i + 1;
            else
                it->runs.push_back(PhraseRun{i, i + 1});
        }
        std::sort(out.begin(), out.end(),
                  [](const FormatRuns& a, const FormatRuns& b) { return iless(a.format, b.format); });
        return out;
    }();
    return index;
}

const FormatRuns* runs_of(std::string_view table) {
    const auto& index = phrase_index();
    auto it = std::lower_bound(index.begin(), index.end(), table,
                               [](const FormatRuns& e, std::string_view t) { return iless(e.format, t); });
    return it != index.end() && iequals(it->format, table) ? &*it : nullptr;
}

} // namespace

Reason vendor_status_reason(std::string_view format, std::string_view status)
{
    if (format.empty() || status.empty())
        return Reason::undefined;
    const TableNames names(format);
    for (const VendorStatus& row : k_statuses)
        if (row.status == status && names.has(row.format)) return row.reason;
    // Office365.pm: 4.7.5xx, 4.7.6xx and 4.7.85x-4.7.89x are blocks.
    if (status.size() == 7 && status.substr(0, 4) == "4.7." && names.has("office365")) {
        char h = status[4], t = status[5];
        if (h == '5' || h == '6' || (h == '8' && t >= '5'))
            return Reason::blocked;
    }
    return Reason::undefined;
}

std::span<const VendorPhrase> vendor_phrases() { return k_phrases; }

Reason vendor_reason(std::string_view format, std::string_view lowered)
{
    if (format.empty())
        return Reason::undefined;
    // The runs of every table name of the format, in table order (a format and its alias tables may
    // interleave).
    const TableNames names(format);
    std::vector<PhraseRun> merged;
    const std::vector<PhraseRun>* runs = nullptr;
    for (std::size_t n = 0; n < names.count; ++n) {
        const FormatRuns* f = runs_of(names.names[n]);
        if (f == nullptr) continue;
        if (runs == nullptr) {
            runs = &f->runs;
            continue;
        }
        if (merged.empty()) merged = *runs;
        merged.insert(merged.end(), f->runs.begin(), f->runs.end());
        std::sort(merged.begin(), merged.end(),
                  [](const PhraseRun& a, const PhraseRun& b) { return a.begin < b.begin; });
        runs = &merged;
    }
    if (runs == nullptr) return Reason::undefined;
    // qmail, Gmail and others append an "expired" sentence to the real error: any other phrase wins.
    Reason expired = Reason::undefined;
    for (const PhraseRun& run : *runs) {
        for (std::size_t i = run.begin; i < run.end; ++i) {
            const VendorPhrase& p = k_phrases[i];
            if (lowered.find(p.text) == std::string_view::npos) continue;
            if (p.reason != Reason::expired) return p.reason;
            expired = Reason::expired;
        }
    }
    return expired;
}

} // namespace ndr::classifiers::reasons
