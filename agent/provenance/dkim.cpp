// dkim.cpp — DKIM header-hash verification (RFC 6376 §3.4-3.7, §6.1; RFC 8463; RFC 8301) over a hostile
// header block, with OpenSSL. See dkim.hpp for what a verdict means and what is never checked.
//
// Every parser here works on std::string_view with explicit bounds; OpenSSL objects are owned by
// unique_ptrs and its error queue is cleared after each failed call.
#include "agent/provenance/dkim.hpp"

#include "classifiers/limits.hpp"
#include "classifiers/mime.hpp"
#include "classifiers/text.hpp"

#include <algorithm>
#include <memory>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <optional>

namespace ndr::agent::provenance {

namespace cls = ndr::classifiers;

std::string_view to_string(DkimResult result) {
    switch (result) {
    case DkimResult::pass:
        return "pass";
    case DkimResult::fail:
        return "fail";
    case DkimResult::no_key:
        return "no_key";
    case DkimResult::unsupported:
        return "unsupported";
    case DkimResult::malformed:
        return "malformed";
    case DkimResult::none:
        return "none";
    }
    return "none";
}

namespace {

constexpr std::string_view k_bh_note =
    "; body hash (bh=) not checked: the returned original's body is not available";

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string clean(std::string_view s) {
    return cls::sanitise(s, 160);
}

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}
bool is_fws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim_fws(std::string_view s) {
    while (!s.empty() && is_fws(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_fws(s.back()))
        s.remove_suffix(1);
    return s;
}

std::string strip_fws(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s)
        if (!is_fws(c)) out.push_back(c);
    return out;
}

// One header field as it appears in the (CRLF) block: `raw` ends with its CRLF.
struct Field {
    std::string_view raw;
    std::string_view name;  // as written, without trailing WSP
    std::string_view value; // after the colon, up to (not including) the final CRLF
};

// Bare LF becomes CRLF (messages stored with Unix line ends); capped; stops at the first empty line.
std::string to_crlf_header_block(std::string_view in) {
    std::string out;
    out.reserve(std::min(in.size(), k_max_dkim_header_block_bytes) + 64);
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < in.size() && out.size() < k_max_dkim_header_block_bytes; ++i) {
        const char c = in[i];
        if (c == '\n') {
            if (out.empty() || out.back() != '\r') out.push_back('\r');
            out.push_back('\n');
            if (out.size() - line_start == 2) { // an empty line: the header block ends
                out.resize(line_start);
                return out;
            }
            line_start = out.size();
            continue;
        }
        out.push_back(c);
    }
    if (!out.empty() && out.back() != '\n') out += "\r\n";
    return out;
}

std::vector<Field> split_fields(std::string_view block) {
    std::vector<Field> fields;
    std::size_t pos = 0;
    while (pos < block.size() && fields.size() < cls::k_max_header_fields) {
        std::size_t end = pos;
        // A field runs until a CRLF not followed by WSP.
        for (;;) {
            const auto crlf = block.find("\r\n", end);
            if (crlf == std::string_view::npos) {
                end = block.size();
                break;
            }
            end = crlf + 2;
            if (end >= block.size() || !is_wsp(block[end])) break;
        }
        const std::string_view raw = block.substr(pos, end - pos);
        pos = end;
        if (raw.empty() || is_wsp(raw.front())) continue; // a stray continuation line
        const auto colon = raw.find(':');
        if (colon == std::string_view::npos || colon == 0) continue; // not a field
        std::string_view name = raw.substr(0, colon);
        while (!name.empty() && is_wsp(name.back()))
            name.remove_suffix(1);
        std::string_view value = raw.substr(colon + 1);
        if (value.ends_with("\r\n")) value.remove_suffix(2);
        fields.push_back({raw, name, value});
    }
    return fields;
}

