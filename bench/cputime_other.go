//go:build !unix

package bench

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }

// CPUTime is not measured here: it returns 0.
func CPUTime() time.Duration { return 0 }
