//go:build !(linux || darwin || freebsd)

package trace

import "time"

// threadTime is the wall clock where no per-thread CPU clock is at hand.
func threadTime() time.Duration { return time.Duration(time.Now().UnixNano()) }
