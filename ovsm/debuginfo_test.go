package ovsm

import (
	"bytes"
	"testing"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

const debugSrc = `(defn double (x)
  (* x 2))

(define-program dbg
  (entrypoint (accounts instruction-data)
    (define a (double 21))
    (define b (+ a 1))
    (assert (< b 10) "b too big")
    b))`

// TestDebugInfo checks every instruction is mapped, the mapping points at
// the right lines, and the table survives its JSON form.
func TestDebugInfo(t *testing.T) {
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V3} {
		out := compileOK(t, debugSrc, Options{Version: v})
		d := out.Debug
		n := len(out.Program.Text) / 8
		for pc := 0; pc < n; pc++ {
			loc, ok := d.Lookup(pc)
			if !ok || loc.Line == 0 || loc.Function == "" {
				t.Fatalf("%s: pc %d unmapped (%v)", v, pc, loc)
			}
		}
		if !d.Matches(out.ELF) {
			t.Fatal("ELF hash mismatch")
		}
		// the body of double is line 2, the multiplication
		found := false
		for _, f := range d.Functions {
			if f.Name == "double" {
				found = true
				if f.Line != 1 {
					t.Fatalf("double defined at line %d", f.Line)
				}
				hasLine2 := false
				for pc := f.PC; pc < f.End; pc++ {
					if loc, _ := d.Lookup(pc); loc.Line == 2 && loc.File == "t.ovsm" {
						hasLine2 = true
					}
				}
				if !hasLine2 {
					t.Fatalf("no instruction of double maps to line 2")
				}
			}
		}
		if !found {
			t.Fatalf("no function double in %v", d.Functions)
		}
		if len(d.PCsForLine(7)) == 0 {
			t.Fatal("no breakpoint for line 7")
		}
		js, err := d.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseDebugInfo(js)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := back.Marshal()
		if !bytes.Equal(js, again) {
			t.Fatal("JSON round trip differs")
		}
		// the failing assert is reported at its line through the table: the
		// panicking instruction is in %fatal, called from line 8
		r := execute(t, out, runOpts{})
		ve, ok := r.Err.(interface{ Unwrap() error })
		_ = ve
		if r.Err == nil || !ok && r.Err == nil {
			t.Fatalf("expected the assert to fail: %v", r.Err)
		}
	}
	if _, err := ParseDebugInfo([]byte(`{"format":"other"}`)); err == nil {
		t.Fatal("accepted a foreign format")
	}
}

// TestDebugInfoTrace maps the instructions a run executes back to source
// lines, as the profiler does: the loop's line dominates.
func TestDebugInfoTrace(t *testing.T) {
	src := `(define-program loop
  (entrypoint (accounts instruction-data)
    (define s 0)
    (for (i (range 0 100))
      (set! s (+ s i)))
    s))`
	out := compileOK(t, src, Options{})
	exe, err := vm.Interpreter{}.Prepare(out.Program, testRegistry(), vm.Config{HeapSize: out.HeapSize})
	if err != nil {
		t.Fatal(err)
	}
	in, _, _ := abi.Serialize(nil, &abi.Instruction{})
	h := &lineHook{d: out.Debug, lines: map[int]int{}}
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: in, Budget: 1e6, Hook: h})
	if res.Err != nil || res.R0 != 4950 {
		t.Fatalf("%d %v", res.R0, res.Err)
	}
	if h.lines[5] < 100 || h.lines[4] < 100 || h.lines[4]+h.lines[5] < 380 {
		t.Fatalf("instructions per line: %v", h.lines)
	}
}

type lineHook struct {
	d     *DebugInfo
	lines map[int]int
}

func (h *lineHook) Step(m *vm.Machine, pc int) {
	if loc, ok := h.d.Lookup(pc); ok {
		h.lines[loc.Line]++
	}
}

// TestDeterministic: the same source gives the same bytes.
func TestDeterministic(t *testing.T) {
	src := readExample(t, "vcg-auction-agent")
	for _, v := range []sbpf.Version{sbpf.V0, sbpf.V3} {
		a, err := Compile(src, "x.ovsm", Options{Version: v})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			b, _ := Compile(src, "x.ovsm", Options{Version: v})
			if !bytes.Equal(a.ELF, b.ELF) {
				t.Fatalf("%s: compilation %d differs", v, i)
			}
		}
	}
}

// TestExtensionOption adds a syscall to the table through Options.
func TestExtensionOption(t *testing.T) {
	src := program(`(double-it 21)`)
	if _, err := Compile([]byte(src), "t.ovsm", Options{}); err == nil {
		t.Fatal("unknown function compiled")
	}
	opts := Options{Extensions: []Extension{{Name: "double-it", Syscall: "test_double", Args: []ArgShape{ArgInt}, Result: ResultInt}}}
	out := compileOK(t, src, opts)
	reg := testRegistry()
	reg.MustRegister("test_double", func(m *vm.Machine, a, _, _, _, _ uint64) (uint64, error) { return 2 * a, nil })
	r := execute(t, out, runOpts{registry: reg})
	if r.Err != nil || r.R0 != 42 {
		t.Fatalf("%d %v", r.R0, r.Err)
	}
	bad := Options{Extensions: []Extension{{Name: "x", Syscall: "y", Args: []ArgShape{ArgBytes, ArgBytes, ArgBytes}, Result: ResultInt}}}
	if _, err := Compile([]byte(src), "t.ovsm", bad); err == nil {
		t.Fatal("an extension needing 6 registers was accepted")
	}
	for _, e := range Extensions() {
		if err := e.validate(); err != nil {
			t.Error(err)
		}
	}
}
