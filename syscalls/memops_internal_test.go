package syscalls

import (
	"math/rand/v2"
	"testing"
)

func TestFillAndFirstDiffMatchByteLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := rng.IntN(700)
		a := make([]byte, n)
		for i := range a {
			a[i] = byte(rng.IntN(3))
		}
		b := append([]byte(nil), a...)
		if n > 0 && rng.IntN(2) == 0 {
			b[rng.IntN(n)] = byte(rng.IntN(256))
		}
		var want int32
		for i := range a {
			if a[i] != b[i] {
				want = int32(a[i]) - int32(b[i])
				break
			}
		}
		if got := firstDiff(a, b); got != want {
			t.Fatalf("firstDiff(%x, %x) = %d, want %d", a, b, got, want)
		}
		c := byte(rng.IntN(256))
		fill(a, c)
		for i := range a {
			if a[i] != c {
				t.Fatalf("fill left byte %d = %d, want %d", i, a[i], c)
			}
		}
	}
}
