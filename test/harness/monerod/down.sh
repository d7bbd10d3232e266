#!/usr/bin/env bash
# Stop exactly the processes recorded in DIR/pids (by PID, newest first) and remove DIR.
#   down.sh [--keep] DIR
set -uo pipefail
KEEP=0
[[ ${1:-} == --keep ]] && { KEEP=1; shift; }
DIR=${1:?usage: down.sh [--keep] DIR}
[[ -f "$DIR/pids" ]] || { echo "no $DIR/pids" >&2; exit 1; }
tac "$DIR/pids" | while read -r name pid; do
  [[ -n ${pid:-} ]] || continue
  kill -0 "$pid" 2>/dev/null || continue
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name ($pid) ignored TERM, sending KILL" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
done
[[ $KEEP == 1 ]] || rm -rf -- "$DIR"
