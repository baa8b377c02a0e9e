// provenance.hpp — is a bounce about us? A bounce is evidence only when the returned original left one
// of our outbound IPs (its Received chain, CIDR aware), when its DKIM-Signature verifies for one of our
// domains (agent/provenance/dkim.hpp, header hash only), or when the rejection itself names one of our
// outbound IPs as listed. Anything else is backscatter: recorded and reported, never acted on. With no
// [identity] outbound_ips nor domains configured nothing can be told apart: the verdict is "unknown"
// and the bounce is treated as evidence (the pre-identity behaviour).
//
// Input trust: the report is hostile. Received fields are scanned with bounded loops for bracketed
// address literals; only addresses that parse (inet_pton) are compared. Texts put into the verdict are
// our words plus sanitised fragments (the store sanitises again on insert).
#pragma once

#include "agent/config.hpp"
#include "classifiers/report.hpp"

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ndr::agent::incidents {

// An address or network from identity.outbound_ips.
struct Network {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};
    int prefix = 32;
};
std::optional<Network> parse_network(std::string_view text); // "192.0.2.25", "192.0.2.0/24", "2001:db8::/32"
bool network_contains(const Network& net, std::string_view address);
bool in_networks(const std::vector<Network>& nets, std::string_view address);

struct Provenance {
    std::string verdict = "unknown"; // ours | backscatter | unknown
    std::string detail;
    std::string sending_ip;   // our outbound IP seen (Received or the rejection)
    std::string sending_rdns; // "from HELO (RDNS [IP])" of the hop that received from it
    std::string sending_helo;
};

// Verifies a DKIM signature of ours: true with a detail on pass. Empty: DKIM not available.
using DkimCheck = std::function<std::optional<std::string>(const classifiers::ReturnedOriginal&)>;

class ProvenanceJudge {
  public:
    ProvenanceJudge(const IdentitySettings& identity, DkimCheck dkim);
    bool configured() const { return !m_networks.empty() || !m_domains.empty(); }
    Provenance judge(const classifiers::DeliveryReport& report) const;

  private:
    std::vector<Network> m_networks;
    std::vector<std::string> m_domains;
    DkimCheck m_dkim;
};

// The DKIM check over agent/provenance/dkim.hpp with the config's resolvers and key files, or an
// empty function when that module is not built in or no domain is configured.
DkimCheck make_dkim_check(const Config& config);

// A Received field's "from" part: HELO, reverse name and bracketed address, when it has one.
struct ReceivedFrom {
    std::string helo;
    std::string rdns;
    std::string ip;
};
std::vector<ReceivedFrom> received_from(std::string_view received);

} // namespace ndr::agent::incidents
