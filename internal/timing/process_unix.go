//go:build unix

package timing

import (
	"syscall"
	"time"
)

// ProcessCPU is the CPU time the process has used (user and system), or
// 0 where it cannot be read: work measured this way does not depend on
// what else the machine runs, as wall time does.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
