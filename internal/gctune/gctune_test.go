package gctune

import (
	"os"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, floor uint64
		want        int
	}{
		{0, 64 * mib, basePercent},         // nothing measured yet
		{16 * mib, 64 * mib, 300},          // goal 16×4 = 64
		{20 * mib, 64 * mib, 220},          // goal 20×3.2 = 64
		{32 * mib, 64 * mib, basePercent},  // half the floor: the default already reaches it
		{500 * mib, 64 * mib, basePercent}, // a large heap keeps the default
		{1 * mib, 64 * mib, maxPercent},    // bounded
		{40 * mib, 64 * mib, basePercent},  // never below the default
	} {
		if got := Percent(c.live, c.floor); got != c.want {
			t.Errorf("Percent(%d MiB, %d MiB) = %d, want %d", c.live/mib, c.floor/mib, got, c.want)
		}
	}
}

// gogc reads the collector's current GOGC.
func gogc() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

// With GOGC unset, Floor raises GOGC for this test's small heap (a floor
// no heap reaches gives the bound), and stop restores the default.
func TestFloorRaises(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set in the environment, which Floor leaves alone (TestFloorLeavesGOGC)")
	}
	stop := Floor(1<<40, time.Millisecond)
	for deadline := time.Now().Add(5 * time.Second); gogc() != maxPercent; {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("GOGC stayed %d", gogc())
		}
		runtime.GC() // a live heap to measure
		time.Sleep(2 * time.Millisecond)
	}
	stop()
	if p := gogc(); p != basePercent {
		t.Fatalf("after stop GOGC is %d", p)
	}
}

// With GOGC set in the environment, Floor changes nothing.
func TestFloorLeavesGOGC(t *testing.T) {
	t.Setenv("GOGC", "100")
	stop := Floor(1<<40, time.Millisecond)
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	p := gogc()
	stop()
	if p != basePercent {
		t.Fatalf("GOGC became %d", p)
	}
}
