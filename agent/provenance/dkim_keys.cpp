// dkim_keys.cpp — where DKIM keys come from: DNS TXT over c-ares (agent/dnsbl/cares_resolver) or key
// files named in the configuration. Input trust: DNS answers are hostile (bounded by the resolver and
// checked by dkim.cpp); key files are the administrator's, read with a size cap. A private key's
// bytes never leave pem_to_key_record(): only its public half is returned.
#include "agent/dnsbl/cares_resolver.hpp"
#include "agent/provenance/dkim.hpp"
#include "classifiers/text.hpp"

#include <fstream>
#include <memory>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace ndr::agent::provenance {

namespace {

constexpr std::size_t k_max_key_file_bytes = 64 * 1024;

// Never prompt for a pass phrase: an encrypted private key is simply not usable here.
int no_passphrase(char*, int, int, void*) {
    return 0;
}

std::string base64(const unsigned char* data, std::size_t size) {
    std::string out(4 * ((size + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
}

// The record text of a TXT file: every quoted string joined (zone-file form, as opendkim-genkey
// writes it), or the whole file trimmed when it has no quotes.
std::string txt_file_record(const std::string& text) {
    if (text.find('"') == std::string::npos) {
        std::string out;
        for (char c : text)
            if (c != '\r' && c != '\n') out.push_back(c);
        return std::string(classifiers::trim(out));
    }
    std::string out;
    bool in_quotes = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (!in_quotes) {
            if (c == ';') { // a zone-file comment runs to the end of the line
                while (i < text.size() && text[i] != '\n')
                    ++i;
                continue;
            }
            if (c == '"') in_quotes = true;
            continue;
        }
        if (c == '\\' && i + 1 < text.size()) {
            out.push_back(text[++i]);
            continue;
        }
        if (c == '"')
            in_quotes = false;
        else
            out.push_back(c);
    }
    return out;
}

} // namespace

std::expected<std::string, std::string> pem_to_key_record(std::string_view pem) {
    using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
    using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio) return std::unexpected("out of memory");
    PkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, &no_passphrase, nullptr), &EVP_PKEY_free);
    if (!key) {
        ERR_clear_error();
        bio.reset(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
        if (!bio) return std::unexpected("out of memory");
        key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_passphrase, nullptr));
    }
    if (!key) {
        ERR_clear_error();
        return std::unexpected("not a PEM public or (unencrypted) private key");
    }
    const int type = EVP_PKEY_get_base_id(key.get());
    if (type == EVP_PKEY_RSA) {
        unsigned char* der = nullptr;
        const int n = i2d_PUBKEY(key.get(), &der);
        if (n <= 0) {
            ERR_clear_error();
            return std::unexpected("cannot encode the RSA public key");
        }
        std::string record = "v=DKIM1; k=rsa; p=" + base64(der, static_cast<std::size_t>(n));
        OPENSSL_free(der);
        return record;
    }
    if (type == EVP_PKEY_ED25519) {
        unsigned char raw[32];
        std::size_t len = sizeof raw;
        if (EVP_PKEY_get_raw_public_key(key.get(), raw, &len) != 1 || len != sizeof raw) {
            ERR_clear_error();
            return std::unexpected("cannot read the Ed25519 public key");
        }
        return "v=DKIM1; k=ed25519; p=" + base64(raw, len);
    }
    return std::unexpected("the key is neither RSA nor Ed25519");
}

DkimKeyLookup file_key_lookup(const std::map<std::string, std::string>& name_to_file) {
    std::map<std::string, std::string> files;
    for (const auto& [name, file] : name_to_file)
        files[classifiers::to_lower_ascii(name)] = file;
    return [files](const std::string& name) -> std::expected<std::vector<std::string>, std::string> {
        const auto it = files.find(classifiers::to_lower_ascii(name));
        if (it == files.end()) return std::unexpected("no key file configured for " + name);
        std::ifstream in(it->second, std::ios::binary);
        if (!in) return std::unexpected("key file " + it->second + " cannot be read");
        std::string text(k_max_key_file_bytes + 1, '\0');
        in.read(text.data(), static_cast<std::streamsize>(text.size()));
        text.resize(static_cast<std::size_t>(in.gcount()));
        if (text.size() > k_max_key_file_bytes)
            return std::unexpected("key file " + it->second + " is too large");
        if (text.find("-----BEGIN") != std::string::npos) {
            auto record = pem_to_key_record(text);
            if (!record) return std::unexpected("key file " + it->second + ": " + record.error());
            return std::vector<std::string>{*record};
        }
        return std::vector<std::string>{txt_file_record(text)};
    };
}

DkimKeyLookup cares_key_lookup(const std::vector<std::string>& resolvers, int timeout_ms) {
    dnsbl::CaresOptions options;
    options.servers = resolvers;
    options.timeout_ms = timeout_ms > 0 ? timeout_ms : 2000;
    // Created at the first look-up, shared by the copies of the returned function.
    auto resolver = std::make_shared<std::unique_ptr<dnsbl::CaresResolver>>();
    return
        [options, resolver](const std::string& name) -> std::expected<std::vector<std::string>, std::string> {
            if (!*resolver) {
                auto created = dnsbl::CaresResolver::create(options);
                if (!created) return std::unexpected(created.error());
                *resolver = std::move(*created);
            }
            const dnsbl::Query query{classifiers::to_lower_ascii(name), dnsbl::QueryType::txt};
            auto answers = (*resolver)->resolve(std::span<const dnsbl::Query>(&query, 1));
            if (answers.empty()) return std::unexpected("no answer for " + name);
            const auto& a = answers.front();
            if (a.status == dnsbl::AnswerStatus::answer) return a.records;
            std::string why(dnsbl::to_string(a.status));
            if (!a.detail.empty()) why += " (" + a.detail + ")";
            return std::unexpected("TXT " + name + ": " + why);
        };
}

DkimKeyLookup config_key_lookup(const std::map<std::string, std::string>& dkim_key_files,
                                const std::vector<std::string>& resolvers, int timeout_ms) {
    std::map<std::string, std::string> files;
    for (const auto& [name, file] : dkim_key_files)
        files[classifiers::to_lower_ascii(name)] = file;
    auto from_files = file_key_lookup(files);
    auto from_dns = cares_key_lookup(resolvers, timeout_ms);
    return [files, from_files, from_dns](const std::string& name) {
        return files.contains(classifiers::to_lower_ascii(name)) ? from_files(name) : from_dns(name);
    };
}

} // namespace ndr::agent::provenance
