#!/usr/bin/env bash
# A real Slurm test of docs/cluster/nnsearch-array.sbatch.
#
# Starts a one-node Slurm cluster on this machine (munged, slurmctld, slurmd, all
# as root, with state, spool and logs in a temporary folder), runs a small search
# once in a single process as the reference, then runs the same search as a
# 3-task Slurm job array over one folder made by `nnsearch init`, cancels one
# running task mid-search with `scancel JOBID_N`, waits for the others and checks
# that the folder's leaderboard.csv, trials.csv and curves/ equal the reference's
# (minus the `seconds` column), with no trial missing or duplicated.
#
# Run from the repository's top folder as root:  bash Tests/cluster/slurm.sh
# Installs Debian's slurm-wlm and munge if they are missing. Builds nnsearch in
# release mode if .build/release/nnsearch is missing (NNSEARCH=path overrides).
# Every daemon it starts is stopped by pid on every exit path.
# Ends with `slurm: 1 passed, 0 failed` (exit 0) or `slurm: 0 passed, 1 failed` (exit 1).
set -euo pipefail

cd "$(dirname "$0")/../.."
top=$PWD
t0=$SECONDS
export DEBIAN_FRONTEND=noninteractive

say() { printf 'slurm: %s\n' "$*"; }
passed=0
failed=0
finished=0
reported=0

# ---------------------------------------------------------------- cleanup
tmp=""
munged_pid=""
slurmctld_pid=""
slurmd_pid=""
jobid=""