// RFC 6376 §3.4.2 relaxed header canonicalization of name + value, with the final CRLF.
std::string relaxed_field(std::string_view name, std::string_view value) {
    std::string out = cls::to_lower_ascii(name);
    out.push_back(':');
    bool space = false;
    bool started = false;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
            ++i;
            continue; // unfolding: the WSP that follows is kept (and collapsed)
        }
        if (is_wsp(c)) {
            space = true;
            continue;
        }
        if (space && started) out.push_back(' '); // WSP after the colon is dropped, inner runs become one SP
        space = false;
        started = true;
        out.push_back(c);
    }
    out += "\r\n";
    return out;
}

// A tag=value list (RFC 6376 §3.2). `begin`/`end` delimit the raw value (after '=' up to ';' or the
// end), as offsets into the parsed text, so b= can be emptied in place.
struct Tag {
    std::string name;
    std::string value; // FWS at both ends removed
    std::size_t begin = 0;
    std::size_t end = 0;
};

struct TagList {
    std::vector<Tag> tags;
    std::string error; // empty: well formed

    const Tag* find(std::string_view name) const {
        for (const auto& t : tags)
            if (t.name == name) return &t;
        return nullptr;
    }
};

TagList parse_tags(std::string_view text) {
    TagList list;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto semi = text.find(';', pos);
        if (semi == std::string_view::npos) semi = text.size();
        const std::string_view spec = text.substr(pos, semi - pos);
        if (!trim_fws(spec).empty()) {
            const auto eq = spec.find('=');
            if (eq == std::string_view::npos) {
                list.error = "tag without '=': \"" + clean(trim_fws(spec)) + "\"";
                return list;
            }
            const std::string_view name = trim_fws(spec.substr(0, eq));
            const bool name_ok = !name.empty() && std::isalpha(static_cast<unsigned char>(name[0])) &&
                                 std::all_of(name.begin(), name.end(), [](char c) {
                                     return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                                 });
            if (!name_ok) {
                list.error = "bad tag name \"" + clean(name) + "\"";
                return list;
            }
            if (list.find(name) != nullptr) {
                list.error = "duplicate tag " + std::string(name) + "=";
                return list;
            }
            Tag t;
            t.name = std::string(name);
            t.value = std::string(trim_fws(spec.substr(eq + 1)));
            t.begin = pos + eq + 1;
            t.end = semi;
            list.tags.push_back(std::move(t));
        }
        if (semi == text.size()) break;
        pos = semi + 1;
    }
    return list;
}

// A DNS label sequence as DKIM allows in d= and s= (letters, digits, '-', '_', dots between labels).
bool is_domain_like(std::string_view s) {
    if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.') return false;
    std::size_t label = 0;
    for (char c : s) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
        if (++label > 63) return false;
    }
    return true;
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.size() <= 20 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string> split_colon_list(std::string_view s) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        auto colon = s.find(':', pos);
        if (colon == std::string_view::npos) colon = s.size();
        out.push_back(strip_fws(s.substr(pos, colon - pos)));
        if (colon == s.size()) break;
        pos = colon + 1;
    }
    return out;
}

std::optional<std::string> decode_b64(std::string_view s) {
    const std::string compact = strip_fws(s);
    if (compact.empty()) return std::string();
    bool bad = false;
    std::string out = cls::decode_base64(compact, &bad);
    if (bad) return std::nullopt;
    return out;
}

enum class Algorithm { rsa_sha256, ed25519_sha256 };

struct Signature {
    std::string domain, selector;
    Algorithm algorithm = Algorithm::rsa_sha256;
    bool relaxed_headers = false;
    std::vector<std::string> signed_fields; // lower case
    std::string b;                          // decoded signature
    std::string identity_domain;            // domain of i=, lower case; empty: none
};

struct Outcome {
    DkimVerdict verdict;
    int rank = 0; // higher is more informative
};

int rank_of(DkimResult r) {
    switch (r) {
    case DkimResult::pass:
        return 6;
    case DkimResult::fail:
        return 5;
    case DkimResult::no_key:
        return 4;
    case DkimResult::unsupported:
        return 3;
    case DkimResult::malformed:
        return 2;
    case DkimResult::none:
        return 1;
    }
    return 0;
}

