#!/usr/bin/env bash
# Installs what plantgate needs on a Debian 12 machine, only where it is missing:
# the npm packages (which bring Node 24 into node_modules/.bin) and the Debian packages
# of the data plane, the browser tests, the PostgreSQL test database and the check of
# the systemd units (systemd-analyze).
# Usage: scripts/install-deps.sh [--npm-only | --debian-only]
set -euo pipefail
cd "$(dirname "$0")/.."

want_npm=1 want_deb=1
case "${1:-}" in
  --npm-only) want_deb=0 ;;
  --debian-only) want_npm=0 ;;
  "") ;;
  *) echo "usage: $0 [--npm-only | --debian-only]" >&2; exit 2 ;;
esac

# Debian package -> a file it installs (cheaper and more exact than asking dpkg per package).
declare -A deb_files=(
  [wireguard-go]=/usr/bin/wireguard-go
  [wireguard-tools]=/usr/bin/wg
  [nftables]=/usr/sbin/nft
  [conntrack]=/usr/sbin/conntrack
  [openvpn]=/usr/sbin/openvpn
  [iproute2]=/usr/sbin/ip
  [iperf3]=/usr/bin/iperf3
  [chromium]=/usr/bin/chromium
  [postgresql]=/usr/lib/postgresql
  [procps]=/usr/bin/pkill
  [iputils-ping]=/usr/bin/ping
  [systemd]=/usr/bin/systemd-analyze
  [python3]=/usr/bin/python3   # test/cli/pty-run.py: the password prompt on a real pseudo-terminal
  [openssl]=/usr/bin/openssl   # the browser proxy tests' TLS-1.0-only device (openssl s_server -tls1)
)

if [ "$want_deb" = 1 ]; then
  missing=()
  for pkg in "${!deb_files[@]}"; do
    [ -e "${deb_files[$pkg]}" ] || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "missing Debian packages: ${missing[*]} (run this script as root to install them)" >&2
      exit 1
    fi
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ "$want_npm" = 1 ]; then
  # `npm ci`: exactly the committed lockfile; one that does not match package.json fails
  # here instead of being rewritten.
  if [ -L node_modules ]; then
    # A shared install (a git worktree's symlink): reinstalling would rewrite someone else's tree.
    echo "node_modules is a symlink: left as it is" >&2
  elif [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
fi
