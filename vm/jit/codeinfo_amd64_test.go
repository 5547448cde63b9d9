//go:build amd64 && linux

package jit

import "slices"

// reusesLoad reports whether a store in r's code reuses a load's address.
func reusesLoad(r *Runnable) bool { return r.code != nil && slices.Contains(r.code.noEntry, true) }

// relativeLimits reports whether r was compiled with limits relative to
// each region's start.
func relativeLimits(r *Runnable) bool { return r.code != nil && r.code.relative }

// groups returns how many access groups r's code checks at once, and how
// many jumps reuse the flags of the ALU operation before them.
func groups(r *Runnable) (groups, zeroJumps int) {
	if r.code == nil {
		return 0, 0
	}
	return r.code.groups, r.code.zeroJmps
}
