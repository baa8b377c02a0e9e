// dkim.hpp — is a returned original ours? Verifies the header hash (b=) of its DKIM-Signature fields
// (RFC 6376, rsa-sha256; RFC 8463, ed25519-sha256) against our own domains' keys, from DNS (c-ares)
// or from configured key files.
//
// Input trust: the header block is attacker-controlled (it comes back inside an NDR); every tag is
// parsed with bounds checks and caps (k_max_dkim_* below), bad tags give `malformed`, never a crash or
// an exception. Key records are hostile too (DNS answers) and are checked the same way. Only the
// header hash is verified: the body of a returned original is usually missing or cut, so bh= is never
// checked, and every verdict's `detail` says so. A pass means "a key of one of our domains signed
// these header fields", which is what provenance needs; it is not a full DKIM pass. Signature
// expiry (x=) is not enforced for the same reason: an NDR can arrive days after the signature.
// `detail` is our text plus sanitised fragments of the input only.
#pragma once

#include <cstddef>
#include <expected>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::agent::provenance {

enum class DkimResult { pass, fail, no_key, unsupported, malformed, none };
std::string_view to_string(DkimResult result);

struct DkimVerdict {
    DkimResult result = DkimResult::none;
    std::string domain;   // d= of the signature the verdict is about (lower case); empty for none
    std::string selector; // s= of that signature
    std::string detail;   // what was checked or what went wrong (ours + sanitised input)
};

// TXT lookup of "<selector>._domainkey.<domain>": the TXT strings, or an error text.
using DkimKeyLookup =
    std::function<std::expected<std::vector<std::string>, std::string>(const std::string& name)>;

// Caps on hostile input: signatures looked at per message, names in h=, bytes of one signature field,
// bytes of the whole header block, bytes of one key record.
inline constexpr std::size_t k_max_dkim_signatures = 8;
inline constexpr std::size_t k_max_dkim_signed_fields = 64;
inline constexpr std::size_t k_max_dkim_signature_bytes = 16 * 1024;
inline constexpr std::size_t k_max_dkim_header_block_bytes = 1024 * 1024;
inline constexpr std::size_t k_max_dkim_key_record_bytes = 8 * 1024;
// RFC 8301: RSA keys shorter than this never verify.
inline constexpr int k_min_dkim_rsa_bits = 1024;

// Verifies every DKIM-Signature of the raw header block whose d= is one of `domains` (and s= one of
// `selectors` when non-empty); returns the first pass, else the most informative failure (fail, then
// no_key, unsupported, malformed), else none. Signatures of other domains are ignored. Bytes after the
// first empty line (a body) are ignored; bare LF line ends are treated as CRLF.
DkimVerdict verify_ours(std::string_view raw_headers, const std::vector<std::string>& domains,
                        const std::vector<std::string>& selectors, const DkimKeyLookup& lookup);

// c-ares TXT look-up (agent/dnsbl/cares_resolver) over `resolvers` (empty: /etc/resolv.conf).
// Errors name the query and the DNS outcome (NXDOMAIN, timeout, ...).
DkimKeyLookup cares_key_lookup(const std::vector<std::string>& resolvers, int timeout_ms);
// Configured key files, by "<selector>._domainkey.<domain>": a PEM public key, a PEM private key (its
// public half is used; the private key is never copied anywhere), or a TXT record as published (one
// "v=DKIM1; k=...; p=..." line, or opendkim-genkey's zone-file form with quoted strings). Files are
// read at each look-up; an unknown name is "no key file configured for NAME".
DkimKeyLookup file_key_lookup(const std::map<std::string, std::string>& name_to_pem_or_txt_file);

// Both, as the configuration says: names in identity.dkim_key_files from their files, every other
// name from DNS over dns.resolvers with dns.timeout_ms.
DkimKeyLookup config_key_lookup(const std::map<std::string, std::string>& dkim_key_files,
                                const std::vector<std::string>& resolvers, int timeout_ms);

// The key record a PEM key (public or private, RSA or Ed25519) publishes: "v=DKIM1; k=rsa; p=...".
std::expected<std::string, std::string> pem_to_key_record(std::string_view pem);

} // namespace ndr::agent::provenance
