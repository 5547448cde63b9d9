//go:build !(linux || darwin || freebsd)

package timing

import "time"

// ThreadTime is the wall clock where no per-thread CPU clock is at hand.
func ThreadTime() time.Duration { return time.Duration(time.Now().UnixNano()) }
