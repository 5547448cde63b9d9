// Package ctest tests the C example programs: each one is loaded from
// testdata/c as built by the Makefile, run with accounts serialized by
// package abi, and checked for r0, logs, return data, account changes and
// compute units. AGORA_C_PROGRAMS names another directory of built
// programs (check.sh uses it for a rebuild).
package ctest

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/agora-vm/agora/abi"
	agoraelf "github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

const (
	budget    = 200_000
	rBPF64_32 = 10 // R_BPF_64_32
)

var (
	programID = key(0xaa)
	other     = key(0xbb)
)

func key(b byte) [32]byte {
	var k [32]byte
	for i := range k {
		k[i] = b
	}
	return k
}

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func programPath(name string) string {
	dir := os.Getenv("AGORA_C_PROGRAMS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "testdata", "c")
	}
	return filepath.Join(dir, name+".so")
}

// load reads and loads a program as Agave loads it for execution, and
// checks that it also passes the stricter deployment-time load and the
// reference's verifier.
func load(t *testing.T, name string) vm.Runnable {
	t.Helper()
	so, err := os.ReadFile(programPath(name))
	if err != nil {
		t.Fatal(err)
	}
	reg := syscalls.NewRegistry()
	deploy := agoraelf.DefaultOptions()
	deploy.RejectBrokenELFs = true
	if _, err := agoraelf.Load(so, reg, &deploy); err != nil {
		t.Fatalf("%s does not load for deployment: %v", name, err)
	}
	p, err := agoraelf.Load(so, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := verify.Structural(p.Text, p.Version, reg); err != nil {
		t.Fatalf("%s fails the reference verifier: %v", name, err)
	}
	exe, err := vm.Interpreter{}.Prepare(p, reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// outcome is one instruction run as Agave runs it: the VM, then (when the
// program returned 0) the write-back and its checks.
type outcome struct {
	r0     uint64
	cu     uint64
	logs   []string
	ctx    *syscalls.Context
	before []abi.Account
	after  []abi.Account // nil unless the instruction succeeded
	err    error         // the VM's fault, the program's status, or the write-back's
}

func run(t *testing.T, exe vm.Runnable, accounts []abi.Account, metas []abi.AccountMeta, data []byte) outcome {
	t.Helper()
	input, layout, err := abi.Serialize(accounts, &abi.Instruction{ProgramID: programID, Accounts: metas, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	ctx := syscalls.NewContext(programID)
	res := exe.Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: budget, Context: ctx})
	o := outcome{r0: res.R0, cu: res.CU, logs: ctx.Messages(), ctx: ctx, before: accounts, err: res.Err}
	if o.err == nil {
		o.err = abi.Status(res.R0)
	}
	if o.err == nil {
		o.after, o.err = abi.Deserialize(input, layout)
	}
	return o
}

func (o outcome) checkCU(t *testing.T, lo, hi uint64) {
	t.Helper()
	t.Logf("%d CU", o.cu)
	if o.cu < lo || o.cu > hi {
		t.Errorf("consumed %d CU, expected %d to %d", o.cu, lo, hi)
	}
}

func (o outcome) checkStatus(t *testing.T, kind string) {
	t.Helper()
	var se *abi.StatusError
	if !errors.As(o.err, &se) || se.KindName() != kind {
		t.Fatalf("result %v (r0 %#x), want %s", o.err, o.r0, kind)
	}
}

func TestHello(t *testing.T) {
	exe := load(t, "hello")
	accounts := []abi.Account{{Key: key(1), Owner: other, Lamports: 1}, {Key: key(2)}}
	o := run(t, exe, accounts, []abi.AccountMeta{{Index: 0}, {Index: 1}, {Index: 0}}, []byte{1, 2})
	if o.err != nil || o.r0 != 0 {
		t.Fatalf("r0 %#x, %v", o.r0, o.err)
	}
	want := []string{
		"Program log: Hello from C!",
		"Program log: " + abi.EncodeKey(programID),
		"Program log: 0x3, 0x2, 0x0, 0x0, 0x0",
	}
	if !slices.Equal(o.logs, want) {
		t.Errorf("logs %q, want %q", o.logs, want)
	}
	if d := abi.Diff(o.before, o.after); len(d) != 0 {
		t.Errorf("accounts changed: %+v", d)
	}
	// Three syscalls at 100 CU each, the deserializer and the string
	// length loop.
	o.checkCU(t, 300, 600)
}

func TestCounter(t *testing.T) {
	exe := load(t, "counter")
	counter := func(v uint64, owner [32]byte) []abi.Account {
		return []abi.Account{{Key: key(1), Owner: owner, Lamports: 1_000_000, Data: append(u64(v), 0xee)}}
	}
	writable := []abi.AccountMeta{{Index: 0, Writable: true}}

	t.Run("increment", func(t *testing.T) {
		o := run(t, exe, counter(41, programID), writable, nil)
		if o.err != nil {
			t.Fatal(o.err)
		}
		d := abi.Diff(o.before, o.after)
		if len(d) != 1 || d[0].LamportsChanged() || d[0].OwnerChanged() || !slices.Equal(d[0].DataAfter, append(u64(42), 0xee)) {
			t.Fatalf("changes %+v", d)
		}
		if !slices.Equal(o.logs, []string{"Program log: 0x2a, 0x1, 0x0, 0x0, 0x0"}) {
			t.Errorf("logs %q", o.logs)
		}
		o.checkCU(t, 100, 300)
	})
	t.Run("add", func(t *testing.T) {
		o := run(t, exe, counter(41, programID), writable, u64(1000))
		if o.err != nil {
			t.Fatal(o.err)
		}
		if got := binary.LittleEndian.Uint64(o.after[0].Data); got != 1041 {
			t.Errorf("counter %d", got)
		}
	})
	t.Run("run twice", func(t *testing.T) {
		o := run(t, exe, counter(0, programID), writable, nil)
		o = run(t, exe, o.after, writable, nil)
		if o.err != nil || binary.LittleEndian.Uint64(o.after[0].Data) != 2 {
			t.Fatalf("%v %+v", o.err, o.after)
		}
	})

	failures := []struct {
		name     string
		accounts []abi.Account
		metas    []abi.AccountMeta
		data     []byte
		kind     string
	}{
		{"no account", nil, nil, nil, "NotEnoughAccountKeys"},
		{"not owned", counter(1, other), writable, nil, "IncorrectProgramId"},
		{"read-only", counter(1, programID), []abi.AccountMeta{{Index: 0}}, nil, "InvalidArgument"},
		{"data too small", []abi.Account{{Key: key(1), Owner: programID, Data: make([]byte, 7)}}, writable, nil, "AccountDataTooSmall"},
		{"bad instruction data", counter(1, programID), writable, []byte{1}, "InvalidInstructionData"},
		{"overflow", counter(1<<64-1, programID), writable, nil, "ArithmeticOverflow"},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			o := run(t, exe, tc.accounts, tc.metas, tc.data)
			o.checkStatus(t, tc.kind)
		})
	}
}

func TestTransfer(t *testing.T) {
	exe := load(t, "transfer")
	pair := func(from, to uint64) []abi.Account {
		return []abi.Account{
			{Key: key(1), Owner: programID, Lamports: from, Data: []byte{1}},
			{Key: key(2), Owner: programID, Lamports: to},
		}
	}
	ok := []abi.AccountMeta{{Index: 0, Signer: true, Writable: true}, {Index: 1, Writable: true}}

	t.Run("transfer", func(t *testing.T) {
		o := run(t, exe, pair(100, 5), ok, u64(40))
		if o.err != nil {
			t.Fatal(o.err)
		}
		d := abi.Diff(o.before, o.after)
		if len(d) != 2 || d[0].LamportsAfter != 60 || d[1].LamportsAfter != 45 || d[0].DataChanged() || d[1].OwnerChanged() {
			t.Fatalf("changes %+v", d)
		}
		if !slices.Equal(o.logs, []string{"Program log: 0x28, 0x3c, 0x2d, 0x0, 0x0"}) {
			t.Errorf("logs %q", o.logs)
		}
		o.checkCU(t, 100, 300)
	})
	t.Run("everything", func(t *testing.T) {
		o := run(t, exe, pair(100, 0), ok, u64(100))
		if o.err != nil || o.after[0].Lamports != 0 || o.after[1].Lamports != 100 {
			t.Fatalf("%v %+v", o.err, o.after)
		}
	})

	foreign := pair(100, 5)
	foreign[1].Owner = other
	failures := []struct {
		name     string
		accounts []abi.Account
		metas    []abi.AccountMeta
		data     []byte
		kind     string
	}{
		{"one account", pair(100, 5)[:1], ok[:1], u64(1), "NotEnoughAccountKeys"},
		{"no amount", pair(100, 5), ok, nil, "InvalidInstructionData"},
		{"insufficient funds", pair(100, 5), ok, u64(101), "InsufficientFunds"},
		{"destination overflows", pair(100, 1<<64-50), ok, u64(50), "ArithmeticOverflow"},
		{"not signed", pair(100, 5), []abi.AccountMeta{{Index: 0, Writable: true}, {Index: 1, Writable: true}}, u64(1), "MissingRequiredSignature"},
		{"read-only destination", pair(100, 5), []abi.AccountMeta{{Index: 0, Signer: true, Writable: true}, {Index: 1}}, u64(1), "InvalidArgument"},
		{"foreign destination", foreign, ok, u64(1), "IncorrectProgramId"},
		{"same account twice", pair(100, 5), []abi.AccountMeta{{Index: 0, Signer: true, Writable: true}, {Index: 0, Writable: true}}, u64(1), "InvalidArgument"},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			o := run(t, exe, tc.accounts, tc.metas, tc.data)
			o.checkStatus(t, tc.kind)
		})
	}
}

