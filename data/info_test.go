package data

import "testing"

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Info
		err  string
	}{
		{"mnist", Info{Name: "mnist", Title: "MNIST", Train: 60000, Test: 10000}, ""},
		{"fashion_mnist", Info{Name: "fashion_mnist", Title: "Fashion-MNIST", Train: 60000, Test: 10000}, ""},
		{"cifar10", Info{Name: "cifar10", Title: "CIFAR-10", Train: 50000, Test: 10000, Augmented: true}, ""},
		{Synthetic, Info{Name: Synthetic, Title: "synthetic test data", Train: 256, Test: 64}, ""},
		{"imagenet", Info{}, `data: unknown dataset "imagenet" (known: mnist, fashion_mnist, cifar10)`},
	} {
		got, err := Describe(tc.name)
		if errString(err) != tc.err || got != tc.want {
			t.Errorf("Describe(%q) = %+v, %v; want %+v, %s", tc.name, got, err, tc.want, tc.err)
		}
	}
	// The generated dataset has the sizes Describe gives.
	ds, err := Load(Synthetic, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := Describe(Synthetic); ds.Train.N != info.Train || ds.Test.N != info.Test || ds.Name != Synthetic {
		t.Errorf("synthetic dataset %s has %d and %d examples, Describe says %+v", ds.Name, ds.Train.N, ds.Test.N, info)
	}
}

func TestSubsetSize(t *testing.T) {
	for _, tc := range []struct {
		n    int
		f    float64
		want int
	}{
		{60000, 1, 60000},
		{60000, 0.1, 6000},
		{5, 0.5, 2}, // 2.5 rounds half to even
		{7, 0.5, 4}, // 3.5 rounds half to even
		{60000, 1e-9, 0},
	} {
		if got := SubsetSize(tc.n, tc.f); got != tc.want {
			t.Errorf("SubsetSize(%d, %v) = %d, want %d", tc.n, tc.f, got, tc.want)
		}
		if tc.f < 1 {
			if got := len(Subset(tc.n, tc.f, 1)); got != tc.want {
				t.Errorf("len(Subset(%d, %v)) = %d, want %d", tc.n, tc.f, got, tc.want)
			}
		}
	}
}
