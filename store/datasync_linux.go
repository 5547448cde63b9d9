package store

import (
	"os"
	"syscall"
)

// dataSync makes f's data durable. The head file is rewritten in place at
// a fixed size, so fdatasync, which skips the timestamps, suffices.
func dataSync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
