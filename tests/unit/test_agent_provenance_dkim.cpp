// test_agent_provenance_dkim.cpp — DKIM header-hash verification (agent/provenance/dkim): keys made
// here with OpenSSL, signatures made by a small signer written independently of the code under test
// (its own canonicalization), for rsa-sha256 and ed25519-sha256, simple and relaxed.
#include "agent/provenance/dkim.hpp"

#include <cstdio>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <string>
#include <unistd.h>
#include <vector>

using namespace ndr::agent::provenance;

namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

EVP_PKEY* rsa_key(int bits = 2048) {
    static std::map<int, PkeyPtr> keys;
    auto it = keys.find(bits);
    if (it == keys.end())
        it = keys.emplace(bits, PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)),
                                        &EVP_PKEY_free))
                 .first;
    REQUIRE(it->second);
    return it->second.get();
}

EVP_PKEY* ed_key() {
    static PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
    REQUIRE(key);
    return key.get();
}

std::string b64(const unsigned char* p, std::size_t n) {
    std::string out(4 * ((n + 2) / 3) + 1, '\0');
    out.resize(static_cast<std::size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n))));
    return out;
}

std::string key_record(EVP_PKEY* key) {
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
        unsigned char raw[32];
        std::size_t len = sizeof raw;
        REQUIRE(EVP_PKEY_get_raw_public_key(key, raw, &len) == 1);
        return "v=DKIM1; k=ed25519; p=" + b64(raw, len);
    }
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(key, &der);
    REQUIRE(n > 0);
    std::string r = "v=DKIM1; k=rsa; p=" + b64(der, static_cast<std::size_t>(n));
    OPENSSL_free(der);
    return r;
}

std::string pem_of(EVP_PKEY* key, bool private_key) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (private_key)
        PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    else
        PEM_write_bio_PUBKEY(bio, key);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
}

// The test's own canonicalization (RFC 6376 §3.4.1/3.4.2), written apart from dkim.cpp.
std::string canon(const std::string& field_crlf, bool relaxed) {
    if (!relaxed) return field_crlf;
    const auto colon = field_crlf.find(':');
    std::string name = field_crlf.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
        name.pop_back();
    for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value;
    for (char c : field_crlf.substr(colon + 1)) {
        if (c == '\r' || c == '\n') continue;
        if (c == '\t') c = ' ';
        if (c == ' ' && (value.empty() || value.back() == ' ')) continue;
        value.push_back(c);
    }
    while (!value.empty() && value.back() == ' ')
        value.pop_back();
    return name + ":" + value + "\r\n";
}

// Fields of a CRLF header block, in order (continuation lines joined to their field).
std::vector<std::string> fields_of(const std::string& block) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < block.size()) {
        auto end = block.find("\r\n", pos);
        std::string line = block.substr(pos, end + 2 - pos);
        pos = end + 2;
        if ((line[0] == ' ' || line[0] == '\t') && !out.empty())
            out.back() += line;
        else
            out.push_back(line);
    }
    return out;
}

struct SignOptions {
    std::string algorithm = "rsa-sha256";
    bool relaxed = true;
    std::string domain = "example.com";
    std::string selector = "s1";
    std::string h = "from:to:subject:date:message-id";
};

// h= as real signers write it, with FWS around the colons (dkimpy: "from : to : subject").
std::string h_field(const std::string& h) {
    std::string out;
    for (char c : h)
        out += c == ':' ? std::string(" : ") : std::string(1, c);
    return out;
}

SignOptions so(std::string algorithm, std::string domain = "example.com", std::string selector = "s1") {
    SignOptions o;
    o.algorithm = std::move(algorithm);
    o.domain = std::move(domain);
    o.selector = std::move(selector);
    return o;
}

