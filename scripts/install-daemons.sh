#!/usr/bin/env bash
# Install the real daemons the integration suite runs on loopback (Debian packages), without
# letting their packaging start system services (an i2pd service would try to reseed from the
# internet). Safe to run again: it installs only what is missing.
set -euo pipefail
PKGS=(tor i2pd monero microsocks iproute2 curl)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "daemons present: ${PKGS[*]}"; exit 0; }

SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
created_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d > /dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { [ -n "$created_policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d; return 0; }
trap cleanup EXIT
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
