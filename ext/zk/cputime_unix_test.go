//go:build unix

package zk

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used so far.
// On a busy machine it measures the work of a benchmark better than the
// wall clock, which counts the time the process waited for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
