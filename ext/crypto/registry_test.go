package crypto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"github.com/agora-vm/agora/internal/testutil"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/vm"
)

func TestRegister(t *testing.T) {
	r := vm.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	for _, name := range Names() {
		if !strings.HasPrefix(name, "agora_") {
			t.Fatalf("%s is not an agora_ syscall", name)
		}
		if got, ok := r.Name(sbpf.SyscallHash(name)); !ok || got != name {
			t.Fatalf("%s not registered (got %q)", name, got)
		}
	}
	if n := len(r.Syscalls()); n != len(Names()) {
		t.Fatalf("%d syscalls registered, want %d", n, len(Names()))
	}
	if err := Register(r); err == nil || !strings.Contains(err.Error(), "collides") {
		t.Fatalf("second Register: %v", err)
	}
	r2 := vm.NewRegistry()
	r2.MustRegister(NameVRFVerify, func(*vm.Machine, uint64, uint64, uint64, uint64, uint64) (uint64, error) { return 0, nil })
	if err := Register(r2); err == nil || len(r2.Syscalls()) != 1 {
		t.Fatalf("Register over a taken name: %v, %d syscalls", err, len(r2.Syscalls()))
	}
	if err := Register(nil); err == nil {
		t.Fatal("Register(nil) succeeded")
	}
	// Every mnemonic names a syscall of the package.
	for alias, name := range Mnemonics() {
		if !strings.HasPrefix(name, "agora_") || alias == "" {
			t.Fatalf("mnemonic %q → %q", alias, name)
		}
		if _, ok := r.Name(sbpf.SyscallHash(name)); !ok {
			t.Fatalf("mnemonic %q names unknown %q", alias, name)
		}
	}
}

func TestErrorsAndCodes(t *testing.T) {
	for k := KindInvalidLength; k <= KindInvalidAttribute; k++ {
		e := errorf(k, "detail %d", k)
		if strings.HasPrefix(e.KindName(), "ErrorKind(") || !strings.Contains(e.Error(), "detail") {
			t.Fatalf("kind %d: %q %q", k, e.KindName(), e.Error())
		}
		if vm.ErrorKindOf(&vm.Error{Kind: vm.SyscallError, Err: e}) != k.String() {
			t.Fatalf("kind %v not reported through the VM", k)
		}
		if !errors.Is(e, &Error{Kind: k}) || errors.Is(e, &Error{Kind: k + 1}) {
			t.Fatal("errors.Is compares kinds")
		}
	}
	if !errors.Is(errorf(KindInvalidLength, "x"), ErrInvalidLength) || ErrInvalidAttribute.Error() != "InvalidAttribute" {
		t.Fatal("sentinels")
	}
	if ErrorKind(9).String() != "ErrorKind(9)" {
		t.Fatal("unknown kind")
	}
	for c := OK; c <= Empty; c++ {
		if strings.HasPrefix(c.String(), "Code(") {
			t.Fatalf("code %d has no name", c)
		}
	}
	if Code(99).String() != "Code(99)" || VRFSuite(7).String() != "VRFSuite(0x7)" {
		t.Fatal("unknown values")
	}
}

// The price table is consistent with the cost functions the syscalls
// charge, and every price is derived from its recorded measurement at
// 33 ns/CU, rounded up.
func TestCosts(t *testing.T) {
	rows := Costs()
	seen := map[string]bool{}
	for _, c := range rows {
		key := c.Syscall + "/" + c.Op
		if seen[key] {
			t.Fatalf("duplicate row %q", key)
		}
		seen[key] = true
		if c.Base == 0 && c.PerUnit == 0 || c.Formula == "" || (c.PerUnit != 0) != (c.Unit != "") {
			t.Fatalf("row %q: %+v", key, c)
		}
		if c.MeasuredBaseNs < 0 || (c.PerUnit != 0) != (c.MeasuredPerUnitNs > 0) {
			t.Fatalf("row %q lacks its measurement: %+v", key, c)
		}
		if c.Margin < 1 || c.Margin > 1.5 {
			t.Fatalf("row %q: margin %v", key, c.Margin)
		}
		if want := ceilCU(c.MeasuredBaseNs * c.Margin); c.Base != want && !(c.Base == 1 && want <= 1) {
			t.Fatalf("row %q: base %d, but %.0f ns is %d CU", key, c.Base, c.MeasuredBaseNs, want)
		}
		if want := ceilCU(c.MeasuredPerUnitNs * c.Margin); c.PerUnit != want && !(c.PerUnit == 1 && want <= 2) { // a 1-CU term keeps no margin
			t.Fatalf("row %q: per unit %d, but %.0f ns is %d CU", key, c.PerUnit, c.MeasuredPerUnitNs, want)
		}
	}
	for _, name := range Names() {
		found := false
		for _, c := range rows {
			found = found || c.Syscall == name
		}
		if !found {
			t.Fatalf("%s has no price", name)
		}
	}
	// The functions agree with the rows.
	row := func(name, op string) Cost {
		for _, c := range rows {
			if c.Syscall == name && c.Op == op {
				return c
			}
		}
		t.Fatalf("no row %s/%s", name, op)
		return Cost{}
	}
	blk := row(NameBLSVerify, "").PerUnit
	if BLSVerifyCost(130) != row(NameBLSVerify, "").Base+3*blk {
		t.Fatal("bls_verify")
	}
	if BLSAggregateCost(BLSKindSignatures, 5) != row(NameBLSAggregate, "signatures (0)").Base+5*row(NameBLSAggregate, "signatures (0)").PerUnit ||
		BLSAggregateCost(BLSKindPublicKeys, 5) != row(NameBLSAggregate, "public keys (1)").Base+5*row(NameBLSAggregate, "public keys (1)").PerUnit {
		t.Fatal("bls_aggregate")
	}
	fav := row(NameBLSFastAggregateVerify, "")
	if BLSFastAggregateVerifyCost(4, 64) != fav.Base+4*fav.PerUnit+blk {
		t.Fatal("bls_fast_aggregate_verify")
	}
	av := row(NameBLSAggregateVerify, "")
	if BLSAggregateVerifyCost(4, 9) != av.Base+4*av.PerUnit+9*blk {
		t.Fatal("bls_aggregate_verify")
	}
	if CostPedersenCommit != row(NamePedersenCommit, "").Base || CostPedersenVerify != row(NamePedersenVerify, "").Base {
		t.Fatal("pedersen")
	}
	for _, s := range []VRFSuite{VRFEdwards25519TAI, VRFRistretto255} {
		r := row(NameVRFVerify, s.String()+" ("+map[VRFSuite]string{3: "3", 0xff: "0xff"}[s]+")")
		if c, ok := VRFVerifyCost(s, 129); !ok || c != r.Base+2*r.PerUnit {
			t.Fatalf("vrf %v", s)
		}
	}
	if _, ok := VRFVerifyCost(4, 0); ok {
		t.Fatal("unknown suite priced")
	}
	// Saturation instead of wrap-around.
	if BLSVerifyCost(^uint64(0)) < 1<<58 || BLSAggregateVerifyCost(1<<62, 1<<62) != ^uint64(0) {
		t.Fatal("prices wrap around")
	}
}

