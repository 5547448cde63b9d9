package bench

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/agora-vm/agora/ext/offload"
	"github.com/agora-vm/agora/vm"
)

// Every row's two programs agree byte for byte (BenchOffload fails
// otherwise), and the offloaded kernels cost fewer CU than their bytecode
// loops. POSEIDON_MANY and BATCH_VERIFY_BLS are priced at or above the
// one-at-a-time syscalls they replace, so only their CU being positive is
// asserted.
func TestBenchOffload(t *testing.T) {
	rows, err := BenchOffload(OffloadOptions{Sizes: []int{1, 7, 16}, Reps: 1})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rows {
		if len(names) == 0 || names[len(names)-1] != r.Name {
			names = append(names, r.Name)
		}
		if r.BytecodeCU == 0 || r.SyscallCU == 0 || r.BytecodeNs <= 0 || r.SyscallNs <= 0 || r.Size == "" {
			t.Errorf("%+v", r)
		}
		switch r.Name {
		case "POSEIDON_MANY", "BATCH_VERIFY_BLS":
		default:
			if r.SyscallCU >= r.BytecodeCU {
				t.Errorf("%s %s: bytecode %d CU, syscall %d CU", r.Name, r.Size, r.BytecodeCU, r.SyscallCU)
			}
		}
	}
	if !slices.Equal(names, OffloadOps()) {
		t.Errorf("rows %v, want %v", names, OffloadOps())
	}
	if len(rows) != len(OffloadOps())+2 {
		t.Errorf("%d rows", len(rows))
	}
}

func TestBenchOffloadSelect(t *testing.T) {
	rows, err := BenchOffload(OffloadOptions{Ops: []string{"RELU", "MATMUL"}, Sizes: []int{4}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Name != "MATMUL" || rows[0].Size != "4x4x4" || rows[1].Name != "RELU" {
		t.Fatalf("%+v", rows)
	}
	for _, bad := range []OffloadOptions{
		{Sizes: []int{129}},
		{Sizes: []int{0}},
		{Ops: []string{"MATMUL_I8"}},
		{Ops: []string{"BATCH_VERIFY_ED25519"}},
	} {
		if _, err := BenchOffload(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// Each baseline's result equals the CPU backend's (the Go kernels run
// directly, outside the VM), and the inputs exercise what they are meant
// to: a failing record where there is one, a nonzero sum.
func TestOffloadBaselinesMatchBackend(t *testing.T) {
	cases, err := offloadCases(OffloadOptions{Sizes: []int{5}})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := offloadRegistry()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		p, err := prepareOffload(reg, c)
		if err != nil {
			t.Fatal(err)
		}
		_, _, got, err := p.measure(p.baseline, 1)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		r, err := offload.DecodeRequest(c.req, offload.MaxDim)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := offload.NewCPU(1).Run(r)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: baseline %x, backend %x", c.name, got, want)
		}
		if bytes.Count(got, []byte{0}) == len(got) {
			t.Errorf("%s: all-zero result", c.name)
		}
		n := int(r.N)
		switch c.name {
		case "BATCH_VERIFY_BLS":
			if !bytes.Equal(got, append(bytes.Repeat([]byte{1}, n-1), 0)) {
				t.Errorf("BLS verdicts %v", got)
			}
		case "POSEIDON_MANY":
			for i := range n {
				if ok := got[offload.PoseidonResultSize*i]; ok != byte(min(n-1-i, 1)) {
					t.Errorf("Poseidon status %d is %d", i, ok)
				}
			}
		case "MSM_BN254":
			if binary.LittleEndian.Uint32(got) != 0 {
				t.Errorf("MSM status %d", binary.LittleEndian.Uint32(got))
			}
		}
	}
}

// BenchmarkOffload times every row both ways, the baseline (the program
// without offload) next to the offloaded one in the same run:
//
//	go test ./bench -run '^$' -bench Offload -benchtime 200ms
func BenchmarkOffload(b *testing.B) {
	cases, err := offloadCases(OffloadOptions{Sizes: []int{32}})
	if err != nil {
		b.Fatal(err)
	}
	reg, err := offloadRegistry()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range cases {
		p, err := prepareOffload(reg, c)
		if err != nil {
			b.Fatal(err)
		}
		for _, way := range []struct {
			name string
			exe  vm.Runnable
		}{{"baseline", p.baseline}, {"offload", p.syscall}} {
			b.Run(c.name+"/"+way.name, func(b *testing.B) {
				m := vm.NewMachine()
				input := make([]byte, len(p.req)+p.outLen)
				var cu uint64
				for b.Loop() {
					if cu, err = p.run(way.exe, m, input); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cu), "CU/op")
			})
		}
	}
}