// The header block with a DKIM-Signature field prepended, signed with `key` over `opt.h`.
std::string sign(const std::string& block, EVP_PKEY* key, const SignOptions& opt = {}) {
    const auto fields = fields_of(block);
    std::string data;
    std::vector<bool> used(fields.size(), false);
    std::string h = opt.h + ":";
    for (std::size_t pos = 0; pos < h.size();) {
        auto colon = h.find(':', pos);
        std::string name = h.substr(pos, colon - pos);
        pos = colon + 1;
        for (std::size_t i = fields.size(); i-- > 0;) {
            std::string fname = fields[i].substr(0, fields[i].find(':'));
            bool same = fname.size() == name.size();
            for (std::size_t k = 0; same && k < name.size(); ++k)
                same = std::tolower(static_cast<unsigned char>(fname[k])) ==
                       std::tolower(static_cast<unsigned char>(name[k]));
            if (!same || used[i]) continue;
            used[i] = true;
            data += canon(fields[i], opt.relaxed);
            break;
        }
    }
    std::string sig = "DKIM-Signature: v=1; a=" + opt.algorithm +
                      "; c=" + (opt.relaxed ? "relaxed" : "simple") + "/simple; d=" + opt.domain +
                      "; s=" + opt.selector + ";\r\n\t" + "h=" + h_field(opt.h) +
                      "; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n\tb=";
    std::string signed_sig = canon(sig + "\r\n", opt.relaxed);
    data += signed_sig.substr(0, signed_sig.size() - 2);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::string out(1024, '\0');
    std::size_t len = out.size();
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
        unsigned char hash[32];
        SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), hash);
        REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1);
        REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, hash, 32) == 1);
    } else {
        REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1);
        REQUIRE(EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                               reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1);
    }
    std::string b = b64(reinterpret_cast<unsigned char*>(out.data()), len);
    // Folded like real signers do, to exercise FWS inside b=.
    std::string folded;
    for (std::size_t i = 0; i < b.size(); i += 64)
        folded += (i ? "\r\n\t " : "") + b.substr(i, 64);
    return sig + folded + "\r\n" + block;
}

const std::string k_headers =
    "From: Mail Admin <postmaster@example.com>\r\n"
    "To: user@example.net\r\n"
    "Subject: Re:  Quarterly   report,\r\n\tfolded  over two lines \r\n" // a colon inside: relaxed keeps its
                                                                         // space
    "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n"
    "Message-ID: <20261201100000.1@example.com>\r\n"
    "MIME-Version: 1.0\r\n";

// A look-up serving `records` at `name` only; counts calls.
struct FakeDns {
    std::map<std::string, std::vector<std::string>> zone;
    int calls = 0;
    DkimKeyLookup lookup() {
        return [this](const std::string& name) -> std::expected<std::vector<std::string>, std::string> {
            ++calls;
            auto it = zone.find(name);
            if (it == zone.end()) return std::unexpected("nxdomain");
            return it->second;
        };
    }
};

FakeDns dns_with(EVP_PKEY* key, const std::string& name = "s1._domainkey.example.com") {
    FakeDns d;
    d.zone[name] = {key_record(key)};
    return d;
}

const std::vector<std::string> k_ours = {"example.com"};

std::string replace(std::string s, const std::string& from, const std::string& to) {
    auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    return s.replace(pos, from.size(), to);
}

} // namespace

TEST_CASE("dkim: rsa-sha256 and ed25519-sha256 header signatures verify, relaxed and simple") {
    struct Row {
        std::string name;
        EVP_PKEY* key;
        const char* algorithm;
        bool relaxed;
    };
    const Row rows[] = {
        {"rsa relaxed", rsa_key(), "rsa-sha256", true},
        {"rsa simple", rsa_key(), "rsa-sha256", false},
        {"ed25519 relaxed", ed_key(), "ed25519-sha256", true},
        {"ed25519 simple", ed_key(), "ed25519-sha256", false},
    };
    for (const auto& row : rows) {
        CAPTURE(row.name);
        SignOptions opt;
        opt.algorithm = row.algorithm;
        opt.relaxed = row.relaxed;
        const std::string msg = sign(k_headers, row.key, opt);
        auto dns = dns_with(row.key);
        const auto v = verify_ours(msg, k_ours, {"s1"}, dns.lookup());
        CHECK_MESSAGE(v.result == DkimResult::pass, "got ", to_string(v.result), ": ", v.detail);
        CHECK(v.domain == "example.com");
        CHECK(v.selector == "s1");
        CHECK(v.detail.find("bh=") != std::string::npos);
        CHECK(v.detail.find("not checked") != std::string::npos);
        CHECK(v.detail.find(row.algorithm) != std::string::npos);
        CHECK(dns.calls == 1);
    }
}