stop_pid() { # pid name: SIGTERM, wait up to 10 s, then SIGKILL
    local pid=$1 name=$2 i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    say "$name (pid $pid) ignored SIGTERM for 10 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

dump_logs() {
    [ -n "$tmp" ] && [ -d "$tmp" ] || return 0
    local f
    for f in "$tmp"/log/* "$tmp"/out/*; do
        [ -s "$f" ] || continue
        # A daemon's .out repeats its .log (-D logs to both); show it only when the .log is empty.
        case $f in *.out) [ -s "${f%.out}.log" ] && continue ;; esac
        echo "----- $f (last 40 lines)"
        tail -n 40 "$f" || true
    done
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    trap '' PIPE        # a closed stdout must not stop the cleanup half-way
    set +e
    if [ -n "$jobid" ] && [ -n "$slurmctld_pid" ] && kill -0 "$slurmctld_pid" 2>/dev/null; then
        # Jobs still there (a failure path): note their processes, cancel, then end any leftover by pid.
        local pids="" id
        for id in $(squeue -h -j "$jobid" -t R -o %A 2>/dev/null); do
            pids="$pids $(scontrol listpids "$id" 2>/dev/null | awk 'NR>1 {print $1}')"
        done
        if [ -n "$(squeue -h -j "$jobid" 2>/dev/null)" ]; then
            say "cancelling what is left of job $jobid"
            scancel "$jobid" 2>/dev/null
            for _ in $(seq 100); do
                [ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ] && break
                sleep 0.1
            done
        fi
        for id in $pids; do stop_pid "$id" "job process"; done
    fi
    stop_pid "$slurmd_pid" slurmd
    stop_pid "$slurmctld_pid" slurmctld
    stop_pid "$munged_pid" munged
    if [ "$finished" != 1 ]; then
        failed=1
        [ "$reported" = 1 ] || say "FAIL: stopped early (exit status $rc)"
        dump_logs
    fi
    if [ "$failed" = 0 ] && [ -n "$tmp" ]; then
        rm -rf "$tmp"
    elif [ -n "$tmp" ]; then
        say "kept $tmp for inspection"
    fi
    say "took $((SECONDS - t0)) s"
    echo "slurm: $passed passed, $failed failed"
    [ "$failed" = 0 ] && exit 0
    exit 1
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'say "error: line $LINENO: $BASH_COMMAND"' ERR

fail() {
    say "FAIL: $*"
    reported=1
    exit 1
}

[ "$(id -u)" = 0 ] || fail "must run as root (it starts munged, slurmctld and slurmd)"

# ---------------------------------------------------------------- install
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
   ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge (apt-get)"
    apt-get update -q >/tmp/nnsearch-slurm-apt.log 2>&1 ||
        { tail -20 /tmp/nnsearch-slurm-apt.log; fail "apt-get update failed"; }
    apt-get install -y -q slurm-wlm munge >>/tmp/nnsearch-slurm-apt.log 2>&1 ||
        { tail -20 /tmp/nnsearch-slurm-apt.log; fail "apt-get install slurm-wlm munge failed"; }
fi
say "$(slurmctld -V), munge $(munged -V 2>&1 | awk '{print $1}' | head -1)"

# ---------------------------------------------------------------- build
bin=${NNSEARCH:-$top/.build/release/nnsearch}
if [ ! -x "$bin" ]; then
    say "building nnsearch (swift build -c release)"
    swift build -c release || fail "swift build -c release failed"
    bin=$top/.build/release/nnsearch
fi
[ -x "$bin" ] || fail "no nnsearch binary at $bin"
say "nnsearch binary: $bin"

# ---------------------------------------------------------------- cluster
tmp=$(mktemp -d /tmp/nnsearch-slurm.XXXXXX)
chmod 0755 "$tmp"          # munged (user munge) must reach its socket folder
mkdir -p "$tmp"/etc "$tmp"/state "$tmp"/spool "$tmp"/log "$tmp"/out "$tmp"/work \
         "$tmp"/munge "$tmp"/munge-run
chown munge:munge "$tmp"/munge "$tmp"/munge-run
chmod 0700 "$tmp"/munge
chmod 0755 "$tmp"/munge-run
if command -v mungekey >/dev/null; then
    mungekey --create --keyfile="$tmp"/munge/munge.key
else
    dd if=/dev/urandom of="$tmp"/munge/munge.key bs=1024 count=1 2>/dev/null
fi
chown munge:munge "$tmp"/munge/munge.key
chmod 0400 "$tmp"/munge/munge.key
socket=$tmp/munge-run/munge.socket.2

setpriv --reuid=munge --regid=munge --init-groups \
    munged --foreground --key-file="$tmp"/munge/munge.key --socket="$socket" \
    --pid-file="$tmp"/munge-run/munged.pid --log-file="$tmp"/log/munged.log \
    --seed-file="$tmp"/munge/munged.seed </dev/null >"$tmp"/log/munged.out 2>&1 &
munged_pid=$!
for _ in $(seq 50); do [ -S "$socket" ] && break; kill -0 "$munged_pid" 2>/dev/null || break; sleep 0.1; done
munge -S "$socket" -n </dev/null | unmunge -S "$socket" >/dev/null ||
    fail "munged (pid $munged_pid) does not answer on $socket: $(cat "$tmp"/log/munged.out "$tmp"/log/munged.log 2>/dev/null)"
say "munged up (pid $munged_pid)"

node=$(hostname -s)
nodeline=$(slurmd -C | head -1)            # NodeName=<host> CPUs=.. ... RealMemory=..
case $nodeline in NodeName=*) ;; *) fail "slurmd -C printed no node line: $nodeline" ;; esac
port_free() { [ -z "$(ss -Htan "sport = :$1" 2>/dev/null)" ]; }
ctld_port=${SLURM_TEST_PORT:-16817}
while ! port_free "$ctld_port" || ! port_free $((ctld_port + 1)); do
    ctld_port=$((ctld_port + 2))
    [ "$ctld_port" -lt 16900 ] || fail "no two free TCP ports in 16817-16899 for slurmctld/slurmd"
done
export SLURM_CONF=$tmp/etc/slurm.conf
cat >"$SLURM_CONF" <<EOF
# One-node test cluster made by Tests/cluster/slurm.sh; everything lives in $tmp.
ClusterName=nnsearchci
SlurmctldHost=$node
SlurmctldPort=$ctld_port
SlurmdPort=$((ctld_port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MailProg=/bin/true
KillWait=30
MinJobAge=600
$nodeline State=UNKNOWN
PartitionName=ci Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

slurmctld -D -c -f "$SLURM_CONF" </dev/null >"$tmp"/log/slurmctld.out 2>&1 &
slurmctld_pid=$!
slurmd -D -f "$SLURM_CONF" </dev/null >"$tmp"/log/slurmd.out 2>&1 &
slurmd_pid=$!
state=""
for _ in $(seq 300); do
    kill -0 "$slurmctld_pid" 2>/dev/null || fail "slurmctld exited at start: $(tail -5 "$tmp"/log/slurmctld.out)"
    kill -0 "$slurmd_pid" 2>/dev/null || fail "slurmd exited at start: $(tail -5 "$tmp"/log/slurmd.out)"
    state=$(sinfo -h -n "$node" -o %t 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.1
done
[ "$state" = idle ] || fail "node $node not idle after 30 s (state '${state:-none}')"
say "cluster up: slurmctld pid $slurmctld_pid, slurmd pid $slurmd_pid, node $node idle ($(sinfo -h -o '%c CPUs, %m MB'))"

# ---------------------------------------------------------------- search
spec=$tmp/work/spec.json
cp "$top"/Tests/cluster/spec.json "$spec"
ref=$tmp/work/ref
dir=$tmp/work/search
trials=$(sed -n 's/.*"trials": *\([0-9]*\).*/\1/p' "$spec")

say "reference: nnsearch start spec.json --foreground --out REF"
r0=$SECONDS
"$bin" start "$spec" --foreground --out "$ref" </dev/null >"$tmp"/log/reference.out 2>&1 ||
    fail "reference run failed: $(tail -5 "$tmp"/log/reference.out)"
say "reference: $(tail -1 "$tmp"/log/reference.out) ($((SECONDS - r0)) s wall)"

"$bin" init "$spec" --out "$dir" </dev/null >"$tmp"/log/init.out 2>&1 ||
    fail "nnsearch init failed: $(cat "$tmp"/log/init.out)"
say "nnsearch init spec.json --out DIR: ok"

cd "$tmp"/out
jobid=$(sbatch --parsable --array=0-2 --cpus-per-task=1 --mem=1G --time=10:00 \
               --output="$tmp/out/task-%A_%a.out" \
               "$top"/docs/cluster/nnsearch-array.sbatch "$dir" "$bin") ||
    fail "sbatch failed"
jobid=${jobid%%;*}
cd "$top"
say "sbatch --array=0-2 docs/cluster/nnsearch-array.sbatch DIR BIN: job $jobid"

rows() { if [ -f "$dir"/trials.csv ]; then echo $(($(wc -l <"$dir"/trials.csv) - 1)); else echo 0; fi; }
task_state() { scontrol -o show job "${jobid}_$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }

# Under way: two tasks running (the node has 2 CPUs, so task 2 waits) and a few trials done.
victim="" victim_jobid=""
for _ in $(seq 600); do
    done_rows=$(rows)
    if [ "$done_rows" -ge 3 ] && [ "$(task_state 1)" = RUNNING ]; then victim=1; break; fi
    if [ "$done_rows" -ge 3 ] && [ "$(task_state 0)" = RUNNING ]; then victim=0; break; fi
    [ -n "$(squeue -h -j "$jobid")" ] || break
    sleep 0.1
done
[ -n "$victim" ] || fail "search not under way after 60 s: $(rows)/$trials trials, tasks: $(squeue -h -j "$jobid" -o '%i %T' | tr '\n' ' ')"
[ "$(rows)" -lt "$trials" ] || fail "search finished before a task could be cancelled (spec too small)"
say "under way: $(rows)/$trials trials done; tasks: $(squeue -h -j "$jobid" -o '%i=%T' | tr '\n' ' ')"
"$bin" status "$dir" </dev/null >"$tmp"/log/status-during.out 2>&1 || true
sed 's/^/slurm:   status | /' "$tmp"/log/status-during.out

victim_jobid=$(squeue -h -j "${jobid}_$victim" -o %A)
victim_pids=$(scontrol listpids "$victim_jobid" 2>/dev/null | awk 'NR>1 {print $1}' | tr '\n' ' ')
scancel "${jobid}_$victim"
c0=$SECONDS
say "scancel ${jobid}_$victim (job $victim_jobid, pids $victim_pids) at $(rows)/$trials trials"

# The cancelled worker should finish its epoch, checkpoint and exit well before Slurm's KillWait (30 s).
for _ in $(seq 300); do
    alive=""
    for p in $victim_pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
    [ -z "$alive" ] && break
    sleep 0.1
done
[ -z "$alive" ] || fail "cancelled task's processes ($alive) still alive 30 s after scancel"
say "cancelled task's processes gone after $((SECONDS - c0)) s"

deadline=$((SECONDS + 120))
while [ -n "$(squeue -h -j "$jobid")" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "array job $jobid not finished 120 s after the cancel: $(squeue -h -j "$jobid" -o '%i %T' | tr '\n' ' '), $(rows)/$trials trials"
    sleep 0.2
done
say "array job finished $((SECONDS - c0)) s after the cancel"

# ---------------------------------------------------------------- checks
problems=0
check() { # description, then a command that succeeds when it holds
    local what=$1; shift
    if "$@"; then say "ok   $what"; else say "FAIL $what"; problems=$((problems + 1)); fi
}
for i in 0 1 2; do
    st=$(task_state "$i"); ec=$(scontrol -o show job "${jobid}_$i" | grep -o ' ExitCode=[0-9:]*' | cut -d= -f2)
    say "task ${jobid}_$i: $st, exit $ec"
    if [ "$i" = "$victim" ]; then
        check "task $i is CANCELLED" test "$st" = CANCELLED
    else
        check "task $i COMPLETED with exit 0" test "$st/$ec" = "COMPLETED/0:0"
    fi
done

strip() { sed 's/,[^,]*$//' "$1"; }  # drop the last column (seconds)
same_leaderboard() { cmp -s <(strip "$ref"/leaderboard.csv) <(strip "$dir"/leaderboard.csv); }
same_trials() {
    cmp -s <(strip "$ref"/trials.csv | head -1) <(strip "$dir"/trials.csv | head -1) &&
    cmp -s <(strip "$ref"/trials.csv | tail -n +2 | sort -t, -k1,1n) \
           <(strip "$dir"/trials.csv | tail -n +2 | sort -t, -k1,1n)
}
no_dup_or_missing() {
    local got; got=$(tail -n +2 "$dir"/trials.csv | cut -d, -f1 | sort -n | tr '\n' ' ')
    [ "$got" = "$(seq 0 $((trials - 1)) | tr '\n' ' ')" ]
}
same_curves() {
    local f n=0
    cmp -s <(cd "$ref"/curves && ls) <(cd "$dir"/curves && ls) || return 1
    for f in "$ref"/curves/*.csv; do
        cmp -s "$f" "$dir/curves/${f##*/}" || { say "     differs: curves/${f##*/}"; return 1; }
        n=$((n + 1))
    done
    [ "$n" = "$trials" ]
}
check "trials.csv has trials 0..$((trials - 1)) once each ($(rows) rows)" no_dup_or_missing
check "trials.csv rows (minus seconds, by trial) equal the reference's" same_trials
check "leaderboard.csv (minus seconds) equals the reference's" same_leaderboard
check "all $trials curves/trial-NNNN.csv equal the reference's" same_curves
if ! same_leaderboard; then
    diff <(strip "$ref"/leaderboard.csv) <(strip "$dir"/leaderboard.csv) | head -20 | sed 's/^/slurm:   /'
fi
"$bin" status "$dir" </dev/null >"$tmp"/log/status-after.out 2>&1 || true
sed 's/^/slurm:   status | /' "$tmp"/log/status-after.out
say "cancelled task's output:"
sed 's/^/slurm:   | /' "$tmp/out/task-${jobid}_$victim.out"

if [ "$problems" = 0 ]; then
    passed=1
else
    failed=1
    dump_logs
fi
finished=1
