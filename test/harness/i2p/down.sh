#!/usr/bin/env bash
# down.sh [--keep] DIR -- stop exactly the i2pd PIDs up.sh/restart.sh recorded in DIR/pids
# (SIGTERM, then SIGKILL after 10 s), then remove DIR (unless --keep).
# Never kills by process name.
set -uo pipefail
KEEP=0
[[ "${1:-}" == --keep ]] && { KEEP=1; shift; }
DIR=${1:?usage: down.sh [--keep] DIR}
[[ -d "$DIR" ]] || { echo "down: $DIR not found" >&2; exit 0; }
DIR=$(cd "$DIR" && pwd) # canonical, as recorded in the routers' --conf=
[[ -f "$DIR/pids" ]] || { echo "down: no $DIR/pids; refusing to delete a dir up.sh did not create" >&2; exit 1; }

# only signal a PID if it still is an i2pd started with a config inside DIR
ours() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qF -- "--conf=$DIR/"; }

pids=()
while read -r pid _; do
  [[ "$pid" =~ ^[0-9]+$ ]] || continue
  if ours "$pid"; then kill -TERM "$pid" 2>/dev/null && pids+=("$pid"); fi
done <"$DIR/pids"
for ((t = 0; t < 100; t++)); do
  alive=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
  ((alive)) || break
  sleep 0.1
done
for pid in "${pids[@]}"; do
  if kill -0 "$pid" 2>/dev/null && ours "$pid"; then kill -KILL "$pid" 2>/dev/null; echo "down: SIGKILL $pid" >&2; fi
done
: >"$DIR/pids"
((KEEP)) || rm -rf -- "$DIR"
exit 0
