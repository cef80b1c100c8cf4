#!/usr/bin/env bash
# A real Slurm test of docs/cluster/nnsearch-array.sbatch.
#
# Starts a one-node Slurm cluster on this machine (munged, slurmctld, slurmd, all as
# root, with state, spool and logs in a temporary folder) and runs a small search once
# in a single process as the reference. Then two tests, each over its own folder made
# by `nnsearch init` and worked by the documented script as a Slurm job array:
#   scancel  3 tasks (2 run at once on the 2 CPUs); one running task is cancelled
#            mid-search with `scancel JOBID_N`; the others finish the search.
#   freeze   2 tasks with `--lease 3`; one task's worker is frozen (SIGSTOP) until the
#            other has taken over its trial, then thawed (SIGCONT); both finish.
# Each checks that the folder's leaderboard.csv, trials.csv and curves/ equal the
# reference's minus the `seconds` column, with no trial missing or duplicated, that
# every task ended as expected, and what the journal says about the handover.
#
# Run from the repository's top folder as root:  bash Tests/cluster/slurm.sh
# Installs Debian's slurm-wlm and munge if they are missing. Builds nnsearch in
# release mode if .build/release/nnsearch is missing (NNSEARCH=path overrides).
# Every daemon it starts is stopped by pid on every exit path.
# Ends with `slurm: N passed, M failed`; exit 0 only when nothing failed.
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
jobs=""          # array job ids submitted
frozen_pid=""    # a worker stopped with SIGSTOP, to thaw on any exit path
resume_pid=""    # a `nnsearch resume --foreground` this script started

. Tests/lib/script.sh   # stop_pid, apt_install

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
    [ -n "$frozen_pid" ] && kill -CONT "$frozen_pid" 2>/dev/null
    if [ -n "$jobs" ] && [ -n "$slurmctld_pid" ] && kill -0 "$slurmctld_pid" 2>/dev/null; then
        # Jobs still there (a failure path): note their processes, cancel, then end any leftover by pid.
        local pids="" id j
        for j in $jobs; do
            for id in $(squeue -h -j "$j" -t R -o %A 2>/dev/null); do
                pids="$pids $(scontrol listpids "$id" 2>/dev/null | awk 'NR>1 {print $1}')"
            done
            if [ -n "$(squeue -h -j "$j" 2>/dev/null)" ]; then
                say "cancelling what is left of job $j"
                scancel "$j" 2>/dev/null
                for _ in $(seq 100); do
                    [ -z "$(squeue -h -j "$j" 2>/dev/null)" ] && break
                    sleep 0.1
                done
            fi
        done
        for id in $pids; do stop_pid "$id" "job process"; done
    fi
    stop_pid "$resume_pid" "nnsearch resume"
    stop_pid "$slurmd_pid" slurmd
    stop_pid "$slurmctld_pid" slurmctld
    stop_pid "$munged_pid" munged
    if [ "$finished" != 1 ]; then
        failed=$((failed + 1))
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
    apt_install /tmp/nnsearch-slurm-apt.log slurm-wlm munge
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

# ---------------------------------------------------------------- reference
spec=$tmp/work/spec.json
cp "$top"/Tests/cluster/spec.json "$spec"
ref=$tmp/work/ref
trials=$(sed -n 's/.*"trials": *\([0-9]*\).*/\1/p' "$spec")
[ -n "$trials" ] || fail "no \"trials\" in Tests/cluster/spec.json"

say "reference: nnsearch start spec.json --foreground --out REF"
r0=$SECONDS
"$bin" start "$spec" --foreground --out "$ref" </dev/null >"$tmp"/log/reference.out 2>&1 ||
    fail "reference run failed: $(tail -5 "$tmp"/log/reference.out)"
say "reference: $(tail -1 "$tmp"/log/reference.out) ($((SECONDS - r0)) s wall)"