TEST_CASE("dkim: a changed signed header fails; relaxed tolerates refolding, simple does not") {
    for (EVP_PKEY* key : {rsa_key(), ed_key()}) {
        SignOptions opt;
        opt.algorithm = key == ed_key() ? "ed25519-sha256" : "rsa-sha256";
        auto dns = dns_with(key);
        const std::string relaxed = sign(k_headers, key, opt);
        const auto tampered = replace(relaxed, "Quarterly", "Quarterlx");
        CHECK(verify_ours(tampered, k_ours, {}, dns.lookup()).result == DkimResult::fail);
        const auto other_to = replace(relaxed, "To: user@example.net", "To: other@example.net");
        CHECK(verify_ours(other_to, k_ours, {}, dns.lookup()).result == DkimResult::fail);
        const auto refolded = replace(relaxed, "Quarterly   report,\r\n\tfolded", "Quarterly report, folded");
        CHECK(verify_ours(refolded, k_ours, {}, dns.lookup()).result == DkimResult::pass);
        const auto name_case = replace(relaxed, "Subject:", "SUBJECT :");
        CHECK(verify_ours(name_case, k_ours, {}, dns.lookup()).result == DkimResult::pass);

        opt.relaxed = false;
        const std::string simple = sign(k_headers, key, opt);
        CHECK(verify_ours(simple, k_ours, {}, dns.lookup()).result == DkimResult::pass);
        const auto simple_refolded =
            replace(simple, "Quarterly   report,\r\n\tfolded", "Quarterly report, folded");
        CHECK(verify_ours(simple_refolded, k_ours, {}, dns.lookup()).result == DkimResult::fail);
        // An unsigned field may change: MIME-Version is not in h=.
        const auto unsigned_change = replace(simple, "MIME-Version: 1.0", "MIME-Version: 1.0 (changed)");
        CHECK(verify_ours(unsigned_change, k_ours, {}, dns.lookup()).result == DkimResult::pass);
    }
}

TEST_CASE("dkim: a field named in h= but absent when signing must stay absent") {
    SignOptions opt;
    opt.h = "from:to:subject:reply-to";
    const std::string msg = sign(k_headers, rsa_key(), opt);
    auto dns = dns_with(rsa_key());
    CHECK(verify_ours(msg, k_ours, {}, dns.lookup()).result == DkimResult::pass);
    CHECK(verify_ours(msg + "Reply-To: attacker@example.org\r\n", k_ours, {}, dns.lookup()).result ==
          DkimResult::fail);
    // A second From added below the signed one is what the verifier picks (bottom-up): fail.
    CHECK(verify_ours(msg + "From: someone@example.org\r\n", k_ours, {}, dns.lookup()).result ==
          DkimResult::fail);
}

TEST_CASE("dkim: LF line ends and a body after the header block are accepted") {
    const std::string msg = sign(k_headers, ed_key(), so("ed25519-sha256"));
    auto dns = dns_with(ed_key());
    std::string lf;
    for (char c : msg)
        if (c != '\r') lf.push_back(c);
    CHECK(verify_ours(lf, k_ours, {}, dns.lookup()).result == DkimResult::pass);
    CHECK(verify_ours(msg + "\r\nbody line\r\nTo: not-a-header@example.org\r\n", k_ours, {}, dns.lookup())
              .result == DkimResult::pass);
}

TEST_CASE("dkim: signatures of other domains or selectors are ignored") {
    const std::string foreign = sign(k_headers, rsa_key(), so("rsa-sha256", "example.org"));
    FakeDns dns;
    dns.zone["s1._domainkey.example.org"] = {key_record(rsa_key())};
    auto v = verify_ours(foreign, k_ours, {}, dns.lookup());
    CHECK(v.result == DkimResult::none);
    CHECK(dns.calls == 0);
    CHECK(v.detail.find("ignored") != std::string::npos);

    const std::string other_selector = sign(k_headers, rsa_key(), so("rsa-sha256", "example.com", "s2"));
    CHECK(verify_ours(other_selector, k_ours, {"s1"}, dns.lookup()).result == DkimResult::none);
    CHECK(dns.calls == 0);

    // Case of d= does not matter; our domain list may be mixed case too.
    const std::string upper = sign(k_headers, rsa_key(), so("rsa-sha256", "Example.COM"));
    auto ours = dns_with(rsa_key());
    CHECK(verify_ours(upper, {"EXAMPLE.com"}, {}, ours.lookup()).result == DkimResult::pass);
    CHECK(verify_ours(k_headers, k_ours, {}, ours.lookup()).result == DkimResult::none);
}

TEST_CASE("dkim: the first pass wins; otherwise the most informative failure") {
    auto dns = dns_with(rsa_key());
    const std::string good = sign(k_headers, rsa_key());
    // A broken signature of ours above a good one.
    const std::string broken =
        "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1; h=from; bh=AAAA; b=\r\n";
    CHECK(verify_ours(broken + good, k_ours, {}, dns.lookup()).result == DkimResult::pass);
    // Malformed plus a tampered one: the tampered one (fail) is reported.
    const auto tampered = replace(good, "Quarterly", "Monthly");
    const auto v = verify_ours(broken + tampered, k_ours, {}, dns.lookup());
    CHECK(v.result == DkimResult::fail);
    CHECK(v.domain == "example.com");
}

