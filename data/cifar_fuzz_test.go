package data

import (
	"bytes"
	"testing"
)

// FuzzParseCIFARBatch checks the CIFAR-10 batch reader, as image/png's
// FuzzDecode checks its decoder: no input makes it panic, and a batch it
// accepts holds exactly the input's records (labels 0-9, images as given).
// It reads batches of two records; the seeds are a valid batch, a truncated
// one and one with a label out of range.
func FuzzParseCIFARBatch(f *testing.F) {
	const records, record = 2, 1 + cifarImage
	valid := make([]byte, records*record)
	for i := range valid {
		valid[i] = byte(i * 7)
	}
	valid[0], valid[record] = 3, 9
	f.Add(valid)
	f.Add(valid[:record+10])
	bad := bytes.Clone(valid)
	bad[record] = 10
	f.Add(bad)
	f.Fuzz(func(t *testing.T, in []byte) {
		images, labels := make([]byte, records*cifarImage), make([]byte, records)
		if err := parseCIFARBatch(bytes.NewReader(in), images, labels); err != nil {
			return
		}
		if len(in) < records*record {
			t.Fatalf("accepted %d bytes, fewer than %d records", len(in), records)
		}
		for r := range records {
			rec := in[r*record : (r+1)*record]
			if labels[r] >= numClasses || labels[r] != rec[0] || !bytes.Equal(images[r*cifarImage:(r+1)*cifarImage], rec[1:]) {
				t.Fatalf("record %d: label %d, image differs from the input's", r, labels[r])
			}
		}
	})
}