DkimVerdict verdict(DkimResult result, const std::string& domain, const std::string& selector,
                    std::string detail) {
    return DkimVerdict{result, clean(domain), clean(selector), std::move(detail)};
}

// The signature's tags, validated (RFC 6376 §3.5). On error, the verdict to report.
std::expected<Signature, DkimVerdict> read_signature(const TagList& tags) {
    Signature sig;
    const auto* d = tags.find("d");
    const auto* s = tags.find("s");
    sig.domain = d ? cls::to_lower_ascii(d->value) : std::string();
    sig.selector = s ? cls::to_lower_ascii(s->value) : std::string();
    auto malformed = [&](std::string why) {
        return std::unexpected(
            verdict(DkimResult::malformed, sig.domain, sig.selector, "malformed DKIM-Signature: " + why));
    };
    auto unsupported = [&](std::string why) {
        return std::unexpected(verdict(DkimResult::unsupported, sig.domain, sig.selector, std::move(why)));
    };
    for (const char* required : {"v", "a", "b", "bh", "d", "h", "s"})
        if (tags.find(required) == nullptr) return malformed(std::string("no ") + required + "= tag");
    if (tags.find("v")->value != "1") return malformed("v=" + clean(tags.find("v")->value) + ", want v=1");
    if (!is_domain_like(sig.domain)) return malformed("d=" + clean(sig.domain) + " is not a domain name");
    if (!is_domain_like(sig.selector)) return malformed("s=" + clean(sig.selector) + " is not a selector");

    const std::string a = cls::to_lower_ascii(strip_fws(tags.find("a")->value));
    if (a == "rsa-sha256")
        sig.algorithm = Algorithm::rsa_sha256;
    else if (a == "ed25519-sha256")
        sig.algorithm = Algorithm::ed25519_sha256;
    else if (a.find('-') == std::string::npos)
        return malformed("a=" + clean(a) + " is not an algorithm");
    else
        return unsupported("signature algorithm a=" + clean(a) +
                           " is not supported (rsa-sha256, ed25519-sha256)");

    auto b = decode_b64(tags.find("b")->value);
    if (!b || b->empty()) return malformed("b= is not base64 or is empty");
    sig.b = std::move(*b);
    auto bh = decode_b64(tags.find("bh")->value);
    if (!bh || bh->empty()) return malformed("bh= is not base64 or is empty");

    if (const auto* c = tags.find("c")) {
        const std::string value = cls::to_lower_ascii(strip_fws(c->value));
        const auto slash = value.find('/');
        const std::string header = value.substr(0, slash);
        const std::string body = slash == std::string::npos ? "simple" : value.substr(slash + 1);
        if (header.empty()) return malformed("c= is empty");
        if ((header != "simple" && header != "relaxed") || (body != "simple" && body != "relaxed"))
            return unsupported("canonicalization c=" + clean(value) + " is not supported");
        sig.relaxed_headers = header == "relaxed";
    }
    for (auto& name : split_colon_list(tags.find("h")->value)) {
        if (name.empty()) return malformed("h= has an empty field name");
        if (sig.signed_fields.size() >= k_max_dkim_signed_fields)
            return malformed("h= names more than " + std::to_string(k_max_dkim_signed_fields) + " fields");
        sig.signed_fields.push_back(cls::to_lower_ascii(name));
    }
    if (std::find(sig.signed_fields.begin(), sig.signed_fields.end(), "from") == sig.signed_fields.end())
        return malformed("h= does not include From");
    if (const auto* i = tags.find("i")) {
        const auto at = i->value.rfind('@');
        if (at == std::string::npos) return malformed("i= has no '@'");
        sig.identity_domain = cls::to_lower_ascii(i->value.substr(at + 1));
        const bool sub =
            sig.identity_domain == sig.domain || (sig.identity_domain.size() > sig.domain.size() &&
                                                  sig.identity_domain.ends_with("." + sig.domain));
        if (!sub)
            return malformed("i= domain " + clean(sig.identity_domain) + " is not d= or a subdomain of it");
    }
    if (const auto* q = tags.find("q")) {
        if (cls::to_lower_ascii(strip_fws(q->value)).find("dns/txt") == std::string::npos)
            return unsupported("query method q=" + clean(q->value) + " is not supported (dns/txt)");
    }
    for (const char* number : {"l", "t", "x"}) {
        const auto* tag = tags.find(number);
        if (tag && !all_digits(strip_fws(tag->value)))
            return malformed(std::string(number) + "= is not a number");
    }
    if (tags.find("t") && tags.find("x")) {
        // Up to 20 digits each: compared as numbers without converting (no overflow).
        auto number = [](const std::string& digits) {
            const auto first = digits.find_first_not_of('0');
            return first == std::string::npos ? std::string("0") : digits.substr(first);
        };
        const std::string t = number(strip_fws(tags.find("t")->value));
        const std::string x = number(strip_fws(tags.find("x")->value));
        if (x.size() < t.size() || (x.size() == t.size() && x < t)) return malformed("x= is before t=");
    }
    return sig;
}