func TestSHA256(t *testing.T) {
	exe := load(t, "sha256")
	for _, msg := range [][]byte{nil, []byte("hello"), make([]byte, 1000)} {
		o := run(t, exe, []abi.Account{{Key: key(1)}}, []abi.AccountMeta{{Index: 0}}, msg)
		if o.err != nil {
			t.Fatal(o.err)
		}
		sum := sha256.Sum256(msg)
		id, data := o.ctx.ReturnData()
		if id != programID || !slices.Equal(data, sum[:]) {
			t.Errorf("return data %x from %x, want %x", data, id, sum)
		}
		if want := []string{"Program data: " + base64.StdEncoding.EncodeToString(sum[:])}; !slices.Equal(o.logs, want) {
			t.Errorf("logs %q, want %q", o.logs, want)
		}
		// Syscalls: sol_sha256 85 + max(10, len/2); sol_set_return_data
		// 100 + 32/250; sol_log_data 100 + 100 per slice + 32 bytes. The
		// program itself is a few dozen instructions.
		base := uint64(85+max(10, len(msg)/2)) + 100 + 232
		o.checkCU(t, base, base+100)
	}
}

// TestELFShape checks what the C toolchain promises about the files: an
// exported entrypoint and syscalls reached through R_BPF_64_32
// relocations against their names.
func TestELFShape(t *testing.T) {
	for _, name := range []string{"hello", "counter", "transfer", "sha256", "inspect"} {
		t.Run(name, func(t *testing.T) {
			f, err := elf.Open(programPath(name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Machine != elf.EM_BPF || f.Type != elf.ET_DYN {
				t.Errorf("machine %v type %v", f.Machine, f.Type)
			}
			so, err := os.ReadFile(programPath(name))
			if err != nil {
				t.Fatal(err)
			}
			if v, err := agoraelf.Version(so); err != nil || v != sbpf.V0 {
				t.Errorf("version %v, %v; want V0", v, err)
			}
			syms, err := f.DynamicSymbols()
			if err != nil {
				t.Fatal(err)
			}
			var entry bool
			for _, s := range syms {
				entry = entry || (s.Name == "entrypoint" && s.Value == f.Entry)
			}
			if !entry {
				t.Error("no dynamic symbol entrypoint at the entry point")
			}
			rel := f.Section(".rel.dyn")
			if rel == nil {
				t.Fatal("no .rel.dyn")
			}
			b, err := rel.Data()
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			for ; len(b) >= 16; b = b[16:] {
				info := binary.LittleEndian.Uint64(b[8:])
				if uint32(info) == rBPF64_32 {
					s := syms[info>>32-1]
					if !slices.Contains(syscalls.Names(), s.Name) {
						t.Errorf("R_BPF_64_32 against %q", s.Name)
					}
					calls++
				}
			}
			if calls == 0 {
				t.Error("no syscall relocations")
			}
		})
	}
}

// TestInspectMatchesABI runs inspect, which logs what the C SDK's
// sol_deserialize reads, on many generated instructions (duplicates, data
// lengths around the 8-byte padding, more accounts than the program keeps)
// and compares it with what abi.Serialize laid out.
func TestInspectMatchesABI(t *testing.T) {
	exe := load(t, "inspect")
	rng := rand.New(rand.NewPCG(1, 2))
	for c := range 200 {
		accounts := make([]abi.Account, 1+rng.IntN(4))
		for i := range accounts {
			data := make([]byte, []int{0, 1, 7, 8, 9, 15, 16, 17, 100}[rng.IntN(9)])
			for j := range data {
				data[j] = byte(rng.Uint32())
			}
			accounts[i] = abi.Account{Key: key(byte(i + 1)), Owner: key(byte(0x40 + rng.IntN(3))), Lamports: rng.Uint64() >> rng.IntN(64), Data: data, Executable: rng.IntN(4) == 0}
		}
		metas := make([]abi.AccountMeta, rng.IntN(7))
		signer := make([]bool, len(accounts))
		writable := make([]bool, len(accounts))
		for i := range metas {
			metas[i] = abi.AccountMeta{Index: rng.IntN(len(accounts)), Signer: rng.IntN(2) == 0, Writable: rng.IntN(2) == 0}
			signer[metas[i].Index] = signer[metas[i].Index] || metas[i].Signer
			writable[metas[i].Index] = writable[metas[i].Index] || metas[i].Writable
		}
		ixData := make([]byte, rng.IntN(12))
		for j := range ixData {
			ixData[j] = byte(rng.Uint32())
		}

		var want []string
		logf := func(format string, args ...any) { want = append(want, "Program log: "+fmt.Sprintf(format, args...)) }
		for i, m := range metas[:min(len(metas), 4)] {
			a := accounts[m.Index]
			flags := b2u(signer[m.Index]) | b2u(writable[m.Index])<<1 | b2u(a.Executable)<<2
			logf("%#x, %#x, %#x, %#x, %#x", i, flags, a.Lamports, len(a.Data), uint64(abi.SerializedRentEpoch))
			logf("%s", abi.EncodeKey(a.Key))
			logf("%s", abi.EncodeKey(a.Owner))
			if len(a.Data) > 0 {
				logf("%#x, %#x, 0x0, 0x0, 0x0", a.Data[0], a.Data[len(a.Data)-1])
			}
		}
		first := byte(0)
		if len(ixData) > 0 {
			first = ixData[0]
		}
		logf("%#x, %#x, %#x, 0x0, 0x0", len(metas), len(ixData), first)
		logf("%s", abi.EncodeKey(programID))

		o := run(t, exe, accounts, metas, ixData)
		if o.err != nil {
			t.Fatalf("case %d: %v", c, o.err)
		}
		if !slices.Equal(o.logs, want) {
			t.Fatalf("case %d (%d entries over %d accounts):\n got %q\nwant %q", c, len(metas), len(accounts), o.logs, want)
		}
		if d := abi.Diff(o.before, o.after); len(d) != 0 {
			t.Fatalf("case %d: accounts changed: %+v", c, d)
		}
	}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// TestAccountsFiles runs the programs on the accounts files beside their
// sources, as `agora run` would: parse, build with the default program
// id, serialize, run, write back.
func TestAccountsFiles(t *testing.T) {
	pid, err := abi.ParseKey(abi.DefaultProgramID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want func(t *testing.T, d []abi.Change)
	}{
		{"hello", []byte("hi"), func(t *testing.T, d []abi.Change) {
			if len(d) != 0 {
				t.Errorf("changes %+v", d)
			}
		}},
		{"counter", nil, func(t *testing.T, d []abi.Change) {
			if len(d) != 1 || !slices.Equal(d[0].DataAfter, u64(42)) {
				t.Errorf("changes %+v", d)
			}
		}},
		{"transfer", u64(1_500_000), func(t *testing.T, d []abi.Change) {
			if len(d) != 2 || d[0].LamportsAfter != 3_500_000 || d[1].LamportsAfter != 2_500_000 {
				t.Errorf("changes %+v", d)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("..", tc.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			inputs, err := abi.ParseAccountsJSON(doc)
			if err != nil {
				t.Fatal(err)
			}
			accounts, ix, err := abi.Build(pid, inputs, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			input, layout, err := abi.Serialize(accounts, ix)
			if err != nil {
				t.Fatal(err)
			}
			ctx := syscalls.NewContext(pid)
			res := load(t, tc.name).Run(vm.NewMachine(), vm.RunOptions{Input: input, Budget: budget, Context: ctx})
			if res.Err != nil || res.R0 != 0 {
				t.Fatalf("r0 %#x, %v; logs %q", res.R0, res.Err, ctx.Messages())
			}
			after, err := abi.Deserialize(input, layout)
			if err != nil {
				t.Fatal(err)
			}
			tc.want(t, abi.Diff(accounts, after))
		})
	}
}
