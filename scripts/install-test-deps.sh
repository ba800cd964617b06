#!/usr/bin/env bash
# Installs the Debian packages dicomlb's tests and benchmarks run against (real peers we did not
# write). Idempotent: does nothing when every package is already installed. Needs root (CI is
# root); otherwise prints the apt-get command to run and exits 1 so no test skips silently.
set -euo pipefail

PACKAGES=(
  dcmtk            # echoscu, storescu, storescp, dump2dcm, img2dcm: DICOM peers
  orthanc          # a second, independent DICOM implementation as a backend
  haproxy          # the performance peer
  nginx-light      # HTTP backend for L7 and benchmark scenarios
  wrk              # HTTP load generator
  iperf3           # L4 bulk throughput
  iproute2         # ip netns / veth for multi-host tests
  keepalived       # VRRP for the floating VIP (lb-vip drives it; its tests run it in namespaces)
  iputils-arping   # who answers ARP for the VIP, seen from a client namespace
  nftables         # nft: lb-l4 renders the dsr and nat listeners as nftables tables
  procps           # ps/pkill used by the harness
  curl             # the admin API over HTTPS, as an operator reaches it
  bind9-dnsutils   # dig: an independent DNS client for the GSLB interop tests
  unbound          # a recursive resolver with a stub zone pointing at the GSLB
  gdnsd            # the authoritative DNS peer of the GSLB benchmark and the dns backend tests
  dnsperf          # DNS load generator for the GSLB benchmark
  chromium         # headless browser for the status page test
  chromium-driver  # chromedriver: Selenium drives chromium through it
  prometheus       # promtool: checks and unit-tests ops/prometheus alert rules
  dpkg-dev         # dpkg-shlibdeps (and binutils' strip) for the .deb build (packaging/)
  lintian          # the package test checks the .deb
  systemd          # systemd-analyze verify on the unit (no running systemd needed)
  adduser          # the package's maintainer scripts create and remove its user
)
if [ "${1:-}" = "--bench" ]; then
  shift
fi
PACKAGES+=("$@")

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "dicomlb tests need these Debian packages: ${missing[*]}" >&2
  echo "  run: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "installing test peers: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts packaged daemons on install; tests run their own instances on loopback ports.
for svc in orthanc nginx haproxy unbound gdnsd keepalived prometheus prometheus-node-exporter; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
  if [ -x "/etc/init.d/$svc" ]; then "/etc/init.d/$svc" stop >/dev/null 2>&1 || true; fi
done