// The bytes the signer hashed: the h= fields (each instance taken from the bottom up, absent ones
// contributing nothing), then the signature field itself with b= emptied, without its final CRLF.
std::string signed_data(const std::vector<Field>& fields, const Field& own, const Tag& b_tag,
                        const Signature& sig) {
    std::string data;
    std::vector<bool> used(fields.size(), false);
    for (const auto& name : sig.signed_fields) {
        for (std::size_t i = fields.size(); i-- > 0;) {
            if (used[i] || !cls::iequals(fields[i].name, name)) continue;
            used[i] = true;
            if (sig.relaxed_headers)
                data += relaxed_field(fields[i].name, fields[i].value);
            else
                data.append(fields[i].raw);
            break;
        }
    }
    std::string value(own.value.substr(0, b_tag.begin));
    value.append(own.value.substr(b_tag.end));
    if (sig.relaxed_headers) {
        std::string f = relaxed_field(own.name, value);
        f.resize(f.size() - 2);
        data += f;
    } else {
        const std::size_t prefix = static_cast<std::size_t>(own.value.data() - own.raw.data());
        data.append(own.raw.substr(0, prefix));
        data += value;
    }
    return data;
}

struct Key {
    PkeyPtr pkey{nullptr, &EVP_PKEY_free};
    bool ed25519 = false;
    bool strict_identity = false; // t=s: i= must be exactly d=
};

