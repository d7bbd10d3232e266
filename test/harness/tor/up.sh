#!/usr/bin/env bash
# up.sh [DIR] -- start a private Tor network on 127.0.0.1 only, for integration tests.
#
#   3 directory authorities (identity keys from tor-gencert), TOR_NET_RELAYS relays
#   (Guard/HSDir flags voted by the authorities, no exits: onion services need none),
#   1 client "client" (SocksPort + a second SocksPort with ExtendedErrors, ControlPort),
#   1 onion service node "hs": one v3 service with two virtual ports,
#     HS_VPORT -> 127.0.0.1:HS_TARGET_PORT and HS_VPORT_2 -> 127.0.0.1:HS_TARGET_PORT_2
#     (two independent targets, so two test suites can each own one).
#
# Ports (B = TOR_NET_BASE_PORT, default 15000), all on 127.0.0.1:
#   B+0..B+7 ORPorts, B+10..B+12 authority DirPorts, B+20..B+29 ControlPorts
#   (client = B+28, hs = B+29), B+30 SocksPort, B+31 SocksPort ExtendedErrors,
#   B+40, B+41 default onion-service targets (nothing listens there: the tests bring servers).
#
# stdout: KEY=VALUE lines (also in DIR/net.env); progress on stderr. Exit 0 only once the
# client reports "Bootstrapped 100%" and the onion descriptor was uploaded to an HSDir.
# Every started tor is recorded as "<name> <pid>" in DIR/pids; down.sh DIR stops exactly those,
# node.sh DIR stop|start <name> restarts one of them.
#
# Env: TOR_NET_BASE_PORT (15000), TOR_NET_RELAYS (3..5, default 4), TOR_NET_TIMEOUT (150 s),
#      TOR_NET_HS_VPORT (80), TOR_NET_HS_TARGET_PORT (B+40), TOR_NET_HS_VPORT_2 (18083),
#      TOR_NET_HS_TARGET_PORT_2 (B+41), TOR_NET_VOTING_INTERVAL (30 s),
#      TOR_NET_OWNER_PID (each tor exits when that process dies), TOR, TOR_GENCERT (binaries).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

TOR_GENCERT=${TOR_GENCERT:-$(command -v tor-gencert || echo /usr/bin/tor-gencert)}
[ -x "$TOR" ] || die "tor binary not found (apt-get install -y tor)"
[ -x "$TOR_GENCERT" ] || die "tor-gencert not found (apt-get install -y tor)"

B=${TOR_NET_BASE_PORT:-15000}
NRELAYS=${TOR_NET_RELAYS:-4}
TIMEOUT=${TOR_NET_TIMEOUT:-150}
HS_VPORT=${TOR_NET_HS_VPORT:-80}
HS_TARGET_PORT=${TOR_NET_HS_TARGET_PORT:-$((B + 40))}
HS_VPORT_2=${TOR_NET_HS_VPORT_2:-18083}
HS_TARGET_PORT_2=${TOR_NET_HS_TARGET_PORT_2:-$((B + 41))}
# 30 s, not less: in a TestingTorNetwork the onion-service time period is one shared-random run
# (24 voting rounds), so 12 s rounds rotated every onion's descriptors and HSDirs every 4 min,
# and CI runs met stretches of minutes in which onions answered "unreachable" (SOCKS 0x04).
VOTING=${TOR_NET_VOTING_INTERVAL:-30}
OWNER_PID=${TOR_NET_OWNER_PID:-}
[[ "$B" =~ ^[0-9]+$ ]] && [ "$B" -ge 1024 ] && [ "$B" -le 65000 ] || die "TOR_NET_BASE_PORT must be 1024..65000"
[[ "$NRELAYS" =~ ^[3-5]$ ]] || die "TOR_NET_RELAYS must be 3..5"
# vote delay + dist delay must stay below half the voting interval
case "$VOTING" in
  10|12) VDELAY=2 ;; 15) VDELAY=3 ;; 20) VDELAY=4 ;; 30) VDELAY=5 ;;
  *) die "TOR_NET_VOTING_INTERVAL must be one of 10 12 15 20 30" ;;
esac

