// workflow.hpp — what happens to incidents after a scan pass and on the service's re-check schedule:
// the DNSBL check of each implicated IP or domain (agent/dnsbl), the status that follows from the
// list's rules (fix-first, waiting for expiry, resolved once a listing seen before has cleared), and
// the draft of the plan (agent/drafts/plan.hpp), created or updated, one per incident and action.
// Every status change and every draft change is an event in the store. Backscatter never reaches an
// incident (the store records its hits without one), so nothing here ever acts on it.
//
// Nothing is sent: drafts wait for review (`ndr-triage drafts`). Input trust: the store's data was
// sanitised on insert; DNS answers are hostile and bounded by the checker.
#pragma once

#include "agent/config.hpp"
#include "agent/dnsbl/resolver.hpp"
#include "agent/store/store.hpp"
#include "classifiers/rules/model.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ndr::agent::incidents {

struct WorkflowResult {
    std::size_t incidents = 0;      // active incidents looked at
    std::size_t checked = 0;        // DNSBL checks made
    std::size_t resolved = 0;       // moved to resolved (listing cleared)
    std::size_t status_changes = 0; // every status change, resolved included
    std::size_t drafts_created = 0;
    std::size_t drafts_updated = 0;
    std::vector<std::string> log; // one line per change (our words + sanitised store data)
};

// Incidents whose status is open, fix-first, requested or waiting. `resolver` null: no DNSBL check.
WorkflowResult update_incidents(store::Store& db, const Config& config,
                                const classifiers::rules::RuleSet* rules, dnsbl::Resolver* resolver,
                                std::int64_t now);

// The resolver for incident checks: c-ares over [dns] resolvers. Null (with no error) when none are
// configured: incident checks never fall back to /etc/resolv.conf, so that a one-shot scan with a
// minimal configuration sends no DNS traffic (and Spamhaus refuses most shared resolvers anyway).
std::expected<std::unique_ptr<dnsbl::Resolver>, std::string> make_incident_resolver(const Config& config);

// Appends every draft whose current revision is not in the IMAP Drafts folder yet (status draft or
// approved), replacing the earlier copy (by Message-ID), and removes the copy of a draft rejected or
// sent. Needs [imap] host; errors are returned per draft and leave the draft marked as not
// synchronised (retried next time).
std::vector<std::string> sync_drafts_to_imap(store::Store& db, const Config& config, std::int64_t now);
// The whole step after a pass (scan, run) and on the re-check schedule: resolver from the config,
// update_incidents(), then sync_drafts_to_imap() when `imap_drafts`. Errors become log lines.
WorkflowResult after_pass(store::Store& db, const Config& config, const classifiers::rules::RuleSet* rules,
                          bool imap_drafts, std::int64_t now);

} // namespace ndr::agent::incidents
