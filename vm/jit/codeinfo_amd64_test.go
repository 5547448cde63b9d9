//go:build amd64 && linux

package jit

import "slices"

// reusesLoad reports whether a store in r's code reuses a load's address.
func reusesLoad(r *Runnable) bool { return r.code != nil && slices.Contains(r.code.noEntry, true) }
