// plan.hpp — what to do about one incident, following the list's removal method in rules.d, and the
// text of the request or note to write (see ../shared/reference/dnsbl-and-ndr-facts.md for what a
// delisting request must contain).
//
//   form      the filled-in text to paste and the form's URL (no recipient)
//   email     a ready message to the list's removal address
//   expiry    no draft: the report says when the listing should clear; the service re-checks
//   none      (reputation, no removal) a note to the rejecting site's postmaster asking for a
//             temporary allow-listing                                      -> action postmaster-note
//   provider / unknown list: a note to the remote admin, postmaster@ their domain (RFC 2142, 5321)
//                                                                          -> action remote-admin-note
//   every record says the receiver's resolver was refused by the list: a note to their postmaster
//                                                                          -> action resolver-note
//   defunct list: a note to their postmaster to stop querying it          -> action defunct-note
// Fix-first lists (rules.d fix_first: XBL/CBL, SpamCop, trap lists) give the remediation checklist and
// no draft until `incidents fixed ID --note` recorded what was done.
//
// Input trust: incident data comes from the store (sanitised on insert) and is sanitised again here,
// line by line; header values are single-line by construction (header_value() drops CR, LF and every
// other control character), so NDR text can never add a header.
#pragma once

#include "agent/config.hpp"
#include "agent/store/store.hpp"
#include "classifiers/rules/model.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::agent::drafts {

// The remediation steps of a fix-first listing.
const std::vector<std::string>& remediation_checklist();

struct Plan {
    std::string
        action; // form | email | expiry | postmaster-note | remote-admin-note | resolver-note | defunct-note
    bool fix_first = false;       // listing means an infected or abused host
    bool waiting_for_fix = false; // fix_first and no remediation recorded yet: no draft
    bool has_draft = false;       // `text` is to be stored as the incident's draft for `action`
    store::DraftText text;
    std::int64_t clears_at = 0; // expiry: when the listing should have lapsed (0 unknown)
    std::string note;           // one line for the report ("should clear by ...", "draft after fixed")
};

Plan plan_incident(const store::IncidentDetail& incident, const classifiers::rules::Blocklist* list,
                   const IdentitySettings& identity);

// One header value: sanitised, no CR/LF or other control characters, capped.
std::string header_value(std::string_view text);
// An addr-spec we are willing to put in a header: local@domain, printable ASCII, no specials that
// could start another address or header; "" when not.
std::string safe_address(std::string_view text);

// The draft as an RFC 5322 message (CRLF line ends, UTF-8 text/plain, 7bit when the body is short
// printable ASCII lines, else quoted-printable; RFC 2047 for non-ASCII
// Subject and display name). `date` is unix seconds for the Date field.
std::string compose_message(const store::Draft& draft, const IdentitySettings& identity, std::int64_t date);

// The domain our draft Message-IDs use: the first identity domain, else the admin address's domain.
std::string message_id_domain(const IdentitySettings& identity);

} // namespace ndr::agent::drafts
