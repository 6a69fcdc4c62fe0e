#!/usr/bin/env bash
# A real Slurm test (`make test-slurm`): installs Debian's slurm-wlm and munge,
# starts a single-node cluster on this machine with its own config and state
# under a temporary directory, submits the job array that `neuroplastic slurm`
# emits for a tiny sweep (3 shards), waits, and checks that the store holds
# every run completed and that `neuroplastic report` renders it. The daemons
# it started are stopped on exit, whatever happens.
set -euo pipefail

top=$(cd "$(dirname "$0")/../../.." && pwd)
bin="$top/bin/neuroplastic"
[ -x "$bin" ] || { echo "slurm test: $bin missing; run 'make build' first" >&2; exit 1; }
if [ "$(id -u)" != 0 ]; then
	echo "slurm test: needs root to install and run slurmctld/slurmd/munged" >&2
	exit 1
fi

log() { echo "slurm test: $*"; }
start=$(date +%s)

# 1. Packages (never rely on an earlier session's install).
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
	log "installing slurm-wlm and munge"
	apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq slurm-wlm munge >/dev/null
fi

work=$(mktemp -d /tmp/neuroplastic-slurm.XXXXXX)
export SLURM_CONF="$work/slurm.conf"
started_munge=""
cleanup() {
	local rc=$?
	for p in "$work/slurmd.pid" "$work/slurmctld.pid"; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
	done
	if [ -n "$started_munge" ] && [ -f /run/munge/munged.pid ]; then
		kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
	fi
	sleep 1
	if [ $rc -ne 0 ]; then
		for f in "$work"/log/*.log "$work"/results/slurm/*; do
			[ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }
		done
	fi
	rm -rf "$work"
	exit $rc
}
trap cleanup EXIT

# 2. munge: the key the package made, the daemon as the munge user.
if [ ! -f /etc/munge/munge.key ]; then
	/usr/sbin/mungekey --create >/dev/null 2>&1 || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
fi
chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge && chown munge:munge /run/munge /var/log/munge /var/lib/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
	runuser -u munge -- /usr/sbin/munged
	started_munge=1
	for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi

# 3. A single-node cluster whose state lives in $work (a clean slate each time).
mkdir -p "$work/state" "$work/spool" "$work/log"
# The node offers its real memory, so the script's --mem can be scheduled.
mem_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
cat >"$SLURM_CONF" <<CONF
ClusterName=neuroplastic-test
SlurmctldHost=localhost
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=6917
SlurmdPort=6918
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF"
slurmd -N localhost -f "$SLURM_CONF"
for _ in $(seq 100); do
	state=$(sinfo -h -o %T 2>/dev/null || true)
	[ "$state" = idle ] && break
	sleep 0.2
done
[ "$state" = idle ] || { log "node never became idle (state '$state')"; exit 1; }
log "cluster up ($(( $(date +%s) - start )) s)"

# 4. A tiny sweep on real MNIST (fetched through the product's own data step).
export NEUROPLASTIC_DATA="${NEUROPLASTIC_DATA:-$HOME/.cache/neuroplastic}"
"$bin" data >/dev/null
cat >"$work/tiny.yaml" <<SPEC
study: slurm_tiny
dataset: mnist
model: mlp
epochs: 1
batch_size: 128
seeds: [41, 42, 43]
fractions: [0.02]
arms:
  - name: grad_only
    optimizer: {name: neuroplastic, mode: ablation_grad_only, lr: 0.1, min_alpha: 0.5, max_alpha: 1.5}
  - name: full
    optimizer: {name: neuroplastic, from: paper}
report: {kind: paired}
SPEC
"$bin" slurm "$work/tiny.yaml" --shards 3 --parallel 2 --cpus-per-task 1 --sbatch-arg=--comment=neuroplastic-test \
	--results "$work/results" --binary "$bin" -o "$work/job.sh"
grep -q '^#SBATCH --mem=' "$work/job.sh" && grep -q -- "--data-dir $NEUROPLASTIC_DATA" "$work/job.sh" ||
	{ log "the script lacks --mem or the data directory"; cat "$work/job.sh"; exit 1; }
sbatch --wait "$work/job.sh"

# 5. The store holds every run completed, exactly once; report aggregates it.
runs=$(find "$work/results/runs/slurm_tiny" -name summary.json | wc -l)
done=$(grep -l '"status": *"completed"' "$work"/results/runs/slurm_tiny/*/summary.json | wc -l)
[ "$runs" = 6 ] && [ "$done" = 6 ] || { log "want 6 completed runs, store has $runs runs, $done completed"; exit 1; }
"$bin" plan "$work/tiny.yaml" --results "$work/results" | tee "$work/plan.txt"
"$bin" report --results "$work/results" --specs "$work/tiny.yaml" >/dev/null
[ -s "$work/results/tables/slurm_tiny.md" ] || { log "report wrote no table"; exit 1; }
log "6 runs completed across 3 array tasks; report ok ($(( $(date +%s) - start )) s)"
echo "slurm: 1 passed, 0 failed"
