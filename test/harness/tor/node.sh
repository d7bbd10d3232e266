#!/usr/bin/env bash
# node.sh DIR stop|start NAME -- stop or (re)start one tor of a network made by up.sh, e.g. the
# client, to test how veilnode behaves while Tor is gone. "start" waits for "Bootstrapped 100%"
# in the restarted node's log (TOR_NET_TIMEOUT seconds, default 120) and prints RESTART_SECONDS.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

DIR=${1:?usage: node.sh DIR stop|start NAME}; CMD=${2:?}; NAME=${3:?}
DIR=$(cd "$DIR" && pwd -P)
[ -f "$DIR/$MARKER" ] || die "$DIR was not made by up.sh"
[ -f "$DIR/$NAME/torrc" ] || die "no tor named $NAME in $DIR"
case "$CMD" in
  stop) stop_tor_node "$DIR" "$NAME" ;;
  start)
    T0=$(now)
    before=$(grep -c 'Bootstrapped 100%' "$DIR/$NAME/notice.log" 2>/dev/null || true)
    start_tor_node "$DIR" "$NAME"
    deadline=$(( $(date +%s) + ${TOR_NET_TIMEOUT:-120} ))
    until [ "$(grep -c 'Bootstrapped 100%' "$DIR/$NAME/notice.log" 2>/dev/null || true)" -gt "${before:-0}" ]; do
      [ "$(date +%s)" -lt "$deadline" ] || die "tor $NAME did not bootstrap again"
      sleep 0.25
    done
    echo "RESTART_SECONDS=$(elapsed "$T0")" ;;
  *) die "unknown command $CMD (stop|start)" ;;
esac
