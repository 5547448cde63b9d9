package econ

import "math/bits"

// VCGBid is one bid of a VCG auction: a bundle of items (bit i: item i)
// and its declared value.
type VCGBid struct {
	Bundle uint64
	Value  uint64
}

// VCGResult is the outcome of a VCG auction.
type VCGResult struct {
	// Welfare is the declared value of the allocation: the largest total
	// value of bids with pairwise disjoint bundles.
	Welfare uint64
	// Winners has bit i set when bid i wins its bundle.
	Winners uint64
	// Payments are the Clarke pivot payments, by bid (0 for losers):
	// W(without i) - (Welfare - value_i), never more than the bid.
	Payments []uint64
	// Steps is the work done: table cells computed.
	Steps uint64
}

// SolveVCG determines the winners of a VCG auction over items items
// (1..MaxVCGItems) and their payments, exactly.
//
// Winner determination is a dynamic program over the bids and the 2^items
// subsets of the items: best(k, S) is the most welfare bids k.. can reach
// with the items in S, best(k, S) = max(best(k+1, S), value_k +
// best(k+1, S - bundle_k)) when bundle_k ⊆ S. That is n·2^items steps.
// The allocation is read back from bid 0 on, taking each bid whenever an
// optimal allocation with it exists, so ties go to earlier bids: among
// the welfare-maximising allocations the one chosen is the first when
// the winning sets are compared as bit vectors from bid 0 (taking a bid
// beats leaving it). Each winner's payment needs the welfare without it,
// another (n-1)·2^items steps. charge is called with the steps before each
// of the two phases, so the search is paid for before it runs (it may
// refuse, and then SolveVCG returns its error).
//
// Bundles must be non-empty subsets of the items and values sums must fit
// in 64 bits (Overflow otherwise); callers check the first.
func SolveVCG(items int, bids []VCGBid, charge func(steps uint64) error) (VCGResult, error) {
	n := len(bids)
	res := VCGResult{Payments: make([]uint64, n)}
	if items < 1 || items > MaxVCGItems || n > MaxBids {
		return res, fail(InvalidState, "%d items and %d bids exceed the limits", items, n)
	}
	full := 1 << items
	for _, b := range bids {
		if b.Bundle == 0 || b.Bundle>>items != 0 {
			return res, fail(InvalidState, "bundle %#x outside %d items", b.Bundle, items)
		}
	}
	if n == 0 {
		return res, nil
	}
	main := uint64(n) * uint64(full)
	if charge != nil {
		if err := charge(main); err != nil {
			return res, err
		}
	}
	// h[k*full+S] = best(k, S); row n is zero.
	h := make([]uint64, (n+1)*full)
	for k := n - 1; k >= 0; k-- {
		row, next := h[k*full:(k+1)*full], h[(k+1)*full:(k+2)*full]
		bk, vk := int(bids[k].Bundle), bids[k].Value
		for s := range full {
			best := next[s]
			if s&bk == bk {
				c, carry := bits.Add64(vk, next[s&^bk], 0)
				if carry != 0 {
					return res, fail(Overflow, "welfare exceeds 2^64")
				}
				best = max(best, c)
			}
			row[s] = best
		}
	}
	res.Steps = main
	res.Welfare = h[full-1]
	s := full - 1
	for k := range n {
		bk := int(bids[k].Bundle)
		if s&bk == bk && bids[k].Value+h[(k+1)*full+s&^bk] == h[k*full+s] {
			res.Winners |= 1 << k
			s &^= bk
		}
	}
	w := bits.OnesCount64(res.Winners)
	clarke := uint64(w) * uint64(n-1) * uint64(full)
	if clarke > 0 && charge != nil {
		if err := charge(clarke); err != nil {
			return res, err
		}
	}
	res.Steps += clarke
	g := make([]uint64, full)
	for i := range n {
		if res.Winners&(1<<i) == 0 {
			continue
		}
		clear(g)
		for k := range n {
			if k == i {
				continue
			}
			bk, vk := int(bids[k].Bundle), bids[k].Value
			// Downwards, so that g[s-bk] is still the value without bid k.
			for s := full - 1; s >= 0; s-- {
				if s&bk == bk {
					if c := vk + g[s&^bk]; c > g[s] { // no overflow: bounded by the welfare above
						g[s] = c
					}
				}
			}
		}
		others := res.Welfare - bids[i].Value
		if g[full-1] < others || g[full-1]-others > bids[i].Value {
			return res, fail(InvalidState, "inconsistent VCG payment for bid %d", i)
		}
		res.Payments[i] = g[full-1] - others
	}
	return res, nil
}
