package report

import (
	"strings"
	"testing"

	"github.com/neuroplastic/neuroplastic/harness/store"
)

// TestDamagedRunNotCounted is issue 10, failure 3 seen by the report: a
// damaged run is listed with its reason and fix, and never counted.
func TestDamagedRunNotCounted(t *testing.T) {
	good := withStatus("s", "mnist", cfg{"full", "full", fullOpt(0.1, 2, 2), 1, 0.9, 0.3}, 41, store.Completed, 1)
	bad := withStatus("s", "mnist", cfg{"full", "full", fullOpt(0.1, 2, 2), 1, 0.9, 0.3}, 42, store.Damaged, 1)
	bad.Damage = &store.Damage{Reason: "metrics.jsonl: line 2 is epoch 1", Fix: "`run` moves it aside and trains it again"}
	groups := groupRuns([]store.Run{good, bad})
	if len(groups) != 1 || len(groups[0].done) != 1 || len(groups[0].excluded) != 1 {
		t.Fatalf("groups %+v: want the completed run counted and the damaged one excluded", groups)
	}
	if r := groups[0].excluded[0].reason; !strings.HasPrefix(r, "damaged: metrics.jsonl: line 2 is epoch 1") || !strings.Contains(r, "moves it aside") {
		t.Errorf("reason %q", r)
	}
}
