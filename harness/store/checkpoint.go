package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/neuroplastic/neuroplastic/internal/atomicfile"
)

// Checkpoint is the state of a run at the end of an epoch. Every random
// stream of a run is derived from (seed, purpose, epoch) by rng.Stream, so
// no generator state needs saving: the model's bytes (parameters and
// BatchNorm running statistics), the optimizer's bytes and the epoch are the
// whole state, and resuming from them gives exactly the numbers of an
// uninterrupted run. The metrics of epochs 1..Epoch are in metrics.jsonl.
type Checkpoint struct {
	ID        string // the run's ID: a checkpoint is accepted only by its own run
	Epoch     int    // last completed epoch (1-based)
	Model     []byte // models.Net.MarshalBinary
	Optimizer []byte // optim.Optimizer.MarshalBinary
}

// checkpointMagic starts every checkpoint file; the last byte is the format
// version (2 added the run ID).
const checkpointMagic = "NPCKPT\x00\x02"

// checkpointHead is the length of the magic and the four uint64 fields.
const checkpointHead = len(checkpointMagic) + 32

// checkpointParts returns the encoding of c in four parts, to be written one
// after another: the magic, the little-endian uint64 epoch, ID length, model
// length and optimizer length, and the ID; the model's bytes; the
// optimizer's bytes; and a CRC-32 (IEEE) of all before it. The two blobs are
// not copied: a checkpoint is written every epoch, and copying megabytes
// into a fresh buffer each time would cost more than writing them.
func checkpointParts(c Checkpoint) [4][]byte {
	head := make([]byte, 0, checkpointHead+len(c.ID))
	head = append(head, checkpointMagic...)
	for _, v := range []int{c.Epoch, len(c.ID), len(c.Model), len(c.Optimizer)} {
		head = binary.LittleEndian.AppendUint64(head, uint64(v))
	}
	head = append(head, c.ID...)
	sum := crc32.ChecksumIEEE(head)
	sum = crc32.Update(sum, crc32.IEEETable, c.Model)
	sum = crc32.Update(sum, crc32.IEEETable, c.Optimizer)
	return [4][]byte{head, c.Model, c.Optimizer, binary.LittleEndian.AppendUint32(nil, sum)}
}

// decodeCheckpoint parses the bytes of a checkpoint file; the blobs of the
// result alias b.
func decodeCheckpoint(b []byte) (Checkpoint, error) {
	if len(b) < checkpointHead+4 || string(b[:len(checkpointMagic)]) != checkpointMagic {
		return Checkpoint{}, errors.New("bad header (not a checkpoint of this format version)")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return Checkpoint{}, errors.New("checksum mismatch")
	}
	var f [4]uint64
	for i := range f {
		f[i] = binary.LittleEndian.Uint64(b[len(checkpointMagic)+8*i:])
	}
	rest := uint64(len(body) - checkpointHead)
	if f[0] > 1<<31 || f[1] > rest || f[2] > rest || f[3] > rest || f[1]+f[2]+f[3] != rest {
		return Checkpoint{}, errors.New("length mismatch")
	}
	p := body[checkpointHead:]
	return Checkpoint{
		Epoch:     int(f[0]),
		ID:        string(p[:f[1]]),
		Model:     p[f[1] : f[1]+f[2]],
		Optimizer: p[f[1]+f[2]:],
	}, nil
}

// WriteCheckpoint writes c to checkpoint.bin of the run in dir atomically.
func WriteCheckpoint(dir string, c Checkpoint) error {
	parts := checkpointParts(c)
	r := io.MultiReader(bytes.NewReader(parts[0]), bytes.NewReader(parts[1]), bytes.NewReader(parts[2]), bytes.NewReader(parts[3]))
	if err := atomicfile.WriteFrom(filepath.Join(dir, CheckpointFile), r, nil); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// ReadCheckpoint reads checkpoint.bin of the run in dir. ok is false (and err
// nil) when there is no checkpoint. A file that is not a valid checkpoint, or
// one of another run (its ID is not dir's base name), is a *CorruptError.
func ReadCheckpoint(dir string) (c Checkpoint, ok bool, err error) {
	path := filepath.Join(dir, CheckpointFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("store: reading checkpoint: %w", err)
	}
	if c, err = decodeCheckpoint(b); err != nil {
		return Checkpoint{}, false, &CorruptError{path, err.Error()}
	}
	if id := filepath.Base(dir); c.ID != id {
		return Checkpoint{}, false, &CorruptError{path, fmt.Sprintf("it belongs to run %q, not %q", c.ID, id)}
	}
	return c, true, nil
}

// CorruptError is a store file that cannot be trusted.
type CorruptError struct {
	Path, Why string
}

func (e *CorruptError) Error() string { return fmt.Sprintf("store: %s: %s", e.Path, e.Why) }

// RemoveCheckpoint deletes checkpoint.bin of the run in dir, if any.
func RemoveCheckpoint(dir string) error {
	err := os.Remove(filepath.Join(dir, CheckpointFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: removing checkpoint: %w", err)
	}
	return nil
}
