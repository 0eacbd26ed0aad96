#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine (Debian slurm-wlm + munge), private to a state
# directory, to run the workflow through `--executor slurm` (tests/integration/test_slurm.py, `make test-slurm`).
#
#   workflow/setup/slurm_single_node.sh install           # apt-get slurm-wlm munge if missing (root)
#   workflow/setup/slurm_single_node.sh start STATE_DIR   # munged, slurmctld, slurmd; waits for idle
#   workflow/setup/slurm_single_node.sh stop STATE_DIR    # stops those three, by their pid files
#
# Everything lives in STATE_DIR: slurm.conf (clients find it through SLURM_CONF=STATE_DIR/slurm.conf),
# pid files, logs, spool and the job completion log (jobcomp.log: one line per
# finished job, the scheduler's own record). Ports and munge socket are the cluster's own, so a
# SLURM or munge already running on the machine is neither used nor touched. Two things outside
# STATE_DIR: the executor's job step strips SLURM_CONF before its `srun`, which then reads
# /run/slurm/conf/slurm.conf (where a configless slurmd puts it), so `start` links that to
# STATE_DIR/slurm.conf (refusing if /run/slurm/conf exists) and `stop` removes the link; and munged's
# socket, pid and log go to a /tmp/slurm_single_node_munge.* directory (user munge must reach them),
# which `stop` removes. Recipe and traps:
# ../shared/docs/HPC_AND_TOOLS.md (no systemd here: daemons are started directly).
# Needs root (slurmd runs jobs as their user; munged as user munge).
set -euo pipefail

CTLD_PORT=${SLURM_SINGLE_NODE_PORT:-6917}   # slurmd listens on the next port
PARTITION=${SLURM_SINGLE_NODE_PARTITION:-tumorboard}

die() { echo "slurm_single_node: $*" >&2; exit 1; }

install_packages() {
  local missing=()
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) -eq 0 ]] || die "missing Debian packages ${missing[*]}: run as root: apt-get install -y --no-install-recommends ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # policy-rc.d may or may not stop the packages' own daemons from starting: ours use other
  # ports and sockets either way
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
}

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  local state=$1
  [[ $(id -u) -eq 0 ]] || die "needs root (daemons)"
  command -v slurmctld >/dev/null || die "slurm-wlm not installed: $0 install"
  [[ -r /etc/munge/munge.key ]] || die "/etc/munge/munge.key missing (package munge creates it)"
  alive "$state/slurmctld.pid" && die "$state: a cluster is already running there ($0 stop $state)"
  [[ -e /run/slurm/conf || -L /run/slurm/conf ]] &&
    die "/run/slurm/conf exists (a configless slurmd, or a cluster not stopped: $0 stop STATE_DIR)"
  mkdir -p "$state"/{ctld,spool}
  state=$(cd "$state" && pwd)
  # munged runs as user munge, which must reach its socket: STATE_DIR may sit in a private
  # (0700) directory such as a pytest tmp dir, so its files go to a directory of their own
  local munge
  munge=$(mktemp -d /tmp/slurm_single_node_munge.XXXXXX)
  echo "$munge" > "$state/munge_dir"
  chown munge:munge "$munge" && chmod 0755 "$munge"   # socket dir: o+x required
  runuser -u munge -- /usr/sbin/munged --socket="$munge/socket" \
    --pid-file="$munge/munged.pid" --log-file="$munge/munged.log" --seed-file="$munge/munged.seed"
  for _ in $(seq 50); do [[ -S $munge/socket ]] && break; sleep 0.1; done
  [[ -S $munge/socket ]] || die "munged did not start: $munge/munged.log"
  cp "$munge/munged.pid" "$state/munged.pid"

  local node
  node=$(slurmd -C | head -1)   # NodeName=<host> CPUs=... RealMemory=...
  cat > "$state/slurm.conf" <<EOF
# single-node test cluster written by workflow/setup/slurm_single_node.sh
ClusterName=tumorboard
SlurmctldHost=$(hostname -s)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$((CTLD_PORT + 1))
SlurmUser=root
AuthType=auth/munge
AuthInfo=socket=$munge/socket
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
# no cgroups (container, cgroup v1): plain process tracking
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
# without it every job takes the node's whole memory and jobs run one at a time
DefMemPerCPU=1000
# without it a job asking for more CPUs than the node has stays PENDING forever
EnforcePartLimits=ALL
# finished jobs stay visible to squeue for 10 min (no accounting daemon: the executor polls squeue)
MinJobAge=600
ReturnToService=2
# the scheduler's record of every finished job
JobCompType=jobcomp/filetxt
JobCompLoc=$state/jobcomp.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
$node State=UNKNOWN
PartitionName=$PARTITION Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$state/slurm.conf
  mkdir -p /run/slurm/conf
  ln -s "$SLURM_CONF" /run/slurm/conf/slurm.conf
  echo "$state" > /run/slurm/conf/.slurm_single_node
  /usr/sbin/slurmctld -c -f "$SLURM_CONF"
  /usr/sbin/slurmd -f "$SLURM_CONF"
  local st=""
  for _ in $(seq 100); do
    st=$(sinfo -h -o %T 2>/dev/null | head -1 || true)
    [[ $st == idle ]] && break
    sleep 0.2
  done
  [[ $st == idle ]] || { stop "$state"; die "node not idle (state '$st'): $state/slurmctld.log, $state/slurmd.log"; }
  echo "export SLURM_CONF=$SLURM_CONF"
}

stop() {
  local state=$1 f pid
  # slurmd first (it reports to slurmctld), munged last (both authenticate through it)
  for f in slurmd slurmctld munged; do
    [[ -f $state/$f.pid ]] || continue
    pid=$(cat "$state/$f.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$state/$f.pid"
  done
  if [[ -f $state/munge_dir ]]; then
    rm -rf -- "$(cat "$state/munge_dir")"
    rm -f "$state/munge_dir"
  fi
  # the client config link, if it is this cluster's
  if [[ -f /run/slurm/conf/.slurm_single_node && $(cat /run/slurm/conf/.slurm_single_node) == "$(cd "$state" && pwd)" ]]; then
    rm -f /run/slurm/conf/slurm.conf /run/slurm/conf/.slurm_single_node
    rmdir /run/slurm/conf /run/slurm 2>/dev/null || true
  fi
}

case ${1:-} in
  install) install_packages ;;
  start) [[ -n ${2:-} ]] || die "usage: $0 start STATE_DIR"; start "$2" ;;
  stop) [[ -n ${2:-} ]] || die "usage: $0 stop STATE_DIR"; stop "$2" ;;
  *) die "usage: $0 install | start STATE_DIR | stop STATE_DIR" ;;
esac
