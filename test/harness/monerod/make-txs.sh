#!/usr/bin/env bash
# Write N valid, signed, NOT relayed regtest transactions as "txid hex" lines.
#
#   make-txs.sh DIR N [OUTFILE]     DIR from up.sh (uses node0's RPC); OUTFILE default DIR/txs.txt
#
# MAKE_TXS_BIG_INPUTS=K (K >= 2) appends one more, larger tx: sweep_all over K further unlocked
# outputs (every other output frozen first), so it spends K inputs, disjoint from the N others.
#
# Starts monero-wallet-rpc once per DIR (its PID goes to DIR/pids so down.sh stops it), creates
# a fresh wallet, mines max(100, N+70) blocks to it with generateblocks (coinbase outputs unlock
# after 60 blocks), then for N distinct unlocked outputs calls sweep_single with do_not_relay and
# get_tx_hex: one input per tx, so the N txs spend disjoint key images and fit in one pool.
# The txid is the one monero-wallet-rpc reports. Timings go to stderr and DIR/make-txs.timing.
set -euo pipefail
DIR=${1:?usage: make-txs.sh DIR N [OUTFILE]}
N=${2:?usage: make-txs.sh DIR N [OUTFILE]}
OUT=${3:-$DIR/txs.txt}
WALLET_RPC=${MONERO_WALLET_RPC:-monero-wallet-rpc}
command -v "$WALLET_RPC" > /dev/null || { echo "monero-wallet-rpc not found" >&2; exit 127; }
# shellcheck disable=SC1091
source "$DIR/env"
WPORT=$((MONERO_BASE_PORT + 5))
W=http://127.0.0.1:$WPORT/json_rpc
D=http://127.0.0.1:$NODE0_RPC/json_rpc
now() { date +%s.%N; }
rpc() { curl -sSf "$1" -H 'Content-Type: application/json' \
  -d "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"$2\",\"params\":${3:-{\}}}"; }
# jget EXPR: evaluate a JS expression over the JSON document on stdin (bound to r)
jget() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);if(r.error){console.error(JSON.stringify(r.error));process.exit(1)}const v=eval(process.argv[1]);console.log(Array.isArray(v)?v.join("\n"):v)})' "$1"; }

# wallet calls can fail transiently while monerod is busy (seen: "Failed to get earliest fork
# height" under CPU load): retry a few times before giving up
wallet_call() {
  local out
  for attempt in 1 2 3 4 5; do
    if out=$(rpc "$W" "$1" "${2:-{\}}" | jget "$3" 2> "$DIR/wallet/last-error"); then echo "$out"; return 0; fi
    echo "wallet $1 failed (attempt $attempt): $(cat "$DIR/wallet/last-error")" >&2
    sleep 1
  done
  return 1
}

t0=$(now)
mkdir -p "$DIR/wallet"
if ! grep -q '^wallet-rpc ' "$DIR/pids"; then
  "$WALLET_RPC" --daemon-address "127.0.0.1:$NODE0_RPC" --trusted-daemon \
    --rpc-bind-ip 127.0.0.1 --rpc-bind-port "$WPORT" --disable-rpc-login \
    --wallet-dir "$DIR/wallet" --log-file "$DIR/wallet/wallet-rpc.log" --log-level 0 \
    --non-interactive --detach --pidfile "$DIR/wallet/wallet-rpc.pid" > "$DIR/wallet/stdout.log" 2>&1
  for _ in $(seq 1 100); do [[ -s "$DIR/wallet/wallet-rpc.pid" ]] && break; sleep 0.1; done
  echo "wallet-rpc $(cat "$DIR/wallet/wallet-rpc.pid")" >> "$DIR/pids"
  for _ in $(seq 1 150); do rpc "$W" get_version > /dev/null 2>&1 && break; sleep 0.2; done
fi
W_NAME="w$(date +%s%N)"
wallet_call create_wallet "{\"filename\":\"$W_NAME\",\"password\":\"\",\"language\":\"English\"}" 'r.result' > /dev/null
ADDR=$(wallet_call get_address '{"account_index":0}' 'r.result.address')
t1=$(now)

