package feature

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	all, err := Parse("all")
	if err != nil || all != Everything() {
		t.Fatalf("all: %v %v", all, err)
	}
	main, err := Parse("mainnet")
	if err != nil || main != Mainnet() || !main.Active(DepleteCUMeterOnVMFailure) || main.Active(RemainingComputeUnitsSyscall) {
		t.Fatalf("mainnet: %v %v", main, err)
	}
	list, err := Parse("deplete_cu_meter_on_vm_failure, 5xXZc66h4UdB6Yq7FzdBxBiRAFMMScMLwHxk2QZDaNZL")
	if err != nil || !list.Active(DepleteCUMeterOnVMFailure) || !list.Active(InstructionDataOffsetInR2) || list.Active(IncreaseCPIAccountInfoLimit) {
		t.Fatalf("list: %v %v", list, err)
	}
	var fe *Error
	if _, err := Parse("deplete_cu_meter_on_vm_failure,nope"); !errors.As(err, &fe) || fe.Pos != 1 || fe.Name != "nope" {
		t.Fatalf("unknown feature: %v", err)
	}
	for i, f := range All() {
		if f.ID.IsZero() || f.Name == "" {
			t.Errorf("feature %d has no id or name", i)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("all")
	f.Add("a,b,,c")
	f.Fuzz(func(t *testing.T, s string) {
		set, err := Parse(s)
		if err == nil && set.bits>>numFeatures != 0 {
			t.Fatalf("bits beyond the table: %b", set.bits)
		}
	})
}
