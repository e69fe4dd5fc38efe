#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, without systemd, for the
# job-array acceptance test (cmd/gradbench TestSlurmArray). Run as root.
# Tested with Slurm 22.05 on Debian bookworm.
#
#   slurm.sh install   install slurmctld, slurmd, the clients and munge (apt)
#   slurm.sh start     write /etc/slurm/slurm.conf (one node, this machine,
#                      partition debug) and start munged, slurmctld, slurmd
#   slurm.sh demo      submit a 4-task array and check that it ran
#   slurm.sh stop      stop the daemons this script started (by pid)
#   slurm.sh all       start, demo, and stop on exit
#
# State, logs and pid files go to $SLURM_CI_DIR (default /tmp/slurm-ci).
set -euo pipefail
D=${SLURM_CI_DIR:-/tmp/slurm-ci}
export SLURM_CONF=${SLURM_CONF:-/etc/slurm/slurm.conf} # the clients honour it too
H=$(hostname -s) # slurmctld insists that SlurmctldHost is hostname -s

install() {
  if dpkg -s slurmctld slurmd slurm-client munge >/dev/null 2>&1; then
    return 0
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurmctld slurmd slurm-client munge >/dev/null
}

# alive PID: the process runs (a zombie counts as stopped).
alive() { [ -n "$1" ] && [ -e "/proc/$1" ] && ! grep -q '^[^ ]* ([^)]*) Z' "/proc/$1/stat"; }

start() {
  stop # daemons of an earlier start, if any
  rm -rf "$D"
  mkdir -p "$D/state" "$D/spool" /run/munge "$(dirname "$SLURM_CONF")"
  chown munge:munge /run/munge
  [ -s /etc/munge/munge.key ] || mungekey -c -k /etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  # munged refuses to run as root with a munge-owned key ("Keyfile is
  # insecure"): drop to the munge user.
  setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F \
    >"$D/munged.out" 2>&1 &
  echo $! >"$D/munged.pid"
  for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n | unmunge >/dev/null
  local mem=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 1024 * 85 / 100 ))
  # slurm.conf takes one top-level key per line (several give "Parse
  # error"), hence printf. Jobs keep their records for MinJobAge (300 s):
  # without accounting, scontrol show job is how the test reads task states.
  printf '%s\n' ClusterName=ci "SlurmctldHost=$H(127.0.0.1)" SlurmUser=root SlurmdUser=root \
    AuthType=auth/munge CredType=cred/munge MpiDefault=none MailProg=/bin/true \
    ProctrackType=proctrack/linuxproc TaskPlugin=task/none JobAcctGatherType=jobacct_gather/none \
    AccountingStorageType=accounting_storage/none JobCompType=jobcomp/none \
    SelectType=select/cons_tres SelectTypeParameters=CR_Core SchedulerType=sched/backfill \
    ReturnToService=2 MinJobAge=300 "StateSaveLocation=$D/state" "SlurmdSpoolDir=$D/spool" \
    "SlurmctldPidFile=$D/slurmctld.daemon.pid" "SlurmdPidFile=$D/slurmd.daemon.pid" \
    "SlurmctldLogFile=$D/slurmctld.log" "SlurmdLogFile=$D/slurmd.log" \
    "NodeName=$H NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$mem State=UNKNOWN" \
    "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP" >"$SLURM_CONF"
  slurmctld -D >"$D/slurmctld.out" 2>&1 &
  echo $! >"$D/slurmctld.pid"
  slurmd -D >"$D/slurmd.out" 2>&1 &
  echo $! >"$D/slurmd.pid"
  for _ in $(seq 120); do # bounded: 60 s
    [ "$(sinfo -h -n "$H" -o %T 2>/dev/null)" = idle ] && { sinfo; return 0; }
    alive "$(cat "$D/slurmctld.pid")" && alive "$(cat "$D/slurmd.pid")" || break
    sleep 0.5
  done
  echo "slurm did not become ready" >&2
  tail -n 20 "$D"/*.out >&2
  return 1
}

demo() {
  local out=/tmp/slurm-ci-out jid # must be writable by the job's user
  rm -rf "$out"
  mkdir -p "$out"
  jid=$(sbatch --parsable --array=0-3 -o "$out/%A_%a.txt" \
        --wrap 'echo task $SLURM_ARRAY_TASK_ID; sleep 2')
  for _ in $(seq 240); do # bounded: 2 min
    [ -z "$(squeue -h -j "$jid" 2>/dev/null)" ] && break
    sleep 0.5
  done
  [ -z "$(squeue -h -j "$jid")" ] || { echo "job $jid still queued" >&2; return 1; }
  scontrol -o show job "$jid" | tr ' ' '\n' | grep -E '^(ArrayTaskId|JobState|ExitCode)=' | paste - - -
  ! scontrol -o show job "$jid" | grep -v 'JobState=COMPLETED' || { echo "a task failed" >&2; return 1; }
  for i in 0 1 2 3; do grep -qx "task $i" "$out/${jid}_$i.txt"; done
  echo "array $jid: 4 outputs OK"
  [ "$(srun -n1 hostname)" = "$(hostname)" ] || { echo "srun failed" >&2; return 1; }
  echo "srun OK"
}

# stop ends the daemons by the pids start recorded, never by name.
stop() {
  local p n left pids=()
  [ -d "$D" ] || return 0
  # Let running job steps finish first: slurmstepd must report to slurmctld.
  if alive "$(cat "$D/slurmctld.pid" 2>/dev/null || true)"; then
    for _ in $(seq 75); do
      [ -z "$(squeue -h 2>/dev/null)" ] && ! compgen -G "$D/spool/${H}_*" >/dev/null && break
      sleep 0.2
    done
  fi
  for n in slurmd slurmctld munged; do
    p=$(cat "$D/$n.pid" 2>/dev/null || true)
    alive "$p" && kill -TERM "$p" && pids+=("$p")
  done
  for _ in $(seq 50); do # bounded: 10 s, then KILL
    left=0
    for p in "${pids[@]}"; do alive "$p" && left=1; done
    [ $left = 0 ] && break
    sleep 0.2
  done
  for p in "${pids[@]}"; do alive "$p" && kill -KILL "$p"; done
  return 0
}

# One command, or none for all; an empty or extra word is refused, not
# read as "all" or ignored.
if [ $# -gt 1 ]; then
  echo "usage: $0 install|start|demo|stop|all, got $# arguments: $*" >&2; exit 2
fi
case "${1-all}" in
  install) install ;;
  start) start ;;
  demo) demo ;;
  stop) stop ;;
  all) trap stop EXIT; start; demo ;;
  *) echo "usage: $0 install|start|demo|stop|all, got '$1'" >&2; exit 2 ;;
esac
