#!/usr/bin/env bash
# down.sh DIR -- stop the tors that up.sh/node.sh recorded in DIR/pids (by PID, never by name)
# and delete DIR. Safe to run twice or on a half-started network. TOR_NET_KEEP_DIR=1 keeps DIR.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

DIR=${1:?usage: down.sh DIR}
[ -d "$DIR" ] || { log "$DIR does not exist (already down)"; exit 0; }
DIR=$(cd "$DIR" && pwd -P)
[ -f "$DIR/$MARKER" ] || { log "$DIR was not made by up.sh; refusing"; exit 2; }

if [ -f "$DIR/pids" ]; then
  for name in $(awk '{ print $1 }' "$DIR/pids" | sort -u); do stop_tor_node "$DIR" "$name"; done
fi
if [ "${TOR_NET_KEEP_DIR:-0}" = 1 ]; then
  log "stopped; kept $DIR"
else
  rm -rf -- "$DIR"; log "stopped; removed $DIR"
fi
