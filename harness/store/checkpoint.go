package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
)

// Checkpoint is the state of a run at the end of an epoch. Every random
// stream of a run is derived from (seed, purpose, epoch) by rng.Stream, so
// no generator state needs saving: the model's bytes (parameters and
// BatchNorm running statistics), the optimizer's bytes and the epoch are the
// whole state, and resuming from them gives exactly the numbers of an
// uninterrupted run. The metrics of epochs 1..Epoch are in metrics.jsonl.
type Checkpoint struct {
	Epoch     int    // last completed epoch (1-based)
	Model     []byte // models.Net.MarshalBinary
	Optimizer []byte // optim.Optimizer.MarshalBinary
}

// checkpointMagic starts every checkpoint file; the last byte is the format version.
const checkpointMagic = "NPCKPT\x00\x01"

// WriteCheckpoint writes c to checkpoint.bin of the run in dir atomically.
// The format is the magic, then little-endian uint64 epoch, model length,
// optimizer length, the two byte blobs, and a CRC-32 (IEEE) of all before it.
func WriteCheckpoint(dir string, c Checkpoint) error {
	b := make([]byte, 0, len(checkpointMagic)+24+len(c.Model)+len(c.Optimizer)+4)
	b = append(b, checkpointMagic...)
	b = binary.LittleEndian.AppendUint64(b, uint64(c.Epoch))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(c.Model)))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(c.Optimizer)))
	b = append(b, c.Model...)
	b = append(b, c.Optimizer...)
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return WriteFileAtomic(filepath.Join(dir, CheckpointFile), b)
}

// ReadCheckpoint reads checkpoint.bin of the run in dir. ok is false (and err
// nil) when there is no checkpoint; a file that is not a valid checkpoint is
// an error.
func ReadCheckpoint(dir string) (c Checkpoint, ok bool, err error) {
	path := filepath.Join(dir, CheckpointFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("store: %w", err)
	}
	bad := func(why string) (Checkpoint, bool, error) {
		return Checkpoint{}, false, fmt.Errorf("store: %s: corrupt checkpoint: %s", path, why)
	}
	head := len(checkpointMagic) + 24
	if len(b) < head+4 || string(b[:len(checkpointMagic)]) != checkpointMagic {
		return bad("bad header")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return bad("checksum mismatch")
	}
	le := binary.LittleEndian
	epoch := le.Uint64(b[len(checkpointMagic):])
	nm := le.Uint64(b[len(checkpointMagic)+8:])
	no := le.Uint64(b[len(checkpointMagic)+16:])
	if uint64(len(body)-head) != nm+no {
		return bad("length mismatch")
	}
	c.Epoch = int(epoch)
	c.Model = body[head : head+int(nm)]
	c.Optimizer = body[head+int(nm):]
	return c, true, nil
}

// RemoveCheckpoint deletes checkpoint.bin of the run in dir, if any.
func RemoveCheckpoint(dir string) error {
	err := os.Remove(filepath.Join(dir, CheckpointFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