# ---------------------------------------------------------------- helpers
rows() { if [ -f "$1"/trials.csv ]; then echo $(($(wc -l <"$1"/trials.csv) - 1)); else echo 0; fi; }
task_field() { scontrol -o show job "$1_$2" 2>/dev/null | grep -o " $3=[^ ]*" | cut -d= -f2; }  # job index field
task_pids() { scontrol listpids "$(squeue -h -j "$1_$2" -o %A)" 2>/dev/null | awk 'NR > 1 { print $1 }' | tr '\n' ' '; }
tasks() { squeue -h -j "$1" -o '%i=%T' | tr '\n' ' '; }

# init NAME DIR: nnsearch init spec.json --out DIR
init() {
    "$bin" init "$spec" --out "$2" </dev/null >"$tmp/log/init-$1.out" 2>&1 ||
        fail "nnsearch init failed: $(cat "$tmp/log/init-$1.out")"
}

# submit NAME TASKS DIR [worker options]: the documented script as an array job over DIR.
submit() {
    local name=$1 n=$2 d=$3
    shift 3
    jobid=$(cd "$tmp"/out && sbatch --parsable --job-name="nnsearch-$name" --array=0-$((n - 1)) \
                --cpus-per-task=1 --mem=1G --time=10:00 --output="$tmp/out/$name-%A_%a.out" \
                "$top"/docs/cluster/nnsearch-array.sbatch "$d" "$bin" "$@") || fail "sbatch failed"
    jobid=${jobid%%;*}
    jobs="$jobs $jobid"
    say "sbatch --array=0-$((n - 1)) docs/cluster/nnsearch-array.sbatch DIR BIN $*: job $jobid"
}

# wait_under_way DIR JOB INDEX: until a quarter of the trials are done and task INDEX runs.
wait_under_way() {
    local d=$1 j=$2 i=$3
    for _ in $(seq 600); do
        [ "$(rows "$d")" -ge $((trials / 4)) ] && [ "$(task_field "$j" "$i" JobState)" = RUNNING ] && break
        [ -n "$(squeue -h -j "$j")" ] || break
        sleep 0.1
    done
    [ "$(rows "$d")" -ge $((trials / 4)) ] && [ "$(task_field "$j" "$i" JobState)" = RUNNING ] ||
        fail "search not under way after 60 s: $(rows "$d")/$trials trials, tasks: $(tasks "$j")"
    [ "$(rows "$d")" -lt "$trials" ] || fail "search finished before the test could act (spec too small)"
    say "under way: $(rows "$d")/$trials trials done; tasks: $(tasks "$j")"
}