// One key record (RFC 6376 §3.6.1). Errors say why the record is not a usable key.
std::expected<Key, DkimVerdict> read_key(std::string_view record, const Signature& sig,
                                         const std::string& name) {
    auto no_key = [&](std::string why) {
        return std::unexpected(
            verdict(DkimResult::no_key, sig.domain, sig.selector, "key at " + name + ": " + why));
    };
    if (record.size() > k_max_dkim_key_record_bytes) return no_key("record too long");
    const TagList tags = parse_tags(record);
    if (!tags.error.empty()) return no_key("not a DKIM key record (" + tags.error + ")");
    if (const auto* v = tags.find("v"); v && v->value != "DKIM1")
        return no_key("v=" + clean(v->value) + ", want DKIM1");
    const auto* p = tags.find("p");
    if (p == nullptr) return no_key("no p= tag");
    const std::string k = tags.find("k") ? cls::to_lower_ascii(strip_fws(tags.find("k")->value)) : "rsa";
    if (k != "rsa" && k != "ed25519")
        return std::unexpected(verdict(DkimResult::unsupported, sig.domain, sig.selector,
                                       "key at " + name + " has unsupported type k=" + clean(k)));
    if (const auto* h = tags.find("h")) {
        const auto hashes = split_colon_list(cls::to_lower_ascii(h->value));
        if (std::find(hashes.begin(), hashes.end(), "sha256") == hashes.end())
            return no_key("h=" + clean(h->value) + " does not allow sha256");
    }
    if (const auto* s = tags.find("s")) {
        const auto services = split_colon_list(cls::to_lower_ascii(s->value));
        if (std::find(services.begin(), services.end(), "*") == services.end() &&
            std::find(services.begin(), services.end(), "email") == services.end())
            return no_key("s=" + clean(s->value) + " is not for email");
    }
    Key key;
    if (const auto* t = tags.find("t"))
        for (const auto& flag : split_colon_list(t->value))
            key.strict_identity |= flag == "s";
    auto der = decode_b64(p->value);
    if (!der) return no_key("p= is not base64");
    if (der->empty()) return no_key("the key is revoked (empty p=)");
    const bool want_ed25519 = sig.algorithm == Algorithm::ed25519_sha256;
    if ((k == "ed25519") != want_ed25519)
        return std::unexpected(verdict(DkimResult::fail, sig.domain, sig.selector,
                                       "key at " + name + " is k=" + k + ", the signature needs " +
                                           (want_ed25519 ? "ed25519" : "rsa")));
    const auto* bytes = reinterpret_cast<const unsigned char*>(der->data());
    if (want_ed25519) {
        key.ed25519 = true;
        if (der->size() == 32)
            key.pkey.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes, der->size()));
        else
            key.pkey.reset(d2i_PUBKEY(nullptr, &bytes, static_cast<long>(der->size())));
        if (!key.pkey || EVP_PKEY_get_base_id(key.pkey.get()) != EVP_PKEY_ED25519) {
            ERR_clear_error();
            return no_key("p= is not an Ed25519 public key");
        }
        return key;
    }
    key.pkey.reset(d2i_PUBKEY(nullptr, &bytes, static_cast<long>(der->size())));
    if (!key.pkey) { // some publish a bare PKCS#1 RSAPublicKey
        ERR_clear_error();
        bytes = reinterpret_cast<const unsigned char*>(der->data());
        key.pkey.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &bytes, static_cast<long>(der->size())));
    }
    if (!key.pkey || EVP_PKEY_get_base_id(key.pkey.get()) != EVP_PKEY_RSA) {
        ERR_clear_error();
        return no_key("p= is not an RSA public key");
    }
    const int bits = EVP_PKEY_get_bits(key.pkey.get());
    if (bits < k_min_dkim_rsa_bits)
        return std::unexpected(verdict(DkimResult::fail, sig.domain, sig.selector,
                                       "key at " + name + " is RSA " + std::to_string(bits) +
                                           " bits; shorter than 1024 bits never verifies (RFC 8301)"));
    return key;
}

bool verify_with(const Key& key, const Signature& sig, const std::string& data) {
    MdCtxPtr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx) return false;
    const auto* sig_bytes = reinterpret_cast<const unsigned char*>(sig.b.data());
    bool ok = false;
    if (key.ed25519) {
        // RFC 8463 §3: Ed25519 (pure) over the SHA-256 of the canonicalized data.
        unsigned char hash[SHA256_DIGEST_LENGTH];
        SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), hash);
        ok = EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.pkey.get()) == 1 &&
             EVP_DigestVerify(ctx.get(), sig_bytes, sig.b.size(), hash, sizeof hash) == 1;
    } else {
        ok = EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.pkey.get()) == 1 &&
             EVP_DigestVerify(ctx.get(), sig_bytes, sig.b.size(),
                              reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    }
    ERR_clear_error();
    return ok;
}

