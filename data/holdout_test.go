package data

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// TestHoldout checks the hold-out against CPython's rule (the digests are
// of the validation indices joined by ",", computed with the snippet in
// Holdout's comment) and that the two parts partition the split.
func TestHoldout(t *testing.T) {
	for _, c := range []struct {
		name     string
		n        int
		fraction float64
		count    int
		first    []int
		sha256   string
	}{
		{"mnist 10%", 60000, 0.1, 6000, []int{0, 12, 14, 22, 24}, "08c2539c9ff4d24858ce5e2d81e04940da43e7e0ae4a4b197e700e4c67487e45"},
		{"cifar 20%", 50000, 0.2, 10000, []int{3, 6, 12, 16, 18}, "66c78b6f51d2e0f19023d62f38fcce78426331c23973df3b26580a0400e32b17"},
		{"half to even", 10, 0.25, 2, []int{3, 6}, "b21f6955827adddc2f062a66c3078f5f9f208540e0defae199d89e6f594e0b28"},
	} {
		t.Run(c.name, func(t *testing.T) {
			train, val := Holdout(c.n, c.fraction)
			if len(val) != c.count || len(train) != c.n-c.count {
				t.Fatalf("sizes %d and %d, want %d held out of %d", len(train), len(val), c.count, c.n)
			}
			for i, want := range c.first {
				if val[i] != want {
					t.Errorf("val[%d] = %d, want %d", i, val[i], want)
				}
			}
			s := make([]string, len(val))
			for i, v := range val {
				s[i] = strconv.Itoa(v)
			}
			sum := sha256.Sum256([]byte(strings.Join(s, ",")))
			if got := hex.EncodeToString(sum[:]); got != c.sha256 {
				t.Errorf("sha256 of the hold-out %s, want %s", got, c.sha256)
			}
			seen := make([]bool, c.n)
			for _, part := range [][]int{train, val} {
				for i, k := range part {
					if seen[k] || (i > 0 && part[i-1] >= k) {
						t.Fatalf("index %d repeated or out of order", k)
					}
					seen[k] = true
				}
			}
		})
	}
}

func TestHoldoutPanics(t *testing.T) {
	for _, c := range []struct {
		name     string
		n        int
		fraction float64
	}{{"negative size", -1, 0.1}, {"zero fraction", 10, 0}, {"whole set", 10, 1}} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Holdout(%d, %v) did not panic", c.n, c.fraction)
				}
			}()
			Holdout(c.n, c.fraction)
		})
	}
}