TEST_CASE("dkim: malformed and unsupported tags give verdicts, never a crash") {
    const std::string good = sign(k_headers, rsa_key());
    auto dns = dns_with(rsa_key());
    struct Row {
        std::string name;
        std::string from;
        std::string to;
        DkimResult want;
    };
    const Row rows[] = {
        {"v=2", "v=1;", "v=2;", DkimResult::malformed},
        {"no b=", "b=", "x-b=", DkimResult::malformed},
        {"bad base64 in b=", "\r\n\tb=", "\r\n\tb=!!!!", DkimResult::malformed},
        {"duplicate tag", "s=s1;", "s=s1; s=s1;", DkimResult::malformed},
        {"tag without =", "s=s1;", "s=s1; garbage;", DkimResult::malformed},
        {"h= without from", "h=from : ", "h=", DkimResult::malformed},
        {"empty field in h=", "h=from : ", "h=from::", DkimResult::malformed},
        {"i= outside d=", "s=s1;", "s=s1; i=@example.org;", DkimResult::malformed},
        {"x before t", "s=s1;", "s=s1; t=200; x=100;", DkimResult::malformed},
        {"t= not a number", "s=s1;", "s=s1; t=soon;", DkimResult::malformed},
        {"huge t=", "s=s1;", "s=s1; t=99999999999999999999; x=1;", DkimResult::malformed},
        {"huge x= after t=", "s=s1;", "s=s1; t=5; x=09999999999999999999;",
         DkimResult::fail},                                      // parses; hash changed
        {"empty tag-spec", "s=s1;", "s=s1;;", DkimResult::fail}, // parses; the signed field changed
        {"rsa-sha1", "a=rsa-sha256", "a=rsa-sha1", DkimResult::unsupported},
        {"unknown canonicalization", "c=relaxed/simple", "c=fancy/simple", DkimResult::unsupported},
        {"unknown query method", "s=s1;", "s=s1; q=http/well-known;", DkimResult::unsupported},
    };
    for (const auto& row : rows) {
        CAPTURE(row.name);
        const auto msg = replace(good, row.from, row.to);
        DkimVerdict v;
        CHECK_NOTHROW(v = verify_ours(msg, k_ours, {}, dns.lookup()));
        CHECK_MESSAGE(v.result == row.want, "got ", to_string(v.result), ": ", v.detail);
    }
}

TEST_CASE("dkim: every truncation and byte flip of a signature field is handled") {
    const std::string good = sign(k_headers, ed_key(), so("ed25519-sha256"));
    const auto end = good.find("\r\nFrom:");
    auto dns = dns_with(ed_key());
    for (std::size_t n = 0; n < end; n += 3) {
        const std::string msg = good.substr(0, n) + "\r\n" + good.substr(end + 2);
        CHECK_NOTHROW((void)verify_ours(msg, k_ours, {}, dns.lookup()));
    }
    int passes = 0;
    for (std::size_t i = 16; i < end; i += 5) {
        std::string msg = good;
        msg[i] = static_cast<char>(msg[i] ^ 0x5a);
        DkimVerdict v;
        CHECK_NOTHROW(v = verify_ours(msg, k_ours, {}, dns.lookup()));
        if (v.result == DkimResult::pass) ++passes;
    }
    CHECK(passes == 0);
    CHECK(verify_ours(std::string(100000, ':'), k_ours, {}, dns.lookup()).result == DkimResult::none);
    CHECK(verify_ours("DKIM-Signature:\r\n", k_ours, {}, dns.lookup()).result == DkimResult::malformed);
    // A hostile selector reaches the verdict only sanitised.
    const auto escaped = verify_ours(
        "DKIM-Signature: v=1; d=example.com; s=\x1b[31mred\x07; a=rsa-sha256\r\n", k_ours, {}, dns.lookup());
    CHECK(escaped.result == DkimResult::malformed);
    CHECK(escaped.selector.find('\x1b') == std::string::npos);
    CHECK(escaped.detail.find('\x1b') == std::string::npos);
}

