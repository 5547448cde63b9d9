package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
)

// TestDisasmAsmEveryELF checks that `agora disasm X.so > x.s && agora asm
// x.s -o y.so` gives back the same program for every ELF the tests use:
// the C examples, the assembly examples in every version, and the OVSM
// examples in both of their versions.
func TestDisasmAsmEveryELF(t *testing.T) {
	dir := t.TempDir()
	var elfs []string
	cs, _ := filepath.Glob("../../testdata/c/*.so")
	if len(cs) == 0 {
		t.Fatal("no C examples in testdata/c")
	}
	elfs = append(elfs, cs...)
	srcs, _ := filepath.Glob("../../examples/asm/*.s")
	for _, src := range srcs {
		for v := sbpf.V0; v <= sbpf.LatestVersion; v++ {
			out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".s")+"."+v.String()+".so")
			if r := runCLI(t, "", "asm", src, "-o", out, "--sbpf-version", v.String()); r.code != 0 {
				// hello.s uses lddw, which V2 lacks.
				if v != sbpf.V0 && strings.Contains(r.stderr, "is not available in sBPF") {
					continue
				}
				t.Fatalf("asm %s %s: %s", src, v, r.stderr)
			}
			elfs = append(elfs, out)
		}
	}
	ovsms, _ := filepath.Glob("../../examples/ovsm/*.ovsm")
	compiled := 0
	for _, src := range ovsms {
		for _, v := range []string{"v0", "v3"} {
			out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".ovsm")+"."+v+".so")
			if r := runCLI(t, "", "compile", src, "-o", out, "--sbpf-version", v); r.code == 0 {
				elfs, compiled = append(elfs, out), compiled+1
			}
		}
	}
	if compiled == 0 {
		t.Fatal("no OVSM example compiled")
	}
	reg, err := newRegistry()
	if err != nil {
		t.Fatal(err)
	}
	identical := 0
	for _, f := range elfs {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			orig, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d := runCLI(t, "", "disasm", f)
			if d.code != 0 {
				t.Fatalf("disasm: %s", d.stderr)
			}
			src := filepath.Join(dir, name+".s")
			again := filepath.Join(dir, name+".again.so")
			if err := os.WriteFile(src, []byte(d.stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			v, _ := elf.Version(orig)
			if a := runCLI(t, "", "asm", src, "-o", again, "--sbpf-version", v.String()); a.code != 0 {
				t.Fatalf("asm of the disassembly: %s\n%s", a.stderr, d.stdout)
			}
			back, err := os.ReadFile(again)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(orig, back) {
				identical++
			}
			p1, err := elf.Load(orig, reg, nil)
			if err != nil {
				t.Fatal(err)
			}
			p2, err := elf.Load(back, reg, nil)
			if err != nil {
				t.Fatalf("reassembled ELF does not load: %v", err)
			}
			if !bytes.Equal(p1.Text, p2.Text) || p1.Entry != p2.Entry || p1.TextVAddr != p2.TextVAddr {
				t.Errorf("text or entry differs\n%s", d.stdout)
			}
			if !bytes.Equal(p1.ROData, p2.ROData) || p1.RODataVAddr != p2.RODataVAddr {
				t.Errorf("read-only data differs: %d bytes at %#x, then %d at %#x", len(p1.ROData), p1.RODataVAddr, len(p2.ROData), p2.RODataVAddr)
			}
			if !slices.Equal(sortedValues(p1.Functions), sortedValues(p2.Functions)) && !p1.Version.StaticSyscalls() {
				t.Errorf("function registry differs: %v vs %v", p1.Functions, p2.Functions)
			}
			// and as the runtime lays programs out
			ro := elf.RuntimeOptions()
			r1, err1 := elf.Load(orig, reg, &ro)
			r2, err2 := elf.Load(back, reg, &ro)
			if err1 != nil || err2 != nil || !bytes.Equal(r1.Text, r2.Text) || !bytes.Equal(r1.ROData, r2.ROData) || r1.RODataVAddr != r2.RODataVAddr {
				t.Errorf("differs in the runtime's layout (%v, %v)", err1, err2)
			}
		})
	}
	t.Logf("%d of %d ELFs came back byte for byte", identical, len(elfs))
}

func sortedValues(m map[uint32]int) []int {
	var out []int
	for _, v := range m {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// TestReadOnlyDataInAssembly: `.rodata` with `lddw reg, label` runs (via
// an ELF built in memory) and is refused for raw output.
func TestReadOnlyDataInAssembly(t *testing.T) {
	src := "lddw r1, msg\nmov64 r2, 5\nsyscall sol_log_\nmov64 r0, 0\nexit\n.rodata\nmsg:\n.byte 0x68, 0x65, 0x6c, 0x6c, 0x6f\n"
	r := runCLI(t, src, "run", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "Program log: hello") {
		t.Fatalf("run: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, src, "asm", "-")
	if r.code != 2 || !strings.Contains(r.stderr, "raw slots cannot carry") {
		t.Fatalf("raw asm: code %d %s", r.code, r.stderr)
	}
	for _, bad := range []string{".rodata\nmov64 r0, 1\n", ".byte 1\n", ".rodata\n.byte 256\n", ".rodata\n.fill 1, 0\n", "lddw r1, nowhere\nexit\n"} {
		if r := runCLI(t, bad, "asm", "-"); r.code != 2 {
			t.Errorf("%q: code %d, want 2", bad, r.code)
		}
	}
}
