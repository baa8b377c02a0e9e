// vmime_support.cpp — see vmime_support.hpp.
#include "agent/sources/vmime_support.hpp"

#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>
#include <vmime/platforms/posix/posixHandler.hpp>
#include <vmime/security/cert/X509Certificate.hpp>
#include <vmime/vmime.hpp>

namespace ndr::agent {

void ensure_vmime_platform() {
    static std::once_flag once;
    std::call_once(once, [] { vmime::platform::setHandler<vmime::platforms::posix::posixHandler>(); });
}

std::expected<vmime::shared_ptr<vmime::security::cert::defaultCertificateVerifier>, std::string>
make_certificate_verifier(const std::string& ca_file) {
    const std::string path = ca_file.empty() ? std::string(k_system_ca_file) : ca_file;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected("CA file " + path + ": cannot be read");
    std::ostringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    constexpr std::string_view k_begin = "-----BEGIN CERTIFICATE-----";
    constexpr std::string_view k_end = "-----END CERTIFICATE-----";
    std::vector<vmime::shared_ptr<vmime::security::cert::X509Certificate>> certs;
    std::size_t pos = 0;
    try {
        while ((pos = text.find(k_begin, pos)) != std::string::npos) {
            auto end = text.find(k_end, pos);
            if (end == std::string::npos) break;
            end += k_end.size();
            auto block = text.substr(pos, end - pos) + "\n";
            auto cert = vmime::security::cert::X509Certificate::import(
                reinterpret_cast<const vmime::byte_t*>(block.data()), block.size());
            if (cert) certs.push_back(cert);
            pos = end;
        }
    } catch (const vmime::exception&) {
        return std::unexpected("CA file " + path + ": a certificate in it cannot be read");
    }
    if (certs.empty()) return std::unexpected("CA file " + path + ": no PEM certificate in it");
    auto verifier = vmime::make_shared<vmime::security::cert::defaultCertificateVerifier>();
    verifier->setX509RootCAs(certs);
    return verifier;
}

} // namespace ndr::agent
