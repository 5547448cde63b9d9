package solcrypto

import (
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/vm"
)

var allNames = []string{
	NameSecp256k1Recover, NamePoseidon, NameAltBN128GroupOp, NameAltBN128Compress,
	NameCurveValidatePoint, NameCurveGroupOp, NameCurveMultiscalar, NameBigModExp,
}

func TestRegister(t *testing.T) {
	r := vm.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	for _, name := range allNames {
		if got, ok := r.Name(sbpf.SyscallHash(name)); !ok || got != name {
			t.Fatalf("%s not registered (got %q)", name, got)
		}
	}
	if n := len(r.Syscalls()); n != len(allNames) {
		t.Fatalf("%d syscalls registered, want %d", n, len(allNames))
	}
	// A second registration fails and adds nothing.
	if err := Register(r); err == nil || !strings.Contains(err.Error(), "collides") {
		t.Fatalf("second Register: %v", err)
	}
	if n := len(r.Syscalls()); n != len(allNames) {
		t.Fatalf("%d syscalls after a failed Register", n)
	}
	// A registry holding one of the names gets none of them.
	r2 := vm.NewRegistry()
	r2.MustRegister(NameBigModExp, func(*vm.Machine, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return 0, nil })
	if err := Register(r2); err == nil || len(r2.Syscalls()) != 1 {
		t.Fatalf("Register over a taken name: %v, %d syscalls", err, len(r2.Syscalls()))
	}
	if err := Register(nil); err == nil {
		t.Fatal("Register(nil) succeeded")
	}
}

func TestErrors(t *testing.T) {
	for k := KindInvalidLength; k <= KindInvalidEndianness; k++ {
		e := newError(k)
		if e.KindName() == "" || strings.HasPrefix(e.KindName(), "ErrorKind(") || e.Error() == "" {
			t.Fatalf("kind %d has no name or message", k)
		}
		if vm.ErrorKindOf(&vm.Error{Kind: vm.SyscallError, Err: e}) != k.String() {
			t.Fatalf("kind %v not reported through the VM", k)
		}
	}
	if ErrorKind(99).String() != "ErrorKind(99)" || (&Error{Kind: 99}).Error() != "ErrorKind(99)" {
		t.Fatal("unknown kinds")
	}
	if !(&Error{Kind: KindInvalidLength}).Is(newError(KindInvalidLength)) || newError(KindInvalidLength).Is(newError(KindUnalignedPointer)) {
		t.Fatal("Is compares kinds")
	}
}

// The price list is Agave's (execution_budget.rs defaults, and the G2
// prices of SIMD-0302).
func TestCosts(t *testing.T) {
	want := map[string]uint64{
		NameSecp256k1Recover + "/":                           25_000,
		NamePoseidon + "/":                                   542,
		NameAltBN128GroupOp + "/g1_add (0, LE 0x80)":         334,
		NameAltBN128GroupOp + "/g1_mul (2, LE 0x82)":         3_840,
		NameAltBN128GroupOp + "/pairing (3, LE 0x83)":        36_364 + 85 + 32,
		NameAltBN128GroupOp + "/g2_add (4, LE 0x84)":         535,
		NameAltBN128GroupOp + "/g2_mul (6, LE 0x86)":         15_670,
		NameAltBN128Compress + "/g1_compress (0, LE 0x80)":   130,
		NameAltBN128Compress + "/g1_decompress (1, LE 0x81)": 498,
		NameAltBN128Compress + "/g2_compress (2, LE 0x82)":   186,
		NameAltBN128Compress + "/g2_decompress (3, LE 0x83)": 13_710,
		NameCurveValidatePoint + "/edwards (0)":              159,
		NameCurveValidatePoint + "/ristretto (1)":            169,
		NameCurveGroupOp + "/edwards add (0, 0)":             473,
		NameCurveGroupOp + "/edwards sub (0, 1)":             475,
		NameCurveGroupOp + "/edwards mul (0, 2)":             2_177,
		NameCurveGroupOp + "/ristretto add (1, 0)":           521,
		NameCurveGroupOp + "/ristretto sub (1, 1)":           519,
		NameCurveGroupOp + "/ristretto mul (1, 2)":           2_208,
		NameCurveMultiscalar + "/edwards (0)":                2_273,
		NameCurveMultiscalar + "/ristretto (1)":              2_303,
		NameBigModExp + "/":                                  290,
	}
	costs := Costs()
	if len(costs) != len(want) {
		t.Fatalf("%d rows, want %d", len(costs), len(want))
	}
	for _, c := range costs {
		key := c.Syscall + "/" + c.Op
		base, ok := want[key]
		if !ok {
			t.Fatalf("unexpected row %q", key)
		}
		if c.Base != base || c.Formula == "" || (c.PerUnit != 0) != (c.Unit != "") {
			t.Fatalf("row %q: %+v", key, c)
		}
	}
	if c, ok := PoseidonCost(12); !ok || c != 61*144+542 {
		t.Fatalf("poseidon cost(12) = %d", c)
	}
	if _, ok := PoseidonCost(1 << 32); ok {
		t.Fatal("poseidon cost overflow not detected")
	}
	if _, ok := PoseidonCost(1<<32 - 1); ok {
		t.Fatal("61·(2³²−1)² + 542 overflows")
	}
	if c, ok := PoseidonCost(500_000_000); !ok || c != 61*500_000_000*500_000_000+542 {
		t.Fatalf("poseidon cost(5e8) = %d, %v", c, ok)
	}
}