DkimVerdict check_signature(const std::vector<Field>& fields, const Field& own, const TagList& tags,
                            const DkimKeyLookup& lookup) {
    auto sig = read_signature(tags);
    if (!sig) return sig.error();
    const std::string algorithm =
        sig->algorithm == Algorithm::ed25519_sha256 ? "ed25519-sha256" : "rsa-sha256";
    const std::string name = sig->selector + "._domainkey." + sig->domain;
    if (!lookup)
        return verdict(DkimResult::no_key, sig->domain, sig->selector,
                       "no key source configured for " + name);
    auto records = lookup(name);
    if (!records)
        return verdict(DkimResult::no_key, sig->domain, sig->selector,
                       "key lookup of " + name + " failed: " + clean(records.error()));
    if (records->empty())
        return verdict(DkimResult::no_key, sig->domain, sig->selector, "no key record at " + name);
    const std::string data = signed_data(fields, own, *tags.find("b"), *sig);
    std::optional<DkimVerdict> best;
    for (const auto& record : *records) {
        auto key = read_key(record, *sig, name);
        if (!key) {
            if (!best || rank_of(key.error().result) > rank_of(best->result)) best = key.error();
            continue;
        }
        if (key->strict_identity && !sig->identity_domain.empty() && sig->identity_domain != sig->domain) {
            best = verdict(DkimResult::fail, sig->domain, sig->selector,
                           "key at " + name + " has t=s but i= names a subdomain of d=");
            continue;
        }
        const std::string canon = sig->relaxed_headers ? "relaxed" : "simple";
        if (verify_with(*key, *sig, data))
            return verdict(DkimResult::pass, sig->domain, sig->selector,
                           algorithm + " header signature (c=" + canon + ") verified with the key at " +
                               name + std::string(k_bh_note));
        best = verdict(DkimResult::fail, sig->domain, sig->selector,
                       algorithm + " header signature (c=" + canon + ") does not verify with the key at " +
                           name + ": the signed header fields were changed or the key does not match" +
                           std::string(k_bh_note));
    }
    return *best;
}

} // namespace

DkimVerdict verify_ours(std::string_view raw_headers, const std::vector<std::string>& domains,
                        const std::vector<std::string>& selectors, const DkimKeyLookup& lookup) {
    const std::string block = to_crlf_header_block(raw_headers);
    const auto fields = split_fields(block);
    std::vector<std::string> ours, our_selectors;
    for (const auto& d : domains)
        ours.push_back(cls::to_lower_ascii(d));
    for (const auto& s : selectors)
        our_selectors.push_back(cls::to_lower_ascii(s));

    Outcome best;
    best.verdict = verdict(DkimResult::none, "", "", "no DKIM-Signature of our domains");
    best.rank = rank_of(DkimResult::none);
    std::size_t seen = 0, foreign = 0;
    for (const auto& field : fields) {
        if (!cls::iequals(field.name, "DKIM-Signature")) continue;
        if (++seen > k_max_dkim_signatures) break;
        DkimVerdict v;
        if (field.value.size() > k_max_dkim_signature_bytes) {
            v = verdict(DkimResult::malformed, "", "",
                        "malformed DKIM-Signature: longer than " +
                            std::to_string(k_max_dkim_signature_bytes) + " bytes");
        } else {
            const TagList tags = parse_tags(field.value);
            const auto* d = tags.find("d");
            const auto* s = tags.find("s");
            const std::string domain = d ? cls::to_lower_ascii(d->value) : std::string();
            const std::string selector = s ? cls::to_lower_ascii(s->value) : std::string();
            const bool our_domain = std::find(ours.begin(), ours.end(), domain) != ours.end();
            const bool our_selector =
                our_selectors.empty() ||
                std::find(our_selectors.begin(), our_selectors.end(), selector) != our_selectors.end();
            if (d != nullptr && (!our_domain || (s != nullptr && !our_selector))) {
                ++foreign;
                continue; // another domain's (or another selector's) signature: not evidence either way
            }
            if (!tags.error.empty())
                v = verdict(DkimResult::malformed, domain, selector,
                            "malformed DKIM-Signature: " + tags.error);
            else
                v = check_signature(fields, field, tags, lookup);
        }
        if (v.result == DkimResult::pass) return v;
        if (rank_of(v.result) > best.rank) {
            best.rank = rank_of(v.result);
            best.verdict = std::move(v);
        }
    }
    if (best.verdict.result == DkimResult::none && foreign > 0)
        best.verdict.detail +=
            " (" + std::to_string(foreign) + " signature(s) of other domains or selectors ignored)";
    return best.verdict;
}

} // namespace ndr::agent::provenance
