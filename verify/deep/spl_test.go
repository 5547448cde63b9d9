package deep_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/internal/testutil"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/verify/deep"
	"github.com/agora-vm/agora/verify/taint"
	"github.com/agora-vm/agora/vm"
)

// TestSPLTokenBounded runs every deep analysis on the mainnet SPL Token
// program (raw mode, one private input word) with the default bounds and
// a time limit far past them: the run must end by its own bounds, not by
// the clock, and every finding must replay in the VM.
func TestSPLTokenBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("several seconds of analysis")
	}
	data := testutil.SPLToken(t)
	reg := registry(t)
	eo := elf.DefaultOptions()
	img, err := elf.LoadImage(data, reg, &eo)
	if err != nil {
		t.Fatal(err)
	}
	p := img.Program
	if err := verify.Structural(p.Text, p.Version, reg); err != nil {
		t.Fatal(err)
	}
	sp, err := taint.ParseSpec("input:0:8")
	if err != nil {
		t.Fatal(err)
	}
	heap := vm.DefaultConfig().HeapSize
	o := &deep.Options{Version: p.Version, Text: p.Text, Entry: p.Entry, Functions: p.Functions, ROData: p.ROData,
		RODataVAddr: p.RODataVAddr, HeapSize: heap, Syscalls: reg.Name, Timeout: 10 * time.Minute,
		Private: []taint.Spec{sp}}
	start := time.Now()
	rep, err := deep.Analyze(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v: %d proven, %d findings, %d unknown; %+v", time.Since(start), len(rep.Proven), len(rep.Findings), len(rep.Unknown), rep.Stats)
	for _, u := range rep.Unknown {
		if strings.Contains(u, "time limit") {
			t.Errorf("cut by the time limit: %s", u)
		}
	}
	for _, pv := range rep.Proven {
		if strings.HasPrefix(pv, "overflow:") || strings.HasPrefix(pv, "leak:") {
			t.Errorf("proven although the exploration is bounded: %s", pv)
		}
	}
	for _, f := range rep.Findings {
		if f.Kind == "leak" {
			continue
		}
		if err := replay(p, reg, f, heap); err != nil {
			t.Errorf("%s at pc %d does not replay: %v", f.Kind, f.PC, err)
		}
	}
	if os.Getenv("AGORA_SPL_TOKEN_LOG") != "" {
		for _, u := range rep.Unknown {
			t.Log(u)
		}
	}
}
