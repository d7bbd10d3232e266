#!/usr/bin/env bash
# A plugin as a third party ships it, outside the repository: packs @veilnode/plugin-api,
# @veilnode/compliance and @veilnode/clearnet with `npm pack`, installs the tarballs into a
# fresh project in a temp dir, builds PLUGINS.md's worked example there (the Kovri plugin, every
# file taken from the guide's code blocks), runs the compliance suite on it, and packs it. An
# operator's directory then installs the node (@veilnode/node and @veilnode/protocol), clearnet
# and the example from their tarballs: the plugins' peer dependency resolves to the node's own
# @veilnode/plugin-api, one copy, which the check counts. The installed veilnode bin starts on
# the guide's config example loading the example: the plugin's own --kovri-router option is
# listed by --help and checked by its schema; the node runs --regtest (it dials nobody),
# loopback only, and the clearnet listener must be on --p2p-bind-port. The node is stopped by
# its PID.
#
# Ports: MONERO_BASE_PORT (default 18800) + 440 (p2p) and + 441 (RPC).
# Third-party packages (typescript, mocha, chai, @types, the node's dependencies) come from the
# npm cache or registry; ours never do: their scope points at a closed local port.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
# the example targets the plugin API this tree builds (its major version is the ABI)
PLUGIN_API_VERSION=$(node -p "require('./packages/plugin-api/package.json').version")
# shellcheck source=lib/pack-workspaces.sh
source scripts/lib/pack-workspaces.sh

BASE=${MONERO_BASE_PORT:-18800}
P2P_PORT=$((BASE + 440))
RPC_PORT=$((BASE + 441))
WORK=$(mktemp -d "${TMPDIR:-/tmp}/veilnode-plugin-pack.XXXXXX")
NODE_PID=
cleanup() {
  if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then kill -KILL "$NODE_PID"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
step() { printf -- '--- %s (%ss)\n' "$*" "$SECONDS"; }
fail() {
  printf 'plugin-pack-check: %s\n' "$*" >&2
  exit 1
}

step "build and pack the workspaces a plugin author installs"
npx --no-install tsc -b
mapfile -t TARBALLS < <(pack_workspaces "$WORK/tarballs" packages/plugin-api plugins/compliance transports/clearnet packages/protocol packages/node)
PLUGIN_API=${TARBALLS[0]} COMPLIANCE=${TARBALLS[1]} CLEARNET=${TARBALLS[2]} PROTOCOL=${TARBALLS[3]} NODE=${TARBALLS[4]}
NO_REGISTRY_FOR_OURS=(--@veilnode:registry=http://127.0.0.1:9/ --fetch-retries=0)

step "write the example plugin's project from PLUGINS.md"
PROJECT=$WORK/kovri-example
mkdir -p "$PROJECT/src" "$PROJECT/test"
# The guide's file-marked blocks (test/unit/plugins-guide.test.ts holds them equal to the repo's files).
node - "$ROOT/PLUGINS.md" "$PROJECT" <<'JS'
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const [guide, project] = process.argv.slice(2);
const blocks = [...readFileSync(guide, 'utf8').matchAll(/^```\w+ (file|config)=(\S+)\n([\s\S]*?)^```$/gm)];
const files = blocks.filter(([, kind]) => kind === 'file').map(([, , file, body]) => [file, body]);
// The Kovri package's src/ and test/ files, each shown whole in the guide.
const wanted = ['src/kovri-plugin.ts', 'src/kovri-address-codec.ts', 'src/kovri-router.ts', 'src/kovri-transport.ts', 'src/index.ts', 'test/kovri-compliance.test.ts'];
for (const file of wanted) {
  const body = files.find(([shown]) => shown === `transports/kovri/${file}`)?.[1];
  if (body === undefined) throw new Error(`PLUGINS.md has no block file=transports/kovri/${file}`);
  writeFileSync(path.join(project, file), body);
}
const config = blocks.find(([, kind]) => kind === 'config');
if (config === undefined) throw new Error('PLUGINS.md has no config= block');
// The guide loads the package by name; here the operator installed it as kovri-example.
const body = config[3].replace("'@veilnode/kovri'", "'kovri-example'");
if (body === config[3]) throw new Error("PLUGINS.md's config example does not list '@veilnode/kovri'");
writeFileSync(path.join(project, '..', config[2]), body);
JS
cat > "$PROJECT/package.json" <<JSON
{
  "name": "kovri-example",
  "version": "0.1.0",
  "private": true,
  "main": "dist/src/index.js",
  "peerDependencies": { "@veilnode/plugin-api": "^$PLUGIN_API_VERSION" },
  "devDependencies": {
    "@veilnode/plugin-api": "file:$PLUGIN_API",
    "@veilnode/compliance": "file:$COMPLIANCE",
    "@types/mocha": "^10.0.10",
    "@types/node": "^20.19.43",
    "chai": "^4.5.0",
    "mocha": "^11.8.0",
    "typescript": "~5.9.3"
  }
}
JSON
cat > "$PROJECT/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2023"],
    "module": "node16",
    "moduleResolution": "node16",
    "strict": true,
    "rootDir": ".",
    "outDir": "dist",
    "types": ["node", "mocha"]
  },
  "include": ["src", "test"]
}
JSON

step "install the tarballs (and typescript, mocha, chai from the registry)"
(cd "$PROJECT" && npm install --no-audit --no-fund --prefer-offline --loglevel=error "${NO_REGISTRY_FOR_OURS[@]}")
for package in plugin-api compliance; do
  [ -L "$PROJECT/node_modules/@veilnode/$package" ] && fail "@veilnode/$package is a link, not installed from its tarball"
  [ -f "$PROJECT/node_modules/@veilnode/$package/package.json" ] || fail "@veilnode/$package is not installed"
