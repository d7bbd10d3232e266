#!/usr/bin/env bash
# Installs veilnode the way a user without the repository would: packs every workspace package
# the `veilnode` bin needs (the package declaring the bin, the plugins the embedded default
# config loads, and their workspace dependencies; found from the package.json files, so it
# keeps working when packages move), installs the tarballs together with
# `npm install -g --prefix TMP` from a temporary folder outside the repository, then checks
# that `veilnode --help` works and that a regtest node (it dials nobody) starts, answers its
# RPC and stops on SIGTERM; where systemd-analyze is installed, it verifies the example systemd
# unit against that bin. Our packages never come from a registry: their scope points at a
# closed local port, so npm's lookup fails at once (no retries) and it takes the sibling
# tarball; third-party dependencies come from the npm cache or the registry.
# Needs the workspaces built (`npm ci` or `npx tsc -b`) and curl. Ports: MONERO_BASE_PORT+380
# (p2p) and +381 (RPC), loopback only.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base="${MONERO_BASE_PORT:-18800}"
p2p_port=$((base + 380))
rpc_port=$((base + 381))
work="$(mktemp -d "${TMPDIR:-/tmp}/veilnode-pack-XXXXXX")"
node_pid=""
cleanup() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then kill -KILL "$node_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf 'pack-install-check: %s\n' "$*"; }

# Workspace folders (relative to the root) of the packages the bin needs.
mapfile -t needed < <(cd "$root" && npm query .workspace | node -e '
  const fs = require("node:fs");
  const path = require("node:path");
  const root = process.argv[1];
  const JSON5 = require(require.resolve("json5", { paths: [root] }));
  const all = JSON.parse(fs.readFileSync(0, "utf8"));
  const byName = new Map(all.filter((p) => !p.private && Array.isArray(p.files)).map((p) => [p.name, p]));
  const bin = [...byName.values()].find((p) => p.bin && p.bin.veilnode);
  if (!bin) throw new Error("no publishable workspace package declares the veilnode bin");
  const defaults = JSON5.parse(fs.readFileSync(path.join(root, "config", "default.json5"), "utf8"));
  const queue = [bin.name, ...(defaults.plugins || [])];
  const seen = new Set();
  while (queue.length > 0) {
    const name = queue.shift();
    if (seen.has(name)) continue;
    const pkg = byName.get(name);
    if (!pkg) throw new Error(`the veilnode bin needs ${name}, which is no publishable workspace package`);
    seen.add(name);
    queue.push(...Object.keys(pkg.dependencies || {}).filter((dep) => byName.has(dep)));
  }
  for (const name of seen) console.log(byName.get(name).location);
' "$root")
say "packing ${#needed[@]} packages: ${needed[*]}"
mkdir -p "$work/tarballs" "$work/prefix" "$work/home" "$work/data"
for location in "${needed[@]}"; do
  (cd "$root" && npm pack --silent -w "$location" --pack-destination "$work/tarballs" > /dev/null)
done

say "installing them globally into a temporary prefix"
(cd "$work" && npm install -g --prefix "$work/prefix" --no-audit --no-fund --prefer-offline --fetch-retries=0 \
  --@veilnode:registry=http://127.0.0.1:9/ "$work"/tarballs/*.tgz > "$work/install.log" 2>&1) \
  || { cat "$work/install.log"; exit 1; }
bin="$work/prefix/bin/veilnode"

say "veilnode --help"
(cd "$work" && HOME="$work/home" "$bin" --help) > "$work/help.txt"
grep -q -- '--regtest' "$work/help.txt" || { say "--help does not list --regtest"; cat "$work/help.txt"; exit 1; }

if command -v systemd-analyze > /dev/null; then
  say "systemd-analyze verify config/examples/veilnode.service (ExecStart pointed at the installed bin)"
  sed "s|^ExecStart=/usr/bin/veilnode |ExecStart=$bin |" "$root/config/examples/veilnode.service" > "$work/veilnode.service"
  grep -q "^ExecStart=$bin " "$work/veilnode.service" || { say "veilnode.service has no ExecStart=/usr/bin/veilnode line"; exit 1; }
  systemd-analyze verify "$work/veilnode.service"
fi

say "a regtest node starts (p2p $p2p_port, RPC $rpc_port) and stops on SIGTERM"
(cd "$work" && HOME="$work/home" exec "$bin" --regtest --data-dir "$work/data" --p2p-bind-port "$p2p_port" --rpc-bind-port "$rpc_port") > "$work/node.log" 2>&1 &
node_pid=$!
answered=""
for _ in $(seq 1 60); do
  if curl -sf "http://127.0.0.1:$rpc_port/get_info" > "$work/info.json" 2>/dev/null; then answered=1; break; fi
  kill -0 "$node_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$answered" ] || ! grep -q '"status":"OK"' "$work/info.json" || ! grep -q '"network":"regtest"' "$work/node.log"; then
  say "the installed node did not answer get_info as a regtest node"; cat "$work/node.log"; exit 1
fi
kill -TERM "$node_pid"
status=0
wait "$node_pid" || status=$?
node_pid=""
if [ "$status" -ne 0 ] || ! grep -q '"msg":"node stopped"' "$work/node.log"; then
  say "the installed node did not stop cleanly (exit $status)"; cat "$work/node.log"; exit 1
fi
say "ok"
