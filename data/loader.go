package data

import (
	"fmt"
	"math/rand/v2"

	"github.com/neuroplastic/neuroplastic/rng"
)

// cropPad is the zero padding of the random crop, in pixels on each side.
const cropPad = 4

// Loader iterates the batches of one epoch over a split, or over a subset
// of its examples. Batches hold batch examples, the last one fewer when the
// count does not divide (it is kept, not dropped). For epochs >= 1 the
// order is shuffled by rng.Stream(seed, "shuffle", epoch) and, with
// augmentation, each image is randomly cropped (zero padding 4, as
// torchvision's RandomCrop(size, padding=4) on the raw image) and flipped
// horizontally with probability 0.5, drawn from rng.Stream(seed,
// "augment", epoch). Epoch 0 is the evaluation order: the examples in the
// given order, unaugmented. A Loader reuses its buffers: it allocates
// nothing per batch. It is not safe for concurrent use.
type Loader struct {
	s       *Split
	indices []int // the examples, in the given order
	order   []int // this epoch's order
	batch   int
	seed    uint64
	augment bool

	next int        // position in order of the next batch
	rng  *rand.Rand // this epoch's augmentation stream, nil when not augmenting
	x    []float32  // batch buffer, batch*C*H*W
	y    []uint8    // batch buffer, batch
	sink byte       // what touch read, kept so that its loads are not removed

	planes []*[4][256]byte // bytePlanes of each channel's table, for mapTable
}

// NewLoader returns a Loader over the examples indices of s (nil: all of
// them, in order) with batches of size batch, for a run with the given
// seed. The indices are copied. Call Epoch before Next. NewLoader panics if
// batch is not positive or an index is out of range.
func NewLoader(s *Split, indices []int, batch int, seed uint64, augment bool) *Loader {
	if batch <= 0 {
		panic(fmt.Sprintf("data: NewLoader: batch size %d", batch))
	}
	if indices == nil {
		indices = make([]int, s.N)
		for i := range indices {
			indices[i] = i
		}
	} else {
		for _, i := range indices {
			if i < 0 || i >= s.N {
				panic(fmt.Sprintf("data: NewLoader: index %d outside the split of %d examples", i, s.N))
			}
		}
		indices = append([]int(nil), indices...)
	}
	d := s.C * s.H * s.W
	planes := make([]*[4][256]byte, len(s.norm))
	for c, t := range s.norm {
		planes[c] = bytePlanes(t)
	}
	return &Loader{
		s: s, indices: indices, order: make([]int, len(indices)), batch: batch, seed: seed, augment: augment,
		next: len(indices), x: make([]float32, batch*d), y: make([]uint8, batch), planes: planes,
	}
}

// Batches returns the number of batches of an epoch, the last one partial
// when batch does not divide the example count.
func (l *Loader) Batches() int { return (len(l.indices) + l.batch - 1) / l.batch }

// Epoch starts epoch epoch: for epoch >= 1 a fresh shuffle (and
// augmentation stream) derived from the seed and the epoch only, so the
// batches of an epoch do not depend on what ran before; for epoch 0 the
// examples in order, unaugmented.
func (l *Loader) Epoch(epoch int) {
	if epoch < 0 {
		panic(fmt.Sprintf("data: Loader.Epoch: negative epoch %d", epoch))
	}
	copy(l.order, l.indices)
	l.next = 0
	l.rng = nil
	if epoch == 0 {
		return
	}
	sh := rng.Stream(l.seed, "shuffle", epoch)
	sh.Shuffle(len(l.order), func(i, j int) { l.order[i], l.order[j] = l.order[j], l.order[i] })
	if l.augment {
		l.rng = rng.Stream(l.seed, "augment", epoch)
	}
}

// Next returns the next batch of the epoch: the images (NCHW, n*C*H*W
// values) and labels of n <= batch examples, and ok false when the epoch is
// over. The slices are the Loader's buffers, valid until the next call;
// the caller must not keep or modify them beyond that.
func (l *Loader) Next() (x []float32, y []uint8, ok bool) {
	if l.next >= len(l.order) {
		return nil, nil, false
	}
	n := min(l.batch, len(l.order)-l.next)
	d := l.s.C * l.s.H * l.s.W
	batch := l.order[l.next : l.next+n]
	l.touch(batch, d)
	for b, i := range batch {
		dst, src := l.x[b*d:(b+1)*d], l.s.Pix[i*d:(i+1)*d]
		if l.rng != nil {
			l.crop(dst, src)
		} else {
			l.normalise(dst, src)
		}
		l.y[b] = l.s.Y[i]
	}
	l.next += n
	return l.x[:n*d], l.y[:n], true
}

// touch reads one byte of every cache line of the raw images of batch
// before any of them is normalised. The images lie at random places in a
// split larger than the caches, and the loop that normalises one reaches
// past about one cache line at a time, so its misses would come one after
// another; these loads are independent and go to memory together, and the
// loops that follow find the images in the cache.
func (l *Loader) touch(batch []int, d int) {
	if d == 0 {
		return
	}
	var x byte
	for _, i := range batch {
		img := l.s.Pix[i*d : (i+1)*d]
		for j := 0; j < len(img); j += 64 {
			x ^= img[j]
		}
		x ^= img[len(img)-1]
	}
	l.sink = x
}

// normalise writes into dst the normalised values of the raw image src.
func (l *Loader) normalise(dst []float32, src []uint8) {
	plane := l.s.H * l.s.W
	for c, t := range l.s.norm {
		mapTable(dst[c*plane:(c+1)*plane], src[c*plane:(c+1)*plane], t, l.planes[c])
	}
}

// crop writes into dst the normalised values of a random crop of the raw
// image src, padded by cropPad on every side with raw 0 pixels, flipped
// horizontally with probability 0.5. The draws per image are: top offset,
// left offset (each uniform in 0..2*cropPad), then the flip.
func (l *Loader) crop(dst []float32, src []uint8) {
	s := l.s
	top := l.rng.IntN(2*cropPad+1) - cropPad
	left := l.rng.IntN(2*cropPad+1) - cropPad
	flip := l.rng.IntN(2) == 1
	for c, t := range s.norm {
		pad := t[0]
		plane := c * s.H * s.W
		for y := range s.H {
			row := dst[plane+y*s.W : plane+(y+1)*s.W]
			sy := y + top
			if sy < 0 || sy >= s.H {
				for x := range row {
					row[x] = pad
				}
				continue
			}
			srow := src[plane+sy*s.W : plane+(sy+1)*s.W]
			for x := range row {
				sx := x + left
				if flip {
					sx = s.W - 1 - x + left
				}
				if sx < 0 || sx >= s.W {
					row[x] = pad
				} else {
					row[x] = t[srow[sx]]
				}
			}
		}
	}
}
