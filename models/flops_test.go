package models

import (
	"testing"

	"github.com/neuroplastic/neuroplastic/models/kernel"
)

// TestForwardFLOPs checks the counts against the architectures worked out by
// hand: 2 FLOPs per multiply-add of the convolutions and linear layers.
func TestForwardFLOPs(t *testing.T) {
	for _, tc := range []struct {
		name string
		macs float64
	}{
		{"mlp", 784*256 + 256*256 + 256*10},
		// convs 884,736, 18,874,368 and 18,874,368; linears 2,097,152 and 2,560
		{"small_cnn", 40_733_184},
		// stem 1,769,472, stage 1 150,994,944, stages 2-4 134,217,728 each
		// (with the 1x1 shortcuts), linear 5,120
		{"resnet18", 555_422_720},
	} {
		got, err := ForwardFLOPs(tc.name)
		if err != nil || got != 2*tc.macs {
			t.Errorf("ForwardFLOPs(%s) = %v, %v; want %v", tc.name, got, err, 2*tc.macs)
		}
		if tc.name == "resnet18" && testing.Short() {
			continue
		}
		net, err := New(tc.name, 1, 1, kernel.New(1))
		if err != nil {
			t.Fatal(err)
		}
		if net.ForwardFLOPs() != got {
			t.Errorf("%s: Net.ForwardFLOPs() = %v, ForwardFLOPs = %v", tc.name, net.ForwardFLOPs(), got)
		}
	}
	if _, err := ForwardFLOPs("vgg"); err == nil {
		t.Error("ForwardFLOPs of an unknown model: no error")
	}
}
