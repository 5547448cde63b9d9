package svm

import (
	"os"
	"strings"
	"testing"

	"github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/feature"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sysvar"
)

// asmELF assembles V0 source into an ELF as a toolchain would.
func asmELF(t *testing.T, ex *Executor, src string) []byte {
	t.Helper()
	b, err := elf.Assemble(src, sbpf.V0, nil, ex.Registry().Name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runOne runs src as one instruction over one writable account it owns,
// with data, under the given features.
func runOne(t *testing.T, src string, data []byte, fs feature.Set) *InstructionResult {
	t.Helper()
	ex, err := NewExecutor()
	if err != nil {
		t.Fatal(err)
	}
	pid := pubkey.Pubkey{0xaa}
	prog := account.Account{Lamports: 1, Owner: pubkey.BPFLoader(), Executable: true, Data: asmELF(t, ex, src)}
	env := &Env{Sysvars: sysvar.Set{Rent: sysvar.DefaultRent()}, Programs: NewProgramCache(ex).Source(state{pid: prog}), Features: fs}
	ix := &Instruction{
		ProgramID: pid, ProgramAccount: prog, Data: data, Budget: 200_000, HeapBytes: 32 * 1024,
		Accounts: []InstructionAccount{{Key: pubkey.Pubkey{1}, Account: account.Account{Lamports: 1_000_000, Owner: pid, Data: make([]byte, 8)}, Writable: true}},
	}
	return ex.ExecuteInstruction(ix, env)
}

func TestVMFaultDepletesTheMeter(t *testing.T) {
	fault := "mov64 r1, 7\nldxdw r0, [r1+0]\nexit\n"
	badUTF8 := "stb [r10-1], 0xff\nmov64 r1, r10\nsub64 r1, 1\nmov64 r2, 1\nsyscall sol_log_\nmov64 r0, 0\nexit\n"
	on := feature.Mainnet()
	off := on.With(feature.DepleteCUMeterOnVMFailure, false)
	for _, tt := range []struct {
		name string
		src  string
		fs   feature.Set
		cu   uint64
		log  string
	}{
		{"fault, feature on", fault, on, 200_000, "Access violation reading 8 bytes at address 0x7 (in unallocated region)"},
		{"fault, feature off", fault, off, 2, "Access violation reading 8 bytes"},
		{"syscall error keeps the meter", badUTF8, on, 105, "invalid utf-8 sequence of 1 bytes from index 0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := runOne(t, tt.src, nil, tt.fs)
			if res.Err == nil || res.Err.Kind != ProgramFailedToComplete {
				t.Fatalf("err = %v", res.Err)
			}
			if res.CU != tt.cu {
				t.Errorf("CU = %d, want %d", res.CU, tt.cu)
			}
			last := res.Logs[len(res.Logs)-1]
			if !strings.Contains(last, tt.log) || strings.Contains(last, "Syscall error") {
				t.Errorf("last log %q, want it to contain %q", last, tt.log)
			}
		})
	}
}

func TestInstructionDataAddressInR2(t *testing.T) {
	src := "ldxb r0, [r2+0]\nexit\n"
	if res := runOne(t, src, []byte{0}, feature.Everything()); res.Err != nil {
		t.Fatalf("SIMD-0321 on: %v %v", res.Err, res.Logs)
	}
	if res := runOne(t, src, []byte{5}, feature.Everything()); res.Err == nil || res.Err.Kind != Custom || res.Err.Code != 5 {
		t.Fatalf("SIMD-0321 on, data 5: %v", res.Err)
	}
	res := runOne(t, src, []byte{0}, feature.Everything().With(feature.InstructionDataOffsetInR2, false))
	if res.Err == nil || !strings.Contains(strings.Join(res.Logs, "\n"), "at address 0x0") {
		t.Fatalf("SIMD-0321 off: r2 should be 0: %v %v", res.Err, res.Logs)
	}
}

func TestUnbalancedInstructionLogsSuccess(t *testing.T) {
	// Add a lamport to the account's serialized balance (offset 8+72).
	src := "ldxdw r2, [r1+80]\nadd64 r2, 1\nstxdw [r1+80], r2\nmov64 r0, 0\nexit\n"
	res := runOne(t, src, nil, feature.Mainnet())
	if res.Err == nil || res.Err.Kind != UnbalancedInstruction {
		t.Fatalf("err = %v", res.Err)
	}
	if last := res.Logs[len(res.Logs)-1]; !strings.HasSuffix(last, " success") {
		t.Errorf("last log %q, want the program's success", last)
	}
}

func TestReadOnlyRegionFromBytecodeBase(t *testing.T) {
	// The region starts at 0x100000000, zero-filled below .text.
	src := "lddw r1, 0x100000000\nmov64 r2, 28\nsyscall sol_log_\nmov64 r0, 0\nexit\n"
	res := runOne(t, src, nil, feature.Mainnet())
	if res.Err != nil || res.CU != 105 {
		t.Fatalf("err %v, CU %d (want 105): %v", res.Err, res.CU, res.Logs)
	}
	if want := "Program log: " + strings.Repeat("\x00", 28); res.Logs[1] != want {
		t.Errorf("log %q", res.Logs[1])
	}
}

func TestSystemMessagesAsAgave(t *testing.T) {
	k, b := pubkey.Pubkey{1}, pubkey.Pubkey{2}
	if got, want := (address{key: k}).String(), "Address { address: "+k.String()+", base: None }"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := (address{key: k, base: &b}).String(), "Address { address: "+k.String()+", base: Some("+b.String()+") }"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if e := pubkeyErr(pubkey.ErrMaxSeedLengthExceeded); e.Kind != Custom || e.Code != 0 {
		t.Errorf("seed too long: %v, want Custom(0)", e)
	}
}

// BenchmarkUpgradeableProgramLookup compares finding an upgradeable
// program's executable through a block's source (the ProgramData read
// once) with reading the ProgramData every time (the baseline).
func BenchmarkUpgradeableProgramLookup(b *testing.B) {
	ex, err := NewExecutor()
	if err != nil {
		b.Fatal(err)
	}
	t := &testing.T{}
	elfBytes := asmELF(t, ex, "mov64 r0, 0\nexit\n")
	pid := pubkey.Pubkey{0xbb}
	rent := sysvar.DefaultRent()
	prog, pd := UpgradeableProgramAccounts(pid, append(elfBytes, make([]byte, 200_000)...), 1, nil, rent.MinimumBalance)
	st := state{prog.Key: prog.Account, pd.Key: pd.Account}
	c := NewProgramCache(ex)
	b.Run("read-every-time", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.Executable(pid, &prog.Account, 32*1024, st); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("once-per-source", func(b *testing.B) {
		src := c.Source(st)
		for b.Loop() {
			if _, err := src.Executable(pid, &prog.Account, 32*1024); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestCPICostSIMD0339: under increase_cpi_account_info_limit an
// invocation costs 946 CU instead of 1,000, and the metas and account
// infos are billed (here 2 metas and 3 infos, under one unit each).
func TestCPICostSIMD0339(t *testing.T) {
	elfBytes, err := os.ReadFile("../testdata/c/cpicollect.so")
	if err != nil {
		t.Fatal(err)
	}
	run := func(fs feature.Set) *InstructionResult {
		ex, err := NewExecutor()
		if err != nil {
			t.Fatal(err)
		}
		pid := pubkey.Pubkey{0xcc}
		prog := account.Account{Lamports: 1, Owner: pubkey.BPFLoader(), Executable: true, Data: elfBytes}
		env := &Env{Sysvars: sysvar.Set{Rent: sysvar.DefaultRent()}, Programs: NewProgramCache(ex).Source(state{pid: prog}), Features: fs}
		res := ex.ExecuteInstruction(&Instruction{
			ProgramID: pid, ProgramAccount: prog, Data: []byte{0xe8, 3, 0, 0, 0, 0, 0, 0}, Budget: 200_000, HeapBytes: 32 * 1024,
			Accounts: []InstructionAccount{
				{Key: pubkey.Pubkey{1}, Account: account.Account{Lamports: 10_000_000}, Signer: true, Writable: true},
				{Key: pubkey.Pubkey{2}, Account: account.Account{Lamports: 10_000_000}, Writable: true},
				{Key: pubkey.SystemProgram(), Account: account.Account{Lamports: 1, Owner: pubkey.NativeLoader(), Executable: true}},
			},
		}, env)
		if res.Err != nil {
			t.Fatalf("%v: %v", res.Err, res.Logs)
		}
		return res
	}
	off := run(feature.Mainnet().With(feature.IncreaseCPIAccountInfoLimit, false))
	on := run(feature.Mainnet())
	if off.CU-on.CU != 1000-InvokeUnitsSIMD0339 {
		t.Errorf("CU %d without SIMD-0339, %d with: want a difference of %d", off.CU, on.CU, 1000-InvokeUnitsSIMD0339)
	}
}
