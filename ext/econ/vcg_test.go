package econ

import (
	"math/rand/v2"
	"testing"
)

// bruteVCG solves by enumerating every set of bids: the best welfare, the
// winners under the documented tie-break (prefer taking earlier bids),
// and the welfare without each bid.
func bruteVCG(bids []VCGBid) (welfare, winners uint64, without []uint64) {
	n := len(bids)
	without = make([]uint64, n)
	// better reports whether set a beats set b at equal welfare: at the
	// first bid where they differ, a takes it.
	better := func(a, b uint64) bool {
		d := a ^ b
		return d != 0 && a&(d&-d) != 0
	}
	first := true
	for set := uint64(0); set < 1<<n; set++ {
		var used, w uint64
		ok := true
		for i := range n {
			if set&(1<<i) == 0 {
				continue
			}
			if used&bids[i].Bundle != 0 {
				ok = false
				break
			}
			used |= bids[i].Bundle
			w += bids[i].Value
		}
		if !ok {
			continue
		}
		if first || w > welfare || (w == welfare && better(set, winners)) {
			welfare, winners, first = w, set, false
		}
		for i := range n {
			if set&(1<<i) == 0 && w > without[i] {
				without[i] = w
			}
		}
	}
	return welfare, winners, without
}

func TestVCGAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for iter := range 3000 {
		items := 1 + r.IntN(5)
		n := r.IntN(10)
		bids := make([]VCGBid, n)
		for i := range bids {
			bids[i] = VCGBid{Bundle: 1 + r.Uint64N(1<<items-1), Value: 1 + r.Uint64N(12)}
		}
		var charged uint64
		res, err := SolveVCG(items, bids, func(s uint64) error { charged += s; return nil })
		if err != nil {
			t.Fatal(err)
		}
		w, winners, without := bruteVCG(bids)
		if res.Welfare != w || res.Winners != winners {
			t.Fatalf("iter %d: %d items, bids %+v: got welfare %d winners %b, brute force %d %b", iter, items, bids, res.Welfare, res.Winners, w, winners)
		}
		if charged != res.Steps {
			t.Fatalf("charged %d steps of %d", charged, res.Steps)
		}
		for i, b := range bids {
			want := uint64(0)
			if winners&(1<<i) != 0 {
				want = without[i] - (w - b.Value)
			}
			if res.Payments[i] != want || res.Payments[i] > b.Value {
				t.Fatalf("iter %d: bid %d pays %d, want %d (value %d)", iter, i, res.Payments[i], want, b.Value)
			}
		}
	}
}

func TestVCGLimitsAndCost(t *testing.T) {
	// The largest search: 12 items, 32 bids, each winning alone.
	bids := make([]VCGBid, MaxBids)
	for i := range bids {
		bids[i] = VCGBid{Bundle: 1 << (i % MaxVCGItems), Value: uint64(100 + i)}
	}
	res, err := SolveVCG(MaxVCGItems, bids, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(MaxBids*4096 + 12*31*4096); res.Steps != want {
		t.Fatalf("steps %d, want %d", res.Steps, want)
	}
	if _, err := SolveVCG(MaxVCGItems+1, bids[:1], nil); err == nil {
		t.Fatal("13 items accepted")
	}
	if _, err := SolveVCG(2, []VCGBid{{Bundle: 4, Value: 1}}, nil); err == nil {
		t.Fatal("a bundle beyond the items accepted")
	}
	_, err = SolveVCG(2, []VCGBid{{Bundle: 1, Value: 1 << 63}, {Bundle: 2, Value: 1 << 63}}, nil)
	wantCode(t, err, Overflow)
}
