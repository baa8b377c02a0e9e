// provenance_driver.cpp — ndr-test-provenance: a test-only executable (never installed) that drives
// agent/provenance/dkim, agent/smtp/send and agent/sources/imap_drafts from the integration scripts,
// so those modules are tested against real servers before any ndr-triage command calls them.
//
//   ndr-test-provenance dkim-verify FILE --domain D... [--selector S...] (--resolver IP:PORT... | --key
//   NAME=FILE...)
//       prints "<result> d=<domain> s=<selector>" and the detail line; exit 0 on pass, 1 otherwise
//   ndr-test-provenance send-eml --config FILE --from ADDR --to ADDR... FILE       exit 0 sent, 1 error
//   ndr-test-provenance store-draft --config FILE [--replace MESSAGE-ID] FILE     exit 0 stored, 1 error
#include "agent/config.hpp"
#include "agent/provenance/dkim.hpp"
#include "agent/smtp/send.hpp"
#include "agent/sources/imap_drafts.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

std::optional<ndr::agent::Config> config_from(const std::string& path) {
    auto config = ndr::agent::load_config(path);
    if (!config) {
        for (const auto& e : config.error())
            std::cerr << e << "\n";
        return std::nullopt;
    }
    return *config;
}

} // namespace

int main(int argc, char** argv) {
    namespace prov = ndr::agent::provenance;
    CLI::App app{"ndr-test-provenance: test driver for DKIM, SMTP and Drafts"};
    app.require_subcommand(1);
    int rc = 0;

    std::string file, config_path, from, replace;
    std::vector<std::string> domains, selectors, resolvers, keys, to;

    auto* dkim = app.add_subcommand("dkim-verify", "verify the DKIM header signatures of a message");
    dkim->add_option("FILE", file)->required();
    dkim->add_option("--domain", domains)->required();
    dkim->add_option("--selector", selectors);
    dkim->add_option("--resolver", resolvers);
    dkim->add_option("--key", keys, "NAME=FILE");
    dkim->callback([&] {
        std::string raw;
        if (!read_file(file, raw)) {
            std::cerr << "cannot read " << file << "\n";
            rc = 2;
            return;
        }
        prov::DkimKeyLookup lookup;
        if (!keys.empty()) {
            std::map<std::string, std::string> files;
            for (const auto& k : keys)
                files[k.substr(0, k.find('='))] = k.substr(k.find('=') + 1);
            lookup = prov::file_key_lookup(files);
        } else {
            lookup = prov::cares_key_lookup(resolvers, 1000);
        }
        const auto v = prov::verify_ours(raw, domains, selectors, lookup);
        std::cout << prov::to_string(v.result) << " d=" << v.domain << " s=" << v.selector << "\n"
                  << v.detail << "\n";
        rc = v.result == prov::DkimResult::pass ? 0 : 1;
    });

    auto* send = app.add_subcommand("send-eml", "send a message with the [smtp] settings of a config");
    send->add_option("FILE", file)->required();
    send->add_option("--config", config_path)->required();
    send->add_option("--from", from)->required();
    send->add_option("--to", to)->required();
    send->callback([&] {
        std::string raw;
        auto config = config_from(config_path);
        if (!config || !read_file(file, raw)) {
            rc = 2;
            return;
        }
        auto sent = ndr::agent::smtp::send_message(config->smtp, from, to, raw);
        if (!sent) {
            std::cerr << "send failed: " << sent.error() << "\n";
            rc = 1;
            return;
        }
        std::cout << "sent\n";
    });

    auto* store =
        app.add_subcommand("store-draft", "append a message to the Drafts folder of a config's mailbox");
    store->add_option("FILE", file)->required();
    store->add_option("--config", config_path)->required();
    store->add_option("--replace", replace, "Message-ID of the earlier copy to replace");
    store->callback([&] {
        std::string raw;
        auto config = config_from(config_path);
        if (!config || !read_file(file, raw)) {
            rc = 2;
            return;
        }
        auto stored = ndr::agent::store_draft(*config, raw, replace);
        if (!stored) {
            std::cerr << "store failed: " << stored.error() << "\n";
            rc = 1;
            return;
        }
        std::cout << "stored\n";
    });

    CLI11_PARSE(app, argc, argv);
    return rc;
}
