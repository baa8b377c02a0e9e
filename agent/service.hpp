// service.hpp — `ndr-triage run`: watch the configured IMAP folder and scan whatever arrives.
//
// Each wake-up runs the scan loop (agent/scan.hpp) over the folder; between passes it waits with IMAP
// IDLE where the server offers it, else it polls every [service] poll_seconds. SIGTERM/SIGINT finish
// the message in hand, commit and exit 0; SIGHUP reloads the configuration and the rules (a bad new
// configuration is logged and the old one kept). Under systemd it sends READY=1, WATCHDOG=1 at half of
// $WATCHDOG_USEC while the loop makes progress, and STOPPING=1. Logs go to stderr, one line per event,
// with a level; with $JOURNAL_STREAM set, as "<N>" syslog priorities for journald. No secrets are
// logged and NDR text only through sanitise().
#pragma once

#include <string>

#include "agent/global_options.hpp"

namespace ndr::agent {

struct ServiceOptions {
    bool once = false;  // one pass, then exit (tests)
    std::string state;  // state database; empty: [state] path
    bool verbose = false; // debug lines too
};

// Runs until stopped. Exit codes: 0 stopped on request (or --once finished cleanly), 2 the source
// failed in --once mode, 3 configuration, rules or state database unusable.
int run_service(const GlobalOptions& global, const ServiceOptions& options);

} // namespace ndr::agent