# wait_job_end JOB SECONDS
wait_job_end() {
    local deadline=$((SECONDS + $2))
    while [ -n "$(squeue -h -j "$1")" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "array job $1 not finished after $2 s: $(tasks "$1")"
        sleep 0.2
    done
}

# The journal: one `@nns1 LENGTH CHECKSUM kind<TAB>fields...` line per record.
records() { awk -F'\t' -v k="$2" '{ n = split($1, w, " "); if (w[n] == k) print }' "$1"/journal; }
# A worker's id in the journal is HOST/PID/START (the join record's first field).
process_of_pid() { records "$1" join | awk -F'\t' -v pid="$2" '{ split($2, id, "/") } id[2] == pid { print $2 }' | tail -1; }
# Trials whose latest claim is PROCESS's and that are neither finished nor given back.
held_by() {
    awk -F'\t' -v p="$2" '{ n = split($1, w, " "); k = w[n] }
        k == "claim" { holder[$2] = $3 } k == "finish" { done[$2] = 1 }
        k == "release" && holder[$2] == $3 { holder[$2] = "" }
        END { for (t in holder) if (holder[t] == p && !done[t]) print t }' "$1"/journal
}
latest_claim() { records "$1" claim | awk -F'\t' -v t="$2" '$2 == t { print $3 }' | tail -1; }
finishers() { records "$1" finish | awk -F'\t' -v t="$2" '$2 == t { print $3 }' | tr '\n' ' '; }
journal_summary() {
    local d=$1 proc fin rel why
    for proc in $(records "$d" join | awk -F'\t' '{ print $2 }'); do
        fin=$(records "$d" finish | awk -F'\t' -v p="$proc" '$3 == p' | wc -l)
        rel=$(records "$d" release | awk -F'\t' -v p="$proc" '$3 == p { printf "%s%s@%s", sep, $2, $4; sep = " " }')
        why=$(records "$d" leave | awk -F'\t' -v p="$proc" '$2 == p { print $4 }' | tail -1)
        say "  worker $proc: $fin finish record(s), gave back [${rel}] (trial@epoch), left: ${why:-no leave record}"
    done
}

problems=0
check() { # description, then a command that succeeds when it holds
    local what=$1
    shift
    if "$@"; then say "ok   $what"; else say "FAIL $what"; problems=$((problems + 1)); fi
}
strip() { sed 's/,[^,]*$//' "$1"; }  # drop the last column (seconds)
same_leaderboard() { cmp -s <(strip "$ref"/leaderboard.csv) <(strip "$1"/leaderboard.csv); }
same_trials() {
    cmp -s <(strip "$ref"/trials.csv | head -1) <(strip "$1"/trials.csv | head -1) &&
    cmp -s <(strip "$ref"/trials.csv | tail -n +2 | sort -t, -k1,1n) \
           <(strip "$1"/trials.csv | tail -n +2 | sort -t, -k1,1n)
}
each_trial_once() {
    [ "$(tail -n +2 "$1"/trials.csv | cut -d, -f1 | sort -n | tr '\n' ' ')" = "$(seq 0 $((trials - 1)) | tr '\n' ' ')" ]
}
same_curves() {
    local f n=0
    cmp -s <(cd "$ref"/curves && ls) <(cd "$1"/curves && ls) || { say "     curves/ holds other files"; return 1; }
    for f in "$ref"/curves/*.csv; do
        cmp -s "$f" "$1/curves/${f##*/}" || { say "     differs: curves/${f##*/}"; return 1; }
        n=$((n + 1))
    done
    [ "$n" = "$trials" ]
}
no_checkpoints_left() { [ -z "$(ls -A "$1"/checkpoints 2>/dev/null)" ]; }
check_results() {
    local d=$1
    check "trials.csv has trials 0..$((trials - 1)) once each ($(rows "$d") rows)" each_trial_once "$d"
    check "trials.csv rows (minus seconds, by trial) equal the reference's" same_trials "$d"
    check "leaderboard.csv (minus seconds) equals the reference's" same_leaderboard "$d"
    check "all $trials curves/trial-NNNN.csv equal the reference's" same_curves "$d"
    check "no checkpoint left in checkpoints/ ($(ls "$d"/checkpoints 2>/dev/null | tr '\n' ' '))" no_checkpoints_left "$d"
    if ! same_leaderboard "$d"; then
        diff <(strip "$ref"/leaderboard.csv) <(strip "$d"/leaderboard.csv) | head -20 | sed 's/^/slurm:   /'
    fi
}
check_task() { # JOB INDEX STATE EXIT
    local st ec
    st=$(task_field "$1" "$2" JobState)
    ec=$(task_field "$1" "$2" ExitCode)
    check "task $1_$2 ended $3 with exit $4 (got $st, $ec)" test "$st/$ec" = "$3/$4"
}
end_test() {
    if [ "$problems" = 0 ]; then
        passed=$((passed + 1))
        say "test $1: passed"
    else
        failed=$((failed + 1))
        say "test $1: FAILED ($problems check(s))"
        dump_logs
    fi
    problems=0
}

# ---------------------------------------------------------------- test 1: scancel one task
say "test scancel: 3 array tasks, one cancelled mid-search"
dir=$tmp/work/scancel
init scancel "$dir"
submit scancel 3 "$dir"
wait_under_way "$dir" "$jobid" 1
"$bin" status "$dir" </dev/null 2>&1 | sed 's/^/slurm:   status | /' || true
victim_pids=$(task_pids "$jobid" 1)
victim_proc=$(process_of_pid "$dir" "${victim_pids%% *}")
held=$(held_by "$dir" "$victim_proc" | tr '\n' ' ')
scancel "${jobid}_1"
c0=$SECONDS
say "scancel ${jobid}_1 (pids $victim_pids, worker $victim_proc, holding trial(s) ${held:-none}) at $(rows "$dir")/$trials trials"
# It should finish its epoch, checkpoint and exit well before Slurm's KillWait (30 s) ends in SIGKILL.
alive=$victim_pids
for _ in $(seq 250); do
    alive=""
    for p in $victim_pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
    [ -z "$alive" ] && break
    sleep 0.1
done
check "the cancelled task's worker exited within 25 s of SIGTERM (after $((SECONDS - c0)) s)" test -z "$alive"
wait_job_end "$jobid" 120
say "array job $jobid finished $((SECONDS - c0)) s after the cancel"
check_task "$jobid" 0 COMPLETED 0:0
check_task "$jobid" 1 CANCELLED 0:0
check_task "$jobid" 2 COMPLETED 0:0
check_results "$dir"
journal_summary "$dir"
victim_left() { records "$dir" leave | awk -F'\t' -v p="$victim_proc" '$2 == p { print $4 }' | grep -qx signal; }
released_done_by_others() {
    local t by
    for t in $(records "$dir" release | awk -F'\t' -v p="$victim_proc" '$3 == p { print $2 }'); do
        by=$(records "$dir" finish | awk -F'\t' -v t="$t" '$2 == t { print $3 }' | tail -1)
        [ -n "$by" ] && [ "$by" != "$victim_proc" ] || { say "     trial $t: finished by '${by:-nobody}'"; return 1; }
    done
}
check "the cancelled worker joined the journal (${victim_proc:-not found})" test -n "$victim_proc"
check "it left gracefully (leave record, reason 'signal')" victim_left
check "every trial it gave back was finished by another worker" released_done_by_others
"$bin" status "$dir" </dev/null 2>&1 | sed 's/^/slurm:   status | /' || true
say "the cancelled task's output:"
sed 's/^/slurm:   | /' "$tmp/out/scancel-${jobid}_1.out"
end_test scancel

# ---------------------------------------------------------------- test 2: a frozen worker
say "test freeze: 2 array tasks with --lease 3, one worker frozen (SIGSTOP) until its trial is taken over"
dir=$tmp/work/freeze
init freeze "$dir"
submit freeze 2 "$dir" --lease 3
wait_under_way "$dir" "$jobid" 1
frozen=$(task_pids "$jobid" 1)
frozen=${frozen%% *}
frozen_proc=$(process_of_pid "$dir" "$frozen")
[ -n "$frozen_proc" ] || fail "no join record for pid $frozen in $dir/journal"
held=""
for _ in $(seq 20); do   # freeze it while it holds a trial (not in the moment between two trials)
    kill -STOP "$frozen"
    frozen_pid=$frozen
    held=$(held_by "$dir" "$frozen_proc" | tr '\n' ' ')
    [ -n "$held" ] && break
    kill -CONT "$frozen"
    frozen_pid=""
    sleep 0.2
done
[ -n "$held" ] || fail "worker $frozen_proc never held a trial when frozen"
f0=$SECONDS
say "kill -STOP $frozen (task ${jobid}_1, worker $frozen_proc, holding trial(s) ${held:-none}) at $(rows "$dir")/$trials trials"
taken=""
for _ in $(seq 400); do
    taken=""
    for t in $held; do
        by=$(latest_claim "$dir" "$t")
        [ "$by" != "$frozen_proc" ] && taken="$taken $t"
    done
    [ "$taken" = " ${held% }" ] && break
    sleep 0.1
done
check "the frozen worker's trial(s) [${held% }] were claimed by another worker (after $((SECONDS - f0)) s)" \
    test "$taken" = " ${held% }"
kill -CONT "$frozen"
frozen_pid=""
say "kill -CONT $frozen after $((SECONDS - f0)) s, at $(rows "$dir")/$trials trials"
wait_job_end "$jobid" 120
say "array job $jobid finished $((SECONDS - f0)) s after the freeze"
check_task "$jobid" 0 COMPLETED 0:0
check_task "$jobid" 1 COMPLETED 0:0
check_results "$dir"
journal_summary "$dir"
for t in $held; do
    say "  trial $t: latest claim by $(latest_claim "$dir" "$t"); finish records by: $(finishers "$dir" "$t")"
done
"$bin" status "$dir" </dev/null 2>&1 | sed 's/^/slurm:   status | /' || true
say "the frozen task's output:"
sed 's/^/slurm:   | /' "$tmp/out/freeze-${jobid}_1.out"
end_test freeze

# ---------------------------------------------------------------- test 3: nnsearch stop, then resume
say "test stop: 2 array tasks; nnsearch stop DIR mid-search; nnsearch resume DIR and another array finish it"
dir=$tmp/work/stop
init stop "$dir"
submit stop 2 "$dir"
wait_under_way "$dir" "$jobid" 1
s0=$SECONDS
stop_rc=0
"$bin" stop "$dir" --timeout 60 </dev/null >"$tmp"/log/stop.out 2>&1 || stop_rc=$?
sed 's/^/slurm:   stop | /' "$tmp"/log/stop.out
check "nnsearch stop DIR exited 0 after $((SECONDS - s0)) s (exit $stop_rc)" test "$stop_rc" = 0
wait_job_end "$jobid" 60
at_stop=$(rows "$dir")
say "array job $jobid finished $((SECONDS - s0)) s after the stop, at $at_stop/$trials trials"
check_task "$jobid" 0 COMPLETED 0:0
check_task "$jobid" 1 COMPLETED 0:0
check "the search stopped part-way ($at_stop/$trials trials)" test "$at_stop" -lt "$trials"
all_left_stopped() {
    [ "$(records "$dir" join | wc -l)" -ge 2 ] &&
    [ -z "$(records "$dir" leave | awk -F'\t' '$4 != "stopped"')" ] &&
    [ "$(records "$dir" leave | wc -l)" = "$(records "$dir" join | wc -l)" ]
}
check "every worker left with reason 'stopped'" all_left_stopped
"$bin" status "$dir" </dev/null >"$tmp"/log/status-stop.out 2>&1 || true
sed 's/^/slurm:   status | /' "$tmp"/log/status-stop.out
check "nnsearch status says stopped" grep -q 'state: stopped' "$tmp"/log/status-stop.out
# Continue: resume lifts the stop (and runs a worker here); then one more array task joins.
"$bin" resume "$dir" --foreground --workers 1 </dev/null >"$tmp"/log/resume.out 2>&1 &
resume_pid=$!
for _ in $(seq 100); do
    [ -n "$(process_of_pid "$dir" "$resume_pid")" ] && break
    kill -0 "$resume_pid" 2>/dev/null || break
    sleep 0.1
done
[ -n "$(process_of_pid "$dir" "$resume_pid")" ] || fail "nnsearch resume DIR --foreground (pid $resume_pid) did not join: $(cat "$tmp"/log/resume.out)"
say "nnsearch resume DIR --foreground --workers 1: pid $resume_pid joined"
submit stop2 1 "$dir"
wait_job_end "$jobid" 120
resume_rc=0
for _ in $(seq 300); do kill -0 "$resume_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$resume_pid" 2>/dev/null && fail "nnsearch resume --foreground (pid $resume_pid) still running 30 s after the array job ended"
wait "$resume_pid" || resume_rc=$?
resume_pid=""
check "nnsearch resume --foreground exited 0 (exit $resume_rc)" test "$resume_rc" = 0
check_task "$jobid" 0 COMPLETED 0:0
check_results "$dir"
journal_summary "$dir"
end_test stop

# ---------------------------------------------------------------- the documentation
doc_quotes() { local doc script; doc=$(<"$top"/docs/cluster.md); script=$(<"$top/$1"); [[ $doc == *"$script"* ]]; }
check "docs/cluster.md quotes docs/cluster/nnsearch-array.sbatch in full" doc_quotes docs/cluster/nnsearch-array.sbatch
check "docs/cluster.md quotes docs/cluster/nnsearch-indexed-job.yaml in full" doc_quotes docs/cluster/nnsearch-indexed-job.yaml
end_test docs

finished=1
