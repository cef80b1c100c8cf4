# Shared by the test scripts (Tests/cluster/slurm.sh, Tests/report/chromium.sh); sourced after the
# script defines `say` and `fail`.

# stop_pid PID NAME [SECONDS]: SIGTERM, wait up to SECONDS (default 10), then SIGKILL.
stop_pid() {
    local pid=$1 name=$2 limit=${3:-10} i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq $((limit * 10))); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    say "$name (pid $pid) ignored SIGTERM for $limit s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

# apt_install LOG PACKAGE...: Debian packages, the package lists updated first; fails with the log's tail.
apt_install() {
    local log=$1; shift
    [ "$(id -u)" = 0 ] || fail "installing $* needs root"
    say "installing $* (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 ||
        { tail -20 "$log"; fail "apt-get update failed"; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$log" 2>&1 ||
        { tail -20 "$log"; fail "apt-get install $* failed"; }
}
