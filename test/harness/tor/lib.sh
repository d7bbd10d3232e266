# Shared helpers of up.sh, down.sh and node.sh (sourced, not run).
# shellcheck shell=bash
TOR=${TOR:-$(command -v tor || echo /usr/sbin/tor)}
MARKER=.veilnode-tor-net   # proves a directory was made by up.sh before anything deletes it

now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[tor-net %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# is_our_tor DIR PID NAME: the PID is still a tor started with DIR/NAME/torrc (guards PID reuse)
is_our_tor() {
  local cmd
  [ -r "/proc/$2/cmdline" ] || return 1
  cmd=$(tr '\0' ' ' < "/proc/$2/cmdline" 2>/dev/null) || return 1
  [[ "$cmd" == *"$1/$3/torrc"* ]]
}

# start_tor_node DIR NAME: start one tor (it daemonizes), record "NAME PID" in DIR/pids
start_tor_node() {
  local d=$1/$2 pid=""
  rm -f "$d/pid"
  "$TOR" -f "$d/torrc" --hush > "$d/start.out" 2>&1 || die "tor $2 did not start: $(tail -n 3 "$d/start.out")"
  for _ in $(seq 50); do [ -s "$d/pid" ] && break; sleep 0.1; done
  pid=$(cat "$d/pid" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || die "tor $2 wrote no pid file"
  echo "$2 $pid" >> "$1/pids"
}

# stop_tor_node DIR NAME: SIGTERM every recorded PID of NAME that is still ours, wait, then SIGKILL
stop_tor_node() {
  local name pid left
  while read -r name pid; do
    [ "$name" = "$2" ] && is_our_tor "$1" "$pid" "$name" && kill -TERM "$pid" 2>/dev/null
  done < "$1/pids"
  for _ in $(seq 50); do
    left=0
    while read -r name pid; do
      [ "$name" = "$2" ] && is_our_tor "$1" "$pid" "$name" && left=1
    done < "$1/pids"
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  while read -r name pid; do
    [ "$name" = "$2" ] && is_our_tor "$1" "$pid" "$name" && kill -KILL "$pid" 2>/dev/null
  done < "$1/pids"
  return 0
}

# check_alive DIR: die if a recorded tor has exited (only the newest PID of each name counts)
check_alive() {
  local name pid
  while read -r name pid; do
    kill -0 "$pid" 2>/dev/null || die "tor $name (pid $pid) exited: $(tail -n 3 "$1/$name/notice.log")"
  done < <(awk '{ last[$1] = $2 } END { for (n in last) print n, last[n] }' "$1/pids")
}
