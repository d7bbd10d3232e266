#!/usr/bin/env bash
# up.sh [DIR] -- bring up a private i2pd test network for veilnode's I2P integration tests
# (no reseed, private netid, router infos copied between netDbs). Run it inside netns.sh:
# i2pd 2.45.1 refuses router peers on 127.0.0.0/8 (see netns.sh).
#
# Env:
#   I2P_NET_BASE_PORT   first port (default 17000). Router i (0-based) uses
#                       BASE+10*i+0 transport (NTCP2 tcp, SSU2 udp if enabled),
#                       +1 web console, +2 SOCKS proxy, +4 SAM tcp (i2pd also
#                       binds SAM udp on SAM port - 1 = +3).
#   I2P_NET_ROUTERS     number of routers (default 5)
#   I2P_NET_FLOODFILLS  how many of them are floodfill (default 2; the last ones:
#                       clients belong on r0/r1, a client on a 2.45.1 floodfill
#                       misreads LeaseSet2s from its own store)
#   I2P_NET_ID          private netid (default 73; the public network is 2)
#   I2P_NET_HOSTS       space separated transport IPs, one per router (netns.sh
#                       sets them); a single IP is reused for all routers
#   I2P_NET_SERVER_TUNNELS  space separated `ROUTER:NAME:PORT` server tunnels
#                       (i2pd tunnels.conf) forwarding to 127.0.0.1:PORT; each
#                       one's b32 is printed as I2P_TUNNEL_<NAME>_B32
#   I2P_NET_MIN_EXPL    exploratory tunnels (with >=1 hop) each router must have
#                       built, inbound and outbound (default 1; 0 = don't wait)
#   I2P_NET_TIMEOUT     seconds to wait for readiness (default 180)
#   I2P_NET_STALL_SECONDS  a router still not ready this long after its start while
#                       another router is ready gets restarted (default 60; see below)
#   I2P_NET_MAX_RESTARTS   bound on those restarts in one bring-up (default 2)
#   I2P_NET_LOGLEVEL    i2pd loglevel (default warn)
#   I2P_NET_SSU2        true to enable SSU2 beside NTCP2 (default false). With SSU2 the
#                       peers of a restarted router keep their old SSU2 session to its
#                       address (same identity, new keys) until they time it out, and what
#                       they send on it is garbage to the new process (a restarted r0 logged
#                       "SSU2: Unexpected message type" 170 times); over NTCP2 the old TCP
#                       connections die with the process. Measured: r0's SOCKS reached a
#                       server tunnel again 8 s after r0's restart NTCP2-only, 17 s with SSU2.
#   I2PD                i2pd binary (default: i2pd on PATH, else /usr/sbin/i2pd)
#   I2P_NET_OWNER_PID   when set, a watchdog stops the network (down.sh) once that
#                       process is gone, so a killed test run leaves no routers behind
# Prints KEY=VALUE lines (also saved in DIR/net.env). Exit 0 when ready; on failure the
# routers it started are stopped (by PID) and DIR is kept for its logs.
set -euo pipefail

BASE=${I2P_NET_BASE_PORT:-17000}
N=${I2P_NET_ROUTERS:-5}
NFF=${I2P_NET_FLOODFILLS:-2}
NETID=${I2P_NET_ID:-73}
read -r -a HOSTS <<<"${I2P_NET_HOSTS:-127.0.0.1}"
MIN_EXPL=${I2P_NET_MIN_EXPL:-1}
TIMEOUT=${I2P_NET_TIMEOUT:-180}
STALL_SECONDS=${I2P_NET_STALL_SECONDS:-60}
MAX_RESTARTS=${I2P_NET_MAX_RESTARTS:-2}
LOGLEVEL=${I2P_NET_LOGLEVEL:-warn}
SSU2=${I2P_NET_SSU2:-false}
I2PD=${I2PD:-$(command -v i2pd || echo /usr/sbin/i2pd)}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
read -r -a SERVER_TUNNELS <<<"${I2P_NET_SERVER_TUNNELS:-}"