func ceilCU(ns float64) uint64 {
	cu := uint64(ns / NsPerCU)
	if float64(cu)*NsPerCU < ns {
		cu++
	}
	return cu
}

// TestAssembledProgram runs a program written in sBPF assembly, with the
// package's mnemonics, that verifies a BLS signature, commits to an amount
// and checks the commitment, and verifies a VRF proof; it returns the sum
// of the codes (0 when everything holds) and leaves the commitment and the
// VRF output in its input.
func TestAssembledProgram(t *testing.T) {
	const src = `
entrypoint:
    mov64 r6, r1
    ldxdw r1, [r6+0]
    ldxdw r2, [r6+8]
    ldxdw r3, [r6+16]
    ldxdw r4, [r6+24]
    bls_verify
    mov64 r7, r0
    ldxdw r1, [r6+32]
    ldxdw r2, [r6+40]
    ldxdw r3, [r6+48]
    pedersen_commit
    add64 r7, r0
    ldxdw r1, [r6+48]
    ldxdw r2, [r6+32]
    ldxdw r3, [r6+40]
    pedersen_verify
    add64 r7, r0
    mov64 r1, 3
    ldxdw r2, [r6+56]
    ldxdw r3, [r6+64]
    ldxdw r4, [r6+72]
    ldxdw r5, [r6+80]
    syscall agora_vrf_verify
    add64 r7, r0
    mov64 r0, r7
    exit
`
	p, err := asm.Assemble(src, sbpf.V0, &asm.Options{Aliases: Mnemonics()})
	if err != nil {
		t.Fatal(err)
	}
	reg := vm.NewRegistry()
	if err := Register(reg); err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}

	k := blsKeyFromSeed(42)
	msg := []byte("pay 10 to agent 7")
	ek := newVRFEdwardsKey(t, bytes.Repeat([]byte{6}, 32))
	alpha := []byte("round 12")
	proof := ek.prove(t, alpha)
	wantBeta, _, _ := VRFVerify(VRFEdwards25519TAI, ek.pk, proof, alpha)
	amount, opening := scalarLE(10), scalarLE(777)
	wantC, _ := PedersenCommit(amount, opening)

	a := arena{testutil.Arena{Buf: make([]byte, 88)}} // the header of 11 pointers and lengths
	header := []uint64{
		a.put(k.publicKey()), a.put(k.sign(msg)), a.put(msg), uint64(len(msg)),
		a.put(amount), a.put(opening), a.alloc(32),
		a.put(append(bytes.Clone(ek.pk), proof...)), a.put(alpha), uint64(len(alpha)), a.alloc(64),
	}
	for i, v := range header {
		binary.LittleEndian.PutUint64(a.Buf[8*i:], v)
	}
	vrfPrice, _ := VRFVerifyCost(VRFEdwards25519TAI, uint64(len(alpha)))
	price := BLSVerifyCost(uint64(len(msg))) + CostPedersenCommit + CostPedersenVerify + vrfPrice
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: a.Buf, Budget: 1_400_000})
	if res.Err != nil || res.R0 != 0 {
		t.Fatalf("program: r0=%d err=%v", res.R0, res.Err)
	}
	if insns := uint64(26); res.CU != price+insns {
		t.Fatalf("CU %d, want %d (prices) + %d (instructions)", res.CU, price, insns)
	}
	if !bytes.Equal(a.at(header[6], 32), wantC) || !bytes.Equal(a.at(header[10], 64), wantBeta) {
		t.Fatal("outputs not written")
	}
	// A wrong message: bls_verify returns 1 and the program reports it.
	a.at(header[2], 1)[0] ^= 1
	res = exe.Run(vm.NewMachine(), vm.RunOptions{Input: a.Buf, Budget: 1_400_000})
	if res.Err != nil || res.R0 != uint64(Invalid) {
		t.Fatalf("tampered message: r0=%d err=%v", res.R0, res.Err)
	}
}
