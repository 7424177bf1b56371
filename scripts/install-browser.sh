#!/usr/bin/env bash
# Headless Chromium and its WebDriver for the console's browser test (tests/console/test_browser.py),
# from Debian's own packages: chromium and chromium-driver.
#
# Does nothing when `chromium` and `chromedriver` are already on PATH. Otherwise installs them
# with apt-get, as root or through sudo. Exit 0 when both are there afterwards; non-zero with a
# message saying what to do when they cannot be installed.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

if have chromium && have chromedriver; then
    exit 0
fi

if ! have apt-get; then
    echo "install-browser: chromium/chromedriver are missing and this machine has no apt-get." >&2
    echo "  Install Chromium and a matching chromedriver yourself and put both on PATH." >&2
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif have sudo && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "install-browser: chromium/chromedriver are missing, and installing them needs root." >&2
    echo "  Run: sudo apt-get install -y --no-install-recommends chromium chromium-driver" >&2
    exit 1
fi

echo "install-browser: installing Debian's chromium and chromium-driver (apt-get)..." >&2
export DEBIAN_FRONTEND=noninteractive
# Another apt (unattended upgrades, a colleague) may hold the lock: wait for it rather than fail.
apt_get=("${as_root[@]}" apt-get -o DPkg::Lock::Timeout=300 -q)
if ! "${apt_get[@]}" install -y --no-install-recommends chromium chromium-driver >&2; then
    echo "install-browser: first attempt failed; refreshing the package lists and retrying." >&2
    "${apt_get[@]}" update >&2
    "${apt_get[@]}" install -y --no-install-recommends chromium chromium-driver >&2
fi

if have chromium && have chromedriver; then
    echo "install-browser: $(chromium --version 2>/dev/null || echo chromium) ready." >&2
    exit 0
fi
echo "install-browser: apt-get finished but chromium/chromedriver are still not on PATH." >&2
exit 1