if [[ -n "${1:-}" ]]; then DIR=$1; mkdir -p "$DIR"; else DIR=$(mktemp -d -t veilnode-i2p.XXXXXX); fi
DIR=$(cd "$DIR" && pwd)
T0=$(date +%s.%N)
: >"$DIR/pids"
echo "$I2PD" >"$DIR/i2pd.path"
# shellcheck source=router.sh
source "$HERE/router.sh"

log() { echo "[up $(date +%T)] $*" >&2; }
fail() {
  log "FAILED: $*"
  log "logs: $DIR/r*/i2pd.log   (stopping routers; dir kept)"
  "$HERE/down.sh" --keep "$DIR" >&2 || true
  exit 1
}
host_of() { local i=$1; if ((${#HOSTS[@]} > 1)); then echo "${HOSTS[$i]}"; else echo "${HOSTS[0]}"; fi; }
port_of() { echo $((BASE + 10 * $1 + $2)); }
for spec in "${SERVER_TUNNELS[@]}"; do
  [[ "$spec" =~ ^[0-9]+:[a-z0-9]+:[0-9]+$ ]] || { echo "up: bad I2P_NET_SERVER_TUNNELS entry '$spec' (want ROUTER:name:PORT)" >&2; exit 2; }
done

DUMMY_B32=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b32.i2p
# ---------- configs ----------
for ((i = 0; i < N; i++)); do
  R="$DIR/r$i"
  mkdir -p "$R/netDb" "$R/certificates"
  # floodfills are the LAST routers: r0, r1, ... stay plain routers for clients.
  # (2.45.1: a SAM/SOCKS client on a floodfill router misreads LeaseSet2s from
  # its own floodfill store -> "LeaseSet: Incorrect number of leases", streams
  # silently go nowhere or CANT_REACH_PEER.)
  ff=false; if ((i >= N - NFF)); then ff=true; fi
  cat >"$R/i2pd.conf" <<EOF
datadir = $R
pidfile = $R/i2pd.pid
log = file
logfile = $R/i2pd.log
loglevel = $LOGLEVEL
daemon = true
netid = $NETID
ipv4 = true
ipv6 = false
host = $(host_of "$i")
address4 = $(host_of "$i")
port = $(port_of "$i" 0)
nat = false
reservedrange = false
floodfill = $ff
bandwidth = X
notransit = false
upnp.enabled = false
nettime.enabled = false
nettime.frompeers = false
# addressbook must stay ENABLED: in 2.45.1, SAM STREAM CONNECT with a base64
# destination calls AddressBook::InsertFullAddress, which dereferences a null
# storage when the addressbook is disabled -> segfault of the whole router.
# ...and its URLs must be non-empty: an empty defaulturl kills all routers
# ~3 min after start (first subscription download). Point them at a b32 that
# does not exist in the private net: lookups fail harmlessly, in-network.
addressbook.enabled = true
addressbook.defaulturl = http://$DUMMY_B32/hosts.txt
addressbook.subscriptions = http://$DUMMY_B32/hosts.txt
precomputation.elgamal = false

[ntcp2]
enabled = true
published = true
port = $(port_of "$i" 0)

[ssu2]
enabled = $SSU2
published = $SSU2
port = $(port_of "$i" 0)

[reseed]
urls =
yggurls =
threshold = 0
verify = false

[exploratory]
inbound.length = 1
outbound.length = 1
inbound.quantity = 2
outbound.quantity = 2

[http]
enabled = true
address = 127.0.0.1
port = $(port_of "$i" 1)
strictheaders = false

[httpproxy]
enabled = false

[socksproxy]
enabled = true
address = 127.0.0.1
port = $(port_of "$i" 2)
inbound.length = 1
outbound.length = 1
inbound.quantity = 2
outbound.quantity = 2
outproxy.enabled = false

[sam]
enabled = true
address = 127.0.0.1
port = $(port_of "$i" 4)

[bob]
enabled = false
[i2cp]
enabled = false
[i2pcontrol]
enabled = false
EOF
  : >"$R/tunnels.conf"
  for spec in "${SERVER_TUNNELS[@]}"; do
    IFS=: read -r tr tname tport <<<"$spec"
    ((tr == i)) || continue
    printf '[%s]\ntype = server\nhost = 127.0.0.1\nport = %s\nkeys = %s.dat\nsignaturetype = 7\n' "$tname" "$tport" "$tname" >>"$R/tunnels.conf"
    # 5 inbound tunnels: 2.45.1 publishes a lease set only when its inbound tunnels change and
    # gives up while no outbound tunnel is ready ("Can't publish LeaseSet. Destination is not
    # ready"); with 2 the tunnel's b32 stayed unreachable for minutes after bring-up
    printf 'inbound.length = 1\noutbound.length = 1\ninbound.quantity = 5\noutbound.quantity = 2\n\n' >>"$R/tunnels.conf"
  done
done

# All at once, floodfills first (the last ones): a router that dials a peer before that one listens
# marks it unreachable and drops what it has for it (i2pd's Transports::PostMessages) until its
# netDb clears the mark, up to a minute later. Started one at a time, 15 of 20 bring-ups logged
# such refused dials (3.5 per bring-up; all at once: 1.6).
start_all_routers() {
  local i failed=""
  local launched=()
  for ((i = N - 1; i >= 0; i--)); do
    if launch_router "$i"; then launched+=("$i"); else failed+=" r$i"; fi
  done
  for i in "${launched[@]}"; do await_router "$i" || failed+=" r$i"; done
  [[ -z "$failed" ]] || fail "i2pd did not start:$failed (see their stdout.log)"
}

# ---------- phase 1: generate identities / router.info ----------
log "phase 1: generating $N router identities in $DIR"
start_all_routers
for ((i = 0; i < N; i++)); do
  t=0
  until [[ -s "$DIR/r$i/router.info" ]]; do
    sleep 0.1; t=$((t + 1))
    if ((t > 200)); then fail "r$i wrote no router.info"; fi
  done
done
# all at once: each takes ~2 s to exit
while read -r pid _; do kill -TERM "$pid" 2>/dev/null || true; done <"$DIR/pids"
while read -r pid _; do stop_pid "$pid"; done <"$DIR/pids"
: >"$DIR/pids"

# ---------- seed every netDb with every other router.info ----------
ident_len() { local certlen; certlen=$(od -An -tu1 -j385 -N2 "$1" | awk '{print $1*256+$2}'); echo $((387 + certlen)); }
ri_name() { # routerInfo-<i2p-base64(sha256(identity))>.dat ; identity = 387 + certlen bytes
  head -c "$(ident_len "$1")" "$1" | openssl dgst -sha256 -binary | base64 -w0 | tr '+/' '-~'
}
b32_of_keys() { # .b32.i2p label of an i2pd keys file: base32(sha256(destination)), lower-case, unpadded
  head -c "$(ident_len "$1")" "$1" | openssl dgst -sha256 -binary | base32 -w0 | tr -d '=' | tr 'A-Z' 'a-z'
}
for ((i = 0; i < N; i++)); do
  h=$(ri_name "$DIR/r$i/router.info")
  for ((j = 0; j < N; j++)); do
    if ((i == j)); then continue; fi
    mkdir -p "$DIR/r$j/netDb/r${h:0:1}"
    cp "$DIR/r$i/router.info" "$DIR/r$j/netDb/r${h:0:1}/routerInfo-$h.dat"
  done
  echo "$h" >"$DIR/r$i/ident.b64"
done

# ---------- phase 2: start for real ----------
log "phase 2: starting $N routers (netid $NETID, $NFF floodfill)"
start_all_routers

sam_hello() { # port -> 0 if SAM answers HELLO
  local out
  out=$(exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'HELLO VERSION MIN=3.0 MAX=3.3\n' >&3 && timeout 3 head -n1 <&3) 2>/dev/null || return 1
  [[ $out == "HELLO REPLY RESULT=OK"* ]]
}
expl_count() { # port dir(in|out) -> number of established exploratory tunnels with >=1 hop
  local page
  page=$(curl -s --max-time 3 "http://127.0.0.1:$1/?page=tunnels" 2>/dev/null) || { echo 0; return; }
  if [[ $2 == in ]]; then
    sed -n '/Inbound tunnels/,/Outbound tunnels/p' <<<"$page" | { grep -cE '&#8658; [^ ]+ &#8658;.*established \(exploratory\)' || true; }
  else
    sed -n '/Outbound tunnels/,$p' <<<"$page" | { grep -cE ':me &#8658; [^ ]+ &#8658;.*established \(exploratory\)' || true; }
  fi
}

# A router can stay without inbound exploratory tunnels for minutes while the others have
# theirs (test/README.md, "Bring-up stalls"); a restart with the same identity clears it.
restarts=0
started=(); for ((i = 0; i < N; i++)); do started[i]=$(date +%s); done
deadline=$(($(date +%s) + TIMEOUT))
while :; do
  ready=0; status=""; oks=()
  for ((i = 0; i < N; i++)); do
    pid=$(awk -v r="r$i" '$2==r{print $1}' "$DIR/pids")
    kill -0 "$pid" 2>/dev/null || fail "router r$i (pid $pid) died"
    ok=1; s=0; ein=0; eout=0
    sam_hello "$(port_of "$i" 4)" && s=1 || ok=0
    if ((MIN_EXPL > 0)); then
      ein=$(expl_count "$(port_of "$i" 1)" in); eout=$(expl_count "$(port_of "$i" 1)" out)
      if ! ((ein >= MIN_EXPL && eout >= MIN_EXPL)); then ok=0; fi
    fi
    status+=" r$i:sam=$s,in=$ein,out=$eout"
    ready=$((ready + ok)); oks[i]=$ok
  done
  if ((ready == N)); then break; fi
  if (($(date +%s) > deadline)); then fail "not ready after ${TIMEOUT}s (restarts: $restarts):$status"; fi
  for ((i = 0; i < N && ready > 0; i++)); do
    stalled=$(($(date +%s) - started[i]))
    if ((oks[i] || stalled < STALL_SECONDS || restarts >= MAX_RESTARTS)); then continue; fi
    restarts=$((restarts + 1))
    log "restarting r$i (restart $restarts of $MAX_RESTARTS): not ready ${stalled}s after its start while $ready of $N routers are:$status"
    "$HERE/restart.sh" "$DIR" "$i" restart >/dev/null || fail "restart of r$i failed"
    started[i]=$(date +%s)
  done
  log "waiting:$status"
  sleep 3
done

if [[ -n "${I2P_NET_OWNER_PID:-}" ]]; then
  # detached watchdog: its own session, no inherited stdout (the caller waits for EOF on it)
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [[ -f "$2/pids" ]]; do sleep 2; done; [[ -f "$2/pids" ]] && "$3/down.sh" "$2"' \
    watchdog "$I2P_NET_OWNER_PID" "$DIR" "$HERE" </dev/null >/dev/null 2>&1 &
fi

T1=$(date +%s.%N)
SECS=$(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.1f", b-a}')
{
  echo "I2P_NET_DIR=$DIR"
  echo "I2P_NET_ROUTERS=$N"
  echo "I2P_NET_BOOT_SECONDS=$SECS"
  for ((i = 0; i < N; i++)); do
    echo "I2P_SAM_PORT_$i=$(port_of "$i" 4)"
    echo "I2P_SOCKS_PORT_$i=$(port_of "$i" 2)"
    echo "I2P_HTTP_PORT_$i=$(port_of "$i" 1)"
  done
  for spec in "${SERVER_TUNNELS[@]}"; do
    IFS=: read -r tr tname tport <<<"$spec"
    [[ -s "$DIR/r$tr/$tname.dat" ]] || fail "server tunnel $tname wrote no keys"
    echo "I2P_TUNNEL_${tname^^}_B32=$(b32_of_keys "$DIR/r$tr/$tname.dat").b32.i2p"
  done
} >"$DIR/net.env"
cat "$DIR/net.env"
log "ready in ${SECS}s: SAM ports $(seq -s ' ' $((BASE + 4)) 10 $((BASE + 10 * (N - 1) + 4))), SOCKS ports $(seq -s ' ' $((BASE + 2)) 10 $((BASE + 10 * (N - 1) + 2)))"
