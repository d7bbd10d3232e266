#!/usr/bin/env bash
# Start 1..N regtest monerod daemons on 127.0.0.1 only, for veilnode's integration tests.
#
#   up.sh [DIR]                  DIR default: a new mktemp dir. Prints KEY=VALUE lines (also in
#                                DIR/env) and, last, DIR=<dir>. DIR/pids holds "name pid" lines
#                                that down.sh stops (by PID only).
# Environment:
#   MONERO_BASE_PORT   default 18800; node i: p2p BASE+10i, rpc BASE+10i+1, anonymous-inbound
#                      BASE+10i+2 (when MONERO_ANON_INBOUND=1)
#   MONERO_NODES       default 1; the nodes list each other as --add-exclusive-node.
#                      monerod refuses generateblocks (BUSY) until it has synchronised with one
#                      peer: use 2 nodes, or connect a peer (veilnode) first.
#   MONERO_EXCLUSIVE_<i>  extra host:port list (space separated) node i gets as
#                      --add-exclusive-node (e.g. veilnode's own listener)
#   MONERO_ANON_INBOUND=1  also open an --anonymous-inbound listener that monerod treats as a Tor
#                      zone (a dummy .onion address; --tx-proxy points at a closed local port)
#   MONEROD_ARGS_<i>   extra args for node i
#   MONERO_P2P_BIND_IP_<i>  p2p listen IP of node i, default 127.0.0.1 (127.0.0.0/8 only); monerod
#                      also dials its peers from it, so a test can tell two daemons apart by IP
#   MONERO_LOG_LEVEL   default 1
#   MONEROD            default: monerod from PATH
set -euo pipefail
BASE=${MONERO_BASE_PORT:-18800}
NODES=${MONERO_NODES:-1}
LOGLVL=${MONERO_LOG_LEVEL:-1}
MONEROD=${MONEROD:-monerod}
command -v "$MONEROD" > /dev/null || { echo "monerod not found (set MONEROD or install the monero package)" >&2; exit 127; }
DIR=${1:-$(mktemp -d "${TMPDIR:-/tmp}/veilnode-monerod.XXXXXX")}
mkdir -p "$DIR"
: > "$DIR/pids"
{
  echo "MONERO_BASE_PORT=$BASE"
  echo "MONERO_NODES=$NODES"
} > "$DIR/env"
# a onion label monerod 0.18 accepts (56 base32 chars; 0.18 checks no checksum)
ONION=veilnodeveilnodeveilnodeveilnodeveilnodeveilnodeveilnode.onion

for ((i = 0; i < NODES; i++)); do
  P2P=$((BASE + 10 * i)); RPC=$((P2P + 1)); ANON=$((P2P + 2))
  mkdir -p "$DIR/node$i"
  EXCL=()
  for ((j = 0; j < NODES; j++)); do
    [[ $j == "$i" ]] || EXCL+=(--add-exclusive-node "127.0.0.1:$((BASE + 10 * j))")
  done
  excl_var="MONERO_EXCLUSIVE_$i"
  for peer in ${!excl_var:-}; do EXCL+=(--add-exclusive-node "$peer"); done
  # with no exclusive node at all monerod would consult seed nodes and DNS: give it a dead
  # loopback port instead
  [[ ${#EXCL[@]} == 0 ]] && EXCL=(--add-exclusive-node "127.0.0.1:$((BASE + 9))")
  ANON_ARGS=()
  if [[ ${MONERO_ANON_INBOUND:-0} == 1 ]]; then
    ANON_ARGS=(--tx-proxy "tor,127.0.0.1:$((BASE + 8)),disable_noise"
               --anonymous-inbound "$ONION:18083,127.0.0.1:$ANON")
    echo "NODE${i}_ANON=$ANON" >> "$DIR/env"
    echo "NODE${i}_ONION=$ONION" >> "$DIR/env"
  fi
  bind_var="MONERO_P2P_BIND_IP_$i"
  P2P_IP=${!bind_var:-127.0.0.1}
  [[ $P2P_IP == 127.* ]] || { echo "$bind_var=$P2P_IP is not a loopback address" >&2; exit 2; }
  extra_var="MONEROD_ARGS_$i"
  # shellcheck disable=SC2206
  EXTRA=(${!extra_var:-})
  "$MONEROD" --regtest --fixed-difficulty 1 \
    --data-dir "$DIR/node$i" \
    --p2p-bind-ip "$P2P_IP" --p2p-bind-port "$P2P" --no-igd \
    --rpc-bind-ip 127.0.0.1 --rpc-bind-port "$RPC" --no-zmq \
    --disable-dns-checkpoints --check-updates disabled \
    "${EXCL[@]}" "${ANON_ARGS[@]}" \
    --log-file "$DIR/node$i/monerod.log" --log-level "$LOGLVL" \
    --max-txpool-weight 268435456 --max-connections-per-ip "${MONERO_MAX_CONN_PER_IP:-16}" \
    --non-interactive --detach --pidfile "$DIR/node$i/monerod.pid" \
    "${EXTRA[@]}" > "$DIR/node$i/stdout.log" 2>&1
  # --detach returns once the daemon has forked; its pidfile appears shortly after
  for _ in $(seq 1 100); do [[ -s "$DIR/node$i/monerod.pid" ]] && break; sleep 0.1; done
  [[ -s "$DIR/node$i/monerod.pid" ]] || { echo "monerod$i wrote no pidfile, see $DIR/node$i" >&2; exit 1; }
  echo "monerod$i $(cat "$DIR/node$i/monerod.pid")" >> "$DIR/pids"
  echo "NODE${i}_P2P=$P2P" >> "$DIR/env"
  echo "NODE${i}_RPC=$RPC" >> "$DIR/env"
done

for ((i = 0; i < NODES; i++)); do
  RPC=$((BASE + 10 * i + 1)); ok=
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$RPC/get_info" > /dev/null 2>&1; then ok=1; break; fi
    sleep 0.2
  done
  [[ -n $ok ]] || { echo "monerod$i did not answer RPC, see $DIR/node$i" >&2; exit 1; }
done
cat "$DIR/env"
echo "DIR=$DIR"
