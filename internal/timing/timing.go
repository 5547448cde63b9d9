// Package timing holds the measuring helpers the benchmarks share: a
// per-call time over a batch sized to a duration, the median of samples,
// and the CPU clocks of the thread and of the process. It only measures;
// nothing on a consensus path may read it.
package timing

import (
	"slices"
	"time"
)

// PerOp returns the mean nanoseconds per call of f over about d: f runs
// in batches that grow until one lasts d.
func PerOp(d time.Duration, f func()) float64 {
	n := 1
	for {
		el := Calls(n, f)
		if el >= d || n >= 1<<30 {
			return float64(el.Nanoseconds()) / float64(n)
		}
		next := n * 100
		if el > 0 {
			next = min(int(float64(n)*float64(d)/float64(el)*1.2), n*100)
		}
		n = max(n+1, next)
	}
}

// Calls returns how long n calls of f take.
func Calls(n int, f func()) time.Duration {
	start := time.Now()
	for range n {
		f()
	}
	return time.Since(start)
}

// Median returns the middle of xs (the upper one of an even count), 0
// for none. xs is not changed.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