if [ $# -ge 1 ] && [ -n "$1" ]; then
  DIR=$1; mkdir -p "$DIR"
  [ -z "$(ls -A "$DIR")" ] || die "$DIR is not empty"
else
  DIR=$(mktemp -d "${TMPDIR:-/tmp}/veilnode-tornet.XXXXXX")
fi
DIR=$(cd "$DIR" && pwd -P)
touch "$DIR/$MARKER"
: > "$DIR/pids"

SOCKS_PORT=$((B + 30)); SOCKS_PORT_EXT=$((B + 31))
CLIENT_CTRL=$((B + 28)); HS_CTRL=$((B + 29))

names=(a0 a1 a2)
for ((i = 0; i < NRELAYS; i++)); do names+=("r$i"); done

for p in $B $((B+1)) $((B+2)) $((B+10)) $((B+11)) $((B+12)) $SOCKS_PORT $SOCKS_PORT_EXT $CLIENT_CTRL $HS_CTRL; do
  port_busy "$p" && die "127.0.0.1:$p is already in use; choose another TOR_NET_BASE_PORT"
done
for ((i = 0; i < 3 + NRELAYS; i++)); do
  for p in $((B + i)) $((B + 20 + i)); do port_busy "$p" && die "127.0.0.1:$p is already in use; choose another TOR_NET_BASE_PORT"; done
done

ok=0
cleanup_on_failure() {
  [ "$ok" = 1 ] && return
  log "bring-up failed; stopping the tors started so far (logs kept in $DIR)"
  for f in "$DIR"/*/notice.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 5 "$f" >&2; }; done
  while read -r _ pid; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; done < "$DIR/pids" || true
}
trap cleanup_on_failure EXIT
trap 'exit 130' INT TERM

T0=$(now)
for n in "${names[@]}" client hs; do mkdir -p "$DIR/$n/keys"; chmod 700 "$DIR/$n"; done

# Authority identity keys: RSA-3072, ~1.5 s each, so make the three in parallel.
jobs_=()
for i in 0 1 2; do
  printf '\n' | "$TOR_GENCERT" --create-identity-key --passphrase-fd 0 -m 12 \
    -a "127.0.0.1:$((B + 10 + i))" \
    -i "$DIR/a$i/keys/authority_identity_key" -s "$DIR/a$i/keys/authority_signing_key" \
    -c "$DIR/a$i/keys/authority_certificate" >/dev/null 2>"$DIR/a$i/gencert.err" &
  jobs_+=($!)
done
for i in 0 1 2; do wait "${jobs_[$i]}" || die "tor-gencert failed for a$i: $(cat "$DIR/a$i/gencert.err")"; done

DIRAUTHS=""
for i in 0 1 2; do
  v3ident=$(awk '$1 == "fingerprint" { print $2; exit }' "$DIR/a$i/keys/authority_certificate")
  fp=$("$TOR" --ignore-missing-torrc -f "$DIR/a$i/none" --DataDirectory "$DIR/a$i" --ORPort 1 \
        --list-fingerprint --quiet | awk 'NF { $1 = ""; gsub(/ /, ""); print }' | tail -n 1)
  [[ "$fp" =~ ^[0-9A-F]{40}$ && "$v3ident" =~ ^[0-9A-F]{40}$ ]] || die "no fingerprint for a$i"
  DIRAUTHS+="DirAuthority a$i orport=$((B + i)) no-v2 v3ident=$v3ident 127.0.0.1:$((B + 10 + i)) $fp"$'\n'
done
log "authority keys made ($(elapsed "$T0") s)"

torrc_common() { # name index
  cat <<CONF
TestingTorNetwork 1
DataDirectory $DIR/$1
PidFile $DIR/$1/pid
RunAsDaemon 1
Nickname $1
Log notice file $DIR/$1/notice.log
SafeLogging 0
LogTimeGranularity 1
ShutdownWaitLength 0
Sandbox 0
ControlPort 127.0.0.1:$((B + 20 + $2))
CookieAuthentication 1
AddressDisableIPv6 1
ClientUseIPv6 0
ConnLimit 64
PathsNeededToBuildCircuits 0.67
TestingDirAuthVoteGuard *
TestingDirAuthVoteHSDir *
TestingMinExitFlagThreshold 0
V3AuthNIntervalsValid 2
CONF
  [ -n "$OWNER_PID" ] && echo "__OwningControllerProcess $OWNER_PID"
  printf '%s' "$DIRAUTHS"
}
torrc_relay() { # index
  cat <<CONF
ORPort 127.0.0.1:$((B + $1))
Address 127.0.0.1
AssumeReachable 1
ContactInfo tor-net-$1@localhost.invalid
SocksPort 0
ExitRelay 0
ExitPolicy reject *:*
ServerDNSResolvConfFile /dev/null
ServerDNSDetectHijacking 0
ServerDNSTestAddresses
CONF
}

# Shift the voting schedule so the first vote comes one full interval after start: the relays
# then have time to upload descriptors and the first consensus lists all of them.
offset=$(( $(date +%s) % VOTING ))
for i in 0 1 2; do
  { torrc_common "a$i" "$i"; torrc_relay "$i"; cat <<CONF
DirPort 127.0.0.1:$((B + 10 + i))
AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
TestingV3AuthInitialVotingInterval $VOTING
TestingV3AuthInitialVoteDelay $VDELAY
TestingV3AuthInitialDistDelay $VDELAY
V3AuthVotingInterval $VOTING
V3AuthVoteDelay $VDELAY
V3AuthDistDelay $VDELAY
TestingV3AuthVotingStartOffset $offset
CONF
  } > "$DIR/a$i/torrc"
done
for ((i = 0; i < NRELAYS; i++)); do
  # Not a directory cache: clients fetch microdescriptors from the authorities, which have them all.
  { torrc_common "r$i" $((3 + i)); torrc_relay $((3 + i)); echo "DirCache 0"; } > "$DIR/r$i/torrc"
done
{ torrc_common client 8; cat <<CONF
SocksPort 127.0.0.1:$SOCKS_PORT
SocksPort 127.0.0.1:$SOCKS_PORT_EXT ExtendedErrors
SocksPolicy accept 127.0.0.1
SocksPolicy reject *
CONF
} > "$DIR/client/torrc"
mkdir -p "$DIR/hs/onion"; chmod 700 "$DIR/hs/onion"
{ torrc_common hs 9; cat <<CONF
SocksPort 0
Log [rend]info file $DIR/hs/rend.log
HiddenServiceDir $DIR/hs/onion
HiddenServiceVersion 3
HiddenServicePort $HS_VPORT 127.0.0.1:$HS_TARGET_PORT
HiddenServicePort $HS_VPORT_2 127.0.0.1:$HS_TARGET_PORT_2
CONF
} > "$DIR/hs/torrc"

for n in "${names[@]}"; do start_tor_node "$DIR" "$n"; done
log "authorities and $NRELAYS relays started ($(elapsed "$T0") s)"

# Start client and service only when every authority serves a consensus listing all relays:
# an earlier client collects 404s and backs off for seconds.
want=$((3 + NRELAYS)); deadline=$(( $(date +%s) + TIMEOUT ))
while :; do
  n_ok=0
  for i in 0 1 2; do
    c=$DIR/a$i/cached-microdesc-consensus
    [ -f "$c" ] && [ "$(grep -c '^r ' "$c")" -ge "$want" ] && n_ok=$((n_ok + 1))
  done
  [ "$n_ok" = 3 ] && break
  check_alive "$DIR"
  [ "$(date +%s)" -lt "$deadline" ] || die "no consensus with all $want relays within ${TIMEOUT}s"
  sleep 0.2
done
CONS_S=$(elapsed "$T0")
log "consensus lists all $want relays ($CONS_S s)"
start_tor_node "$DIR" client
start_tor_node "$DIR" hs

boot_s="" desc_s="" onion=""
deadline=$(( $(date +%s) + TIMEOUT ))
while [ -z "$boot_s" ] || [ -z "$desc_s" ] || [ -z "$onion" ]; do
  check_alive "$DIR"
  if [ -z "$boot_s" ] && grep -q 'Bootstrapped 100%' "$DIR/client/notice.log" 2>/dev/null; then
    boot_s=$(elapsed "$T0"); log "client bootstrapped ($boot_s s)"
  fi
  [ -z "$onion" ] && [ -s "$DIR/hs/onion/hostname" ] && onion=$(tr -d '[:space:]' < "$DIR/hs/onion/hostname")
  if [ -z "$desc_s" ] && grep -q 'Uploading hidden service descriptor: finished with status 200' "$DIR/hs/rend.log" 2>/dev/null; then
    desc_s=$(elapsed "$T0"); log "onion descriptor uploaded ($desc_s s)"
  fi
  [ "$(date +%s)" -lt "$deadline" ] || die "timeout after ${TIMEOUT}s (bootstrapped: ${boot_s:-no}, descriptor: ${desc_s:-no})"
  sleep 0.25
done

cat > "$DIR/net.env" <<ENV
TOR_NET_DIR=$DIR
SOCKS_HOST=127.0.0.1
SOCKS_PORT=$SOCKS_PORT
SOCKS_PORT_EXT=$SOCKS_PORT_EXT
CONTROL_PORT_CLIENT=$CLIENT_CTRL
CONTROL_PORT_HS=$HS_CTRL
ONION_HOSTNAME=$onion
HS_VPORT=$HS_VPORT
HS_TARGET_PORT=$HS_TARGET_PORT
HS_VPORT_2=$HS_VPORT_2
HS_TARGET_PORT_2=$HS_TARGET_PORT_2
CONSENSUS_SECONDS=$CONS_S
BOOTSTRAP_SECONDS=$boot_s
DESC_PUBLISHED_SECONDS=$desc_s
ENV
ok=1
cat "$DIR/net.env"
