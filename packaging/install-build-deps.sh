#!/usr/bin/env bash
# Installs everything ndr-triage needs to build, test, run its demo and its benchmarks on Debian 12.
# Debian packages only; runs apt-get update first. Needs root (uses sudo when not root and sudo exists).
set -euo pipefail

packages=(
    # toolchain
    g++ cmake ninja-build pkg-config ccache clang-14 libclang-rt-14-dev
    # libFuzzer targets (tests/fuzz/run-fuzzers): clang-19 with its libFuzzer runtime, llvm-symbolizer
    clang-19 libclang-rt-19-dev llvm-19
    # libraries (DESIGN.md: vmime, c-ares, SQLite, OpenSSL, CLI11, doctest; RE2, toml++, nlohmann-json, libidn2)
    libvmime-dev libc-ares-dev libsqlite3-dev libssl-dev libcli11-dev doctest-dev
    libre2-dev libtomlplusplus-dev nlohmann-json3-dev libidn2-dev
    # the executable's malloc (CMakeLists.txt NDR_MIMALLOC)
    libmimalloc-dev
    # real servers for the integration tests and the demo (started on loopback by tests/integration/lib)
    dovecot-imapd rbldnsd openssl dnsutils iproute2 procps python3 sqlite3 time jq
    # DKIM keys longer than a TXT string (nsd), the receiving SMTP server (aiosmtpd), an independent
    # DKIM signer (dkimpy; python3-nacl for its ed25519-sha256)
    nsd python3-aiosmtpd python3-dkim python3-nacl
    # the package test (cpack -G DEB, dpkg-shlibdeps, systemd-analyze verify, man) and the report test
    # (headless Chromium renders the HTML report)
    dpkg-dev file systemd man-db chromium
    # peers for the benchmarks
    libsisimai-perl rblcheck
)

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install-build-deps: run as root (or install sudo)" >&2; exit 1; }
    as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
# Keep the Debian dovecot package from starting a system-wide server; ours run from their own configs.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${as_root[@]}" chmod 755 /usr/sbin/policy-rc.d
fi
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends "${packages[@]}"
