#!/usr/bin/env bash
# netns.sh CMD [ARGS...] -- (veilnode I2P test harness) run CMD inside a fresh, private network namespace that
# has only a loopback interface: lo is brought up (127.0.0.1) and the addresses
# 198.18.0.1 .. 198.18.0.N (N = I2P_NET_ROUTERS, default 5) are added to lo, and
# I2P_NET_HOSTS is exported for up.sh.  Nothing in the namespace can reach any
# other interface; it disappears when its last process exits.
#
# Why: i2pd 2.45.1 rejects transport peers whose IP is in a reserved range
# (127/8 included) even with reservedrange=false (NTCP2 accept, SSU2 connect).
# 198.18.0.0/15 (RFC 2544 benchmarking) slips through that check because the
# range is mistyped in i2pd's util.cpp ("198.18.0.0".."192.19.255.255").
# Root: plain `unshare --net`; otherwise a user namespace (`unshare -rn`).
set -euo pipefail
if [[ "${1:-}" != --inside ]]; then
  [[ $# -gt 0 ]] || { echo "usage: netns.sh CMD [ARGS...]" >&2; exit 2; }
  if [[ $(id -u) -eq 0 ]]; then exec unshare --net -- "$0" --inside "$@"; fi
  exec unshare --user --map-root-user --net -- "$0" --inside "$@"
fi
shift
N=${I2P_NET_ROUTERS:-5}
ip link set lo up
hosts=()
for ((i = 1; i <= N; i++)); do
  ip addr add "198.18.0.$i/32" dev lo
  hosts+=("198.18.0.$i")
done
export I2P_NET_HOSTS="${hosts[*]}" I2P_IN_NETNS=1 VEILNODE_TEST_NETNS=1
exec "$@"
