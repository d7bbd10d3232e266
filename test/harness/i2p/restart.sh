#!/usr/bin/env bash
# restart.sh DIR I [stop|start|restart] -- stop router rI of a network up.sh made (only the
# PID recorded in DIR/pids, and only if it still runs a config from DIR), start it again with
# the same config and identity, or both (default). Prints the new PID on start.
set -euo pipefail
DIR=${1:?usage: restart.sh DIR I [stop|start|restart]}
I=${2:?router index}
ACTION=${3:-restart}
DIR=$(cd "$DIR" && pwd)
I2PD=$(cat "$DIR/i2pd.path")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fail() { echo "restart: $*" >&2; exit 1; }
# shellcheck source=router.sh
source "$HERE/router.sh"
[[ -d "$DIR/r$I" ]] || fail "no router r$I in $DIR"

if [[ $ACTION == stop || $ACTION == restart ]]; then
  pid=$(pid_of_router "$I")
  if [[ -n "$pid" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--conf=$DIR/"; then stop_pid "$pid"; fi
  grep -v " r$I\$" "$DIR/pids" >"$DIR/pids.tmp" || true
  mv "$DIR/pids.tmp" "$DIR/pids"
fi
if [[ $ACTION == start || $ACTION == restart ]]; then
  start_router "$I"
  pid_of_router "$I"
fi
