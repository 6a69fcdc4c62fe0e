package store

import (
	"fmt"
	"os"
)

// LockFile is the name of the lock file in a run directory.
const LockFile = "lock"

// Lock is a held run lock: an exclusive flock(2) on the run's lock file,
// which also names the holder ("host pid"). The kernel drops it when the
// process dies, however it dies, so a lock is never left stale.
//
// flock excludes processes on one machine on every local filesystem. Across
// machines it holds where the filesystem propagates flock: NFSv4 (and NFSv3
// with the lock manager; Linux maps flock to NFS byte-range locks since
// 2.6.12), Lustre mounted with -o flock (not -o localflock, which is
// node-local), GPFS/Spectrum Scale, CephFS and BeeGFS with global file locks
// enabled. On a filesystem without it, give Slurm tasks disjoint shards.
type Lock struct{ f *os.File }

// HeldError says that another process holds a run's lock.
type HeldError struct {
	Dir    string // the run directory
	Holder string // "host pid" of the holder, as it wrote it
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("store: %s is being trained by another process (%s)", e.Dir, e.Holder)
}
