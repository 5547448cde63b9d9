//go:build linux || darwin || freebsd

package timing

import (
	"time"

	"golang.org/x/sys/unix"
)

// ThreadTime returns the CPU time the calling thread has used, so that a
// timing excludes the time other work on the machine took the CPU away;
// the wall clock where the thread's clock is missing.
func ThreadTime() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return time.Duration(time.Now().UnixNano())
	}
	return time.Duration(ts.Nano())
}