done

step "build the plugin against the installed API"
(cd "$PROJECT" && npx --no-install tsc -p .)

step "run the compliance suites on it"
(cd "$PROJECT" && npx --no-install mocha --exit 'dist/test/**/*.test.js')

step "pack the example"
EXAMPLE=$(cd "$PROJECT" && npm pack --silent --json --pack-destination "$WORK/tarballs" | node -e '
  let text = "";
  process.stdin.on("data", (c) => (text += c)).on("end", () => console.log(JSON.parse(text)[0].filename));
')
EXAMPLE=$WORK/tarballs/$EXAMPLE

step "an operator's directory: the node, clearnet and the example from their tarballs"
OPERATOR=$WORK
cat > "$OPERATOR/package.json" <<JSON
{ "name": "operator", "version": "0.0.0", "private": true,
  "dependencies": { "@veilnode/node": "file:$NODE", "@veilnode/protocol": "file:$PROTOCOL", "@veilnode/plugin-api": "file:$PLUGIN_API",
    "@veilnode/clearnet": "file:$CLEARNET", "kovri-example": "file:$EXAMPLE" } }
JSON
(cd "$OPERATOR" && npm install --no-audit --no-fund --prefer-offline --loglevel=error "${NO_REGISTRY_FOR_OURS[@]}")
VEILNODE=("$OPERATOR/node_modules/.bin/veilnode")

step "one copy of @veilnode/plugin-api: the node's, which both plugins' peer dependency resolves to"
copies=$(cd "$OPERATOR" && find -L node_modules -path '*/@veilnode/plugin-api/package.json')
printf '%s\n' "$copies"
[ "$copies" = "node_modules/@veilnode/plugin-api/package.json" ] || fail "expected one @veilnode/plugin-api in the operator's node_modules, found: $copies"
for package in @veilnode/node @veilnode/clearnet kovri-example; do
  resolved=$(cd "$OPERATOR" && node -e '
    const path = require("node:path");
    const from = path.dirname(require.resolve(`${process.argv[1]}/package.json`));
    console.log(require.resolve("@veilnode/plugin-api", { paths: [from] }));
  ' "$package")
  [ "$resolved" = "$OPERATOR/node_modules/@veilnode/plugin-api/dist/src/index.js" ] || fail "$package resolves @veilnode/plugin-api to $resolved"
done
listed=$(cd "$OPERATOR" && "${VEILNODE[@]}" plugins --config veilnode.json5)
printf '%s\n' "$listed"
grep -qx "  loaded from  @veilnode/clearnet -> $OPERATOR/node_modules/@veilnode/clearnet/dist/src/index.js" <<<"$listed" ||
  fail "@veilnode/clearnet was not loaded from the installed tarball"
grep -qx "  loaded from  kovri-example -> $OPERATOR/node_modules/kovri-example/dist/src/index.js" <<<"$listed" || fail "the example plugin was not loaded from its tarball"

step "the example's command-line option reaches its settings"
(cd "$OPERATOR" && "${VEILNODE[@]}" --config veilnode.json5 --help) | grep -q -- '--kovri-router HOST:PORT .*(plugin kovri)' ||
  fail "--help does not list the example plugin's --kovri-router"
refused=$(cd "$OPERATOR" && "${VEILNODE[@]}" plugins --config veilnode.json5 --kovri-router nonsense 2>&1) && fail "--kovri-router nonsense was accepted"
grep -qF 'kovri.router: expected HOST:PORT, got "nonsense"' <<<"$refused" && grep -qF '(from --kovri-router)' <<<"$refused" ||
  fail "--kovri-router nonsense was not refused by the plugin's schema: $refused"

step "start the node on --p2p-bind-port $P2P_PORT (--regtest, loopback)"
LOG=$WORK/node.log
(cd "$OPERATOR" && exec "${VEILNODE[@]}" --config veilnode.json5 --regtest --data-dir "$WORK/data" \
  --p2p-bind-ip 127.0.0.1 --p2p-bind-port "$P2P_PORT" --rpc-bind-ip 127.0.0.1 --rpc-bind-port "$RPC_PORT") >"$LOG" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 100); do
  grep -q '"msg":"node started"' "$LOG" && break
  kill -0 "$NODE_PID" 2>/dev/null || { cat "$LOG" >&2; fail "the node exited before it started"; }
  sleep 0.2
done
grep -q '"msg":"node started"' "$LOG" || { cat "$LOG" >&2; fail "the node did not start within 20 s"; }
grep -q 'Kovri is a stub' "$LOG" || { cat "$LOG" >&2; fail "the example plugin's zone did not start"; }
listeners=$(ss -Hltnp "( sport = :$P2P_PORT )")
grep -q "127.0.0.1:$P2P_PORT .*pid=$NODE_PID," <<<"$listeners" || { cat "$LOG" >&2; fail "no listener of the node (PID $NODE_PID) on 127.0.0.1:$P2P_PORT: ${listeners:-none}"; }

step "stop the node (SIGTERM to PID $NODE_PID)"
kill -TERM "$NODE_PID"
status=0
wait "$NODE_PID" || status=$?
NODE_PID=
[ "$status" -eq 0 ] || { cat "$LOG" >&2; fail "the node exited with $status on SIGTERM"; }
step "ok"
