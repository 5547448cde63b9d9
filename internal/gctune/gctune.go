// Package gctune keeps the garbage collector's heap goal above a floor.
//
// With GOGC at its default of 100 the collector runs whenever the heap
// has doubled since the last cycle. A chain's live heap is small (tens of
// MiB) while it allocates quickly (about 20 KiB a transaction), so it
// collects every few tens of milliseconds, and on two cores each cycle's
// marking takes a lane's share. Floor raises GOGC while the live heap is
// small, so that the goal is at least the floor, and leaves it at 100
// once the live heap is large (a simulation of a million agents), where a
// higher GOGC would only cost memory. It never changes what a program
// computes, only when memory is collected.
package gctune

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

const (
	// basePercent is GOGC's default, kept once the live heap reaches half
	// the floor.
	basePercent = 100
	// maxPercent bounds GOGC for a nearly empty heap.
	maxPercent = 1000
)

// Percent returns the GOGC that makes the heap goal, live×(1+GOGC/100),
// at least floor: basePercent when that already holds, at most maxPercent.
func Percent(live, floor uint64) int {
	if live == 0 || 2*live >= floor {
		return basePercent
	}
	p := (floor - live) * 100 / live
	return int(min(max(p, basePercent), maxPercent))
}

// Floor keeps the heap goal at least floor bytes, checking the live heap
// every period, until stop is called (which restores GOGC's default). It
// does nothing when the environment sets GOGC: the user's choice wins.
func Floor(floor uint64, period time.Duration) (stop func()) {
	if _, set := os.LookupEnv("GOGC"); set {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		last := basePercent
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-done:
				debug.SetGCPercent(basePercent)
				return
			case <-t.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				continue
			}
			if p := Percent(sample[0].Value.Uint64(), floor); p != last {
				debug.SetGCPercent(p)
				last = p
			}
		}
	}()
	return func() {
		close(done)
		<-finished
	}
}