TEST_CASE("dkim: key problems: missing, revoked, wrong type, too short, not for email") {
    const std::string rsa_msg = sign(k_headers, rsa_key());
    FakeDns empty;
    auto v = verify_ours(rsa_msg, k_ours, {}, empty.lookup());
    CHECK(v.result == DkimResult::no_key);
    CHECK(v.detail.find("s1._domainkey.example.com") != std::string::npos);

    FakeDns revoked;
    revoked.zone["s1._domainkey.example.com"] = {"v=DKIM1; k=rsa; p="};
    CHECK(verify_ours(rsa_msg, k_ours, {}, revoked.lookup()).result == DkimResult::no_key);

    FakeDns wrong_type = dns_with(ed_key());
    CHECK(verify_ours(rsa_msg, k_ours, {}, wrong_type.lookup()).result == DkimResult::fail);

    FakeDns not_email;
    not_email.zone["s1._domainkey.example.com"] = {key_record(rsa_key()) + "; s=other"};
    CHECK(verify_ours(rsa_msg, k_ours, {}, not_email.lookup()).result == DkimResult::no_key);

    FakeDns garbage;
    garbage.zone["s1._domainkey.example.com"] = {"v=spf1 -all", "v=DKIM1; k=rsa; p=!!!"};
    CHECK(verify_ours(rsa_msg, k_ours, {}, garbage.lookup()).result == DkimResult::no_key);

    // A second, good record at the same name is still found.
    garbage.zone["s1._domainkey.example.com"].push_back(key_record(rsa_key()));
    CHECK(verify_ours(rsa_msg, k_ours, {}, garbage.lookup()).result == DkimResult::pass);

    const std::string short_msg = sign(k_headers, rsa_key(512));
    auto short_dns = dns_with(rsa_key(512));
    v = verify_ours(short_msg, k_ours, {}, short_dns.lookup());
    CHECK(v.result == DkimResult::fail);
    CHECK(v.detail.find("1024") != std::string::npos);

    CHECK(verify_ours(rsa_msg, k_ours, {}, DkimKeyLookup{}).result == DkimResult::no_key);
}

TEST_CASE("dkim: key files: PEM public, PEM private and TXT records") {
    const auto dir = std::filesystem::temp_directory_path() / ("ndr-dkim-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto write = [&](const char* name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    };
    const std::string rsa_record = key_record(rsa_key());
    const std::string p = rsa_record.substr(rsa_record.find("p=") + 2);
    std::string zone_form =
        "s1._domainkey\tIN\tTXT\t( \"v=DKIM1; h=sha256; k=rsa; \"\n\t  \"p=" + p.substr(0, 200) +
        "\"\n\t  \"" + p.substr(200) + "\" )  ; ----- DKIM key s1 for example.com\n";
    struct Row {
        std::string name;
        std::string file;
        EVP_PKEY* key;
    };
    const Row rows[] = {
        {"rsa public pem", write("rsa.pub", pem_of(rsa_key(), false)), rsa_key()},
        {"rsa private pem", write("rsa.key", pem_of(rsa_key(), true)), rsa_key()},
        {"ed25519 public pem", write("ed.pub", pem_of(ed_key(), false)), ed_key()},
        {"ed25519 private pem", write("ed.key", pem_of(ed_key(), true)), ed_key()},
        {"txt record line", write("rsa.txt", rsa_record + "\n"), rsa_key()},
        {"opendkim zone form", write("s1.txt", zone_form), rsa_key()},
    };
    for (const auto& row : rows) {
        CAPTURE(row.name);
        const bool ed = row.key == ed_key();
        const std::string msg = sign(k_headers, row.key, so(ed ? "ed25519-sha256" : "rsa-sha256"));
        auto lookup = file_key_lookup({{"S1._domainkey.example.com", row.file}});
        const auto v = verify_ours(msg, k_ours, {}, lookup);
        CHECK_MESSAGE(v.result == DkimResult::pass, "got ", to_string(v.result), ": ", v.detail);
    }
    // Configured names come from their files; any other name goes to DNS (here a closed port).
    auto both = config_key_lookup({{"S1._domainkey.example.com", rows[0].file}}, {"127.0.0.1:9"}, 200);
    const auto from_file = both("s1._domainkey.example.com");
    REQUIRE(from_file.has_value());
    CHECK(from_file->front() == key_record(rsa_key()));
    const auto from_dns = both("s2._domainkey.example.com");
    REQUIRE_FALSE(from_dns.has_value());
    CHECK(from_dns.error().find("TXT s2._domainkey.example.com") != std::string::npos);

    auto lookup = file_key_lookup({{"s1._domainkey.example.com", (dir / "missing").string()}});
    auto r = lookup("s1._domainkey.example.com");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().find("cannot be read") != std::string::npos);
    CHECK_FALSE(lookup("s2._domainkey.example.com").has_value());
    const auto private_record = pem_to_key_record(pem_of(rsa_key(), true));
    REQUIRE(private_record.has_value());
    CHECK(*private_record == rsa_record); // only the public half
    CHECK_FALSE(
        pem_to_key_record("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").has_value());
    std::filesystem::remove_all(dir);
}