BIG=${MAKE_TXS_BIG_INPUTS:-0}
BLOCKS=$((N + BIG + 70)); ((BLOCKS < 100)) && BLOCKS=100
# monerod answers BUSY until it has synchronised with a peer (see up.sh)
for ((try = 0; ; try++)); do
  # a failed call (monerod still starting, or busy) counts as not OK yet
  st=$(rpc "$D" generateblocks "{\"amount_of_blocks\":1,\"wallet_address\":\"$ADDR\",\"starting_nonce\":0}" | jget 'r.result.status' 2> /dev/null || true)
  [[ $st == OK ]] && break
  ((try < 150)) || { echo "generateblocks still ${st:-failing} after 30 s: monerod has no synchronised peer" >&2; exit 1; }
  sleep 0.2
done
left=$((BLOCKS - 1))
while ((left > 0)); do   # chunks keep each RPC call short
  n=$((left > 100 ? 100 : left))
  rpc "$D" generateblocks "{\"amount_of_blocks\":$n,\"wallet_address\":\"$ADDR\",\"starting_nonce\":0}" > /dev/null
  left=$((left - n))
done
t2=$(now)

wallet_call refresh '{}' 'r.result.blocks_fetched' > /dev/null
# all unlocked key images, then sliced with sed (which reads everything): `| head` on the
# wallet call would close the pipe early and kill the writer with SIGPIPE, which pipefail turns
# into a silent exit 141. The first N go to sweep_single, the next BIG to the big tx.
ALL_KIS=$(wallet_call incoming_transfers '{"transfer_type":"available"}' \
  'r.result.transfers.filter(t => t.unlocked && !t.frozen).map(t => t.key_image)')
KIS=$(sed -n "1,${N}p" <<< "$ALL_KIS")
have=$(grep -c . <<< "$ALL_KIS" || true)
((have >= N + BIG)) || { echo "only $have unlocked outputs" >&2; exit 1; }
t3=$(now)

: > "$OUT"
for ki in $KIS; do
  wallet_call sweep_single "{\"address\":\"$ADDR\",\"key_image\":\"$ki\",\"do_not_relay\":true,\"get_tx_hex\":true}" \
    'r.result.tx_hash + " " + r.result.tx_blob' >> "$OUT"
done
if ((BIG > 0)); then
  # freeze every output but K unused ones: sweep_all then spends exactly those K
  keep=$(sed -n "$((N + 1)),$((N + BIG))p" <<< "$ALL_KIS")
  for ki in $ALL_KIS; do
    grep -qx "$ki" <<< "$keep" || wallet_call freeze "{\"key_image\":\"$ki\"}" 'r.result' > /dev/null
  done
  wallet_call sweep_all "{\"address\":\"$ADDR\",\"do_not_relay\":true,\"get_tx_hex\":true}" \
    'r.result.tx_hash_list[0] + " " + r.result.tx_blob_list[0]' >> "$OUT"
fi
t4=$(now)
node -e '
const [t0, t1, t2, t3, t4] = process.argv.slice(1, 6).map(Number); const b = +process.argv[6], n = +process.argv[7];
console.log(`wallet-rpc start+create: ${(t1 - t0).toFixed(2)}s`);
console.log(`generateblocks ${b}: ${(t2 - t1).toFixed(2)}s (${((t2 - t1) / b * 1000).toFixed(0)} ms/block)`);
console.log(`wallet refresh: ${(t3 - t2).toFixed(2)}s`);
console.log(`sweep_single x${n}: ${(t4 - t3).toFixed(2)}s (${((t4 - t3) / Math.max(n, 1) * 1000).toFixed(0)} ms/tx)`);
console.log(`total: ${(t4 - t0).toFixed(2)}s`);' "$t0" "$t1" "$t2" "$t3" "$t4" "$BLOCKS" "$N" | tee "$DIR/make-txs.timing" >&2
echo "$OUT"
