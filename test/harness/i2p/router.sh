# router.sh -- sourced by up.sh and restart.sh: start one i2pd router of DIR, stop one by PID.
# Needs DIR and I2PD; the caller defines fail().

start_router() { # i -> starts DIR/r$i (daemonised), appends "PID r$i" to DIR/pids
  launch_router "$1" || fail "i2pd r$1 did not start (see $DIR/r$1/stdout.log)"
  await_router "$1" || fail "no pidfile for r$1"
}

launch_router() { # i -> starts DIR/r$i (daemonised); await_router records its PID
  local R="$DIR/r$1"
  rm -f "$R/i2pd.pid"
  "$I2PD" --datadir="$R" --conf="$R/i2pd.conf" --tunconf="$R/tunnels.conf" --tunnelsdir="$R/tunnels.d" \
    --certsdir="$R/certificates" >>"$R/stdout.log" 2>&1 </dev/null
}

await_router() { # i -> waits (10 s at most) for DIR/r$i's pidfile, appends "PID r$i" to DIR/pids
  local R="$DIR/r$1" t=0
  while [[ ! -s "$R/i2pd.pid" ]]; do
    sleep 0.1; t=$((t + 1))
    if ((t > 100)); then return 1; fi
  done
  local pid; pid=$(tr -dc 0-9 <"$R/i2pd.pid")
  echo "$pid r$1" >>"$DIR/pids"
}

stop_pid() { # PID -> SIGTERM (i2pd exits at once), SIGKILL after 10 s
  local pid=$1 t=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.1; t=$((t + 1))
    if ((t > 100)); then kill -KILL "$pid" 2>/dev/null || true; fi
    if ((t > 130)); then break; fi
  done
  return 0
}

pid_of_router() { awk -v r="r$1" '$2==r{p=$1} END{print p}' "$DIR/pids"; }
