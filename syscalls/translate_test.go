package syscalls

import (
	"math"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

// translateProbe runs one call of a test syscall that hands its registers
// to a translate helper, and returns what the helper returned.
func translateProbe(t *testing.T, call func(m *vm.Machine) ([]byte, error)) (n int, kind string) {
	t.Helper()
	var (
		got []byte
		err error
	)
	reg := vm.NewRegistry()
	reg.MustRegister("probe", func(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
		got, err = call(m)
		return 0, nil
	})
	p := new(prog).call("probe").exit()
	exe, e := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.text, nil, 0), reg, vm.DefaultConfig())
	if e != nil {
		t.Fatal(e)
	}
	if res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: make([]byte, 64), Budget: 100}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if err != nil {
		return len(got), vm.ErrorKindOf(err)
	}
	return len(got), ""
}

// TestTranslateEdges walks every edge of Agave's translate_slice and
// translate_type: the empty slice, each side of the isize::MAX limit, a
// product that overflows uint64, an address range that wraps, the ends of
// a region, and alignment with and without the check, in Agave's order
// (length, then access, then alignment).
func TestTranslateEdges(t *testing.T) {
	const half = uint64(1) << 32
	var in64 = sbpf.InputStart // a 64-byte writable region
	tests := []struct {
		name                     string
		addr, count, size, align uint64
		aligned                  bool
		acc                      vm.AccessType
		wantLen                  int
		wantKind                 string
	}{
		{"empty at 0", 0, 0, 1, 1, true, vm.Load, 0, ""},
		{"empty of huge elements", math.MaxUint64, 0, math.MaxUint64, 8, true, vm.Store, 0, ""},
		{"zero-size element", 0, 1, 0, 1, false, vm.Load, 0, ""},
		{"product overflows uint64", in64, half, half, 1, false, vm.Load, 0, "InvalidLength"},
		{"product overflows by one", in64, math.MaxUint64/2 + 1, 2, 1, false, vm.Load, 0, "InvalidLength"},
		{"MaxInt64+1 bytes", in64, 1 << 62, 2, 1, false, vm.Load, 0, "InvalidLength"},
		{"MaxUint64 bytes", in64, math.MaxUint64, 1, 1, false, vm.Load, 0, "InvalidLength"},
		{"MaxInt64 bytes passes the length check", in64, math.MaxInt64, 1, 1, false, vm.Load, 0, "AccessViolation"},
		{"length checked before access", 0, math.MaxUint64, 1, 1, false, vm.Load, 0, "InvalidLength"},
		{"range wraps past MaxUint64", math.MaxUint64 - 3, 8, 1, 1, false, vm.Load, 0, "AccessViolation"},
		{"range ends at MaxUint64", math.MaxUint64, 1, 1, 1, false, vm.Load, 0, "AccessViolation"},
		{"whole region", in64, 64, 1, 1, false, vm.Store, 64, ""},
		{"whole region as elements", in64, 4, 16, 8, true, vm.Load, 64, ""},
		{"one past the region", in64 + 1, 64, 1, 1, false, vm.Load, 0, "AccessViolation"},
		{"element straddles the end", in64 + 56, 1, 16, 8, true, vm.Load, 0, "AccessViolation"},
		{"unaligned, checked", in64 + 4, 2, 8, 8, true, vm.Load, 0, "UnalignedPointer"},
		{"unaligned, unchecked", in64 + 4, 2, 8, 8, false, vm.Load, 16, ""},
		{"unaligned and out of range: access first", in64 + 60, 2, 8, 8, true, vm.Load, 0, "AccessViolation"},
		{"alignment 1 never fails", in64 + 3, 5, 1, 1, true, vm.Load, 5, ""},
		{"alignment 0 means none", in64 + 3, 5, 1, 0, true, vm.Load, 5, ""},
		{"store to read-only bytecode", sbpf.BytecodeStart, 1, 8, 1, false, vm.Store, 0, "AccessViolation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, kind := translateProbe(t, func(m *vm.Machine) ([]byte, error) {
				return TranslateSlice(m, tc.acc, tc.addr, tc.count, tc.size, tc.align, tc.aligned)
			})
			if n != tc.wantLen || kind != tc.wantKind {
				t.Fatalf("TranslateSlice = %d bytes, kind %q; want %d, %q", n, kind, tc.wantLen, tc.wantKind)
			}
			if tc.count != 1 {
				return
			}
			// A one-element slice is translate_type of the element.
			n, kind = translateProbe(t, func(m *vm.Machine) ([]byte, error) {
				return TranslateType(m, tc.acc, tc.addr, tc.size, tc.align, tc.aligned)
			})
			if n != tc.wantLen || kind != tc.wantKind {
				t.Fatalf("TranslateType = %d bytes, kind %q; want %d, %q", n, kind, tc.wantLen, tc.wantKind)
			}
		})
	}
}

func TestTranslateVMSlicesEdges(t *testing.T) {
	in64 := sbpf.InputStart
	tests := []struct {
		name     string
		addr     uint64
		count    uint64
		aligned  bool
		wantLen  int
		wantKind string
	}{
		{"none", 0, 0, true, 0, ""},
		{"count*16 overflows uint64", in64, 1 << 60, true, 0, "InvalidLength"},
		{"count*16 is MaxInt64+1", in64, 1 << 59, true, 0, "InvalidLength"},
		{"count*16 under MaxInt64", in64, math.MaxInt64 / 16, true, 0, "AccessViolation"},
		{"four fill the region", in64, 4, true, 4, ""},
		{"five do not", in64, 5, true, 0, "AccessViolation"},
		{"unaligned, checked", in64 + 4, 1, true, 0, "UnalignedPointer"},
		{"unaligned, unchecked", in64 + 4, 1, false, 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []VMSlice
			_, kind := translateProbe(t, func(m *vm.Machine) ([]byte, error) {
				var err error
				got, err = TranslateVMSlices(m, tc.addr, tc.count, tc.aligned)
				return nil, err
			})
			if len(got) != tc.wantLen || kind != tc.wantKind {
				t.Fatalf("TranslateVMSlices = %d slices, kind %q; want %d, %q", len(got), kind, tc.wantLen, tc.wantKind)
			}
		})
	}
}
