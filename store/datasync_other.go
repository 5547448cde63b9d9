//go:build !linux

package store

import "os"

// dataSync makes f's data durable.
func dataSync(f *os.File) error { return f.Sync() }
