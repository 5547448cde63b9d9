package txmem

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/sbpf/asm"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/vm"
)

// registry returns the standard syscalls plus this package's.
func registry(t testing.TB) *vm.Registry {
	t.Helper()
	r := syscalls.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	return r
}

// prepare assembles src (V0) with the package's mnemonics.
func prepare(t testing.TB, reg *vm.Registry, src string) vm.Runnable {
	t.Helper()
	p, err := asm.Assemble(src, sbpf.V0, &asm.Options{Aliases: Aliases()})
	if err != nil {
		t.Fatal(err)
	}
	exe, err := vm.Interpreter{}.Prepare(vm.NewRawProgram(sbpf.V0, p.Text, p.Functions, p.Entry), reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

type outcome struct {
	res  vm.Result
	m    *vm.Machine
	heap []byte
}

func (o outcome) kind() string { return vm.ErrorKindOf(o.res.Err) }

func runOn(t testing.TB, exe vm.Runnable, input []byte) outcome {
	t.Helper()
	m := vm.NewMachine()
	res := exe.Run(m, vm.RunOptions{Input: input, Budget: 100_000, Context: syscalls.NewContext([32]byte{})})
	heap, err := m.ReadMemory(sbpf.HeapStart, 64)
	if err != nil {
		t.Fatal(err)
	}
	return outcome{res, m, heap}
}

func TestRegisterNamesAliases(t *testing.T) {
	r := vm.NewRegistry()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	if len(r.Syscalls()) != len(Names()) {
		t.Fatalf("%d syscalls registered", len(r.Syscalls()))
	}
	if err := Register(r); err == nil || !strings.Contains(err.Error(), "collides") {
		t.Fatalf("second Register: %v", err)
	}
	if err := Register(nil); err == nil {
		t.Fatal("Register(nil) succeeded")
	}
	a := Aliases()
	want := map[string]string{"tx_begin": NameBegin, "tx_commit": NameCommit, "tx_abort": NameAbort, "tx_test": NameTest}
	if len(a) != len(want) {
		t.Fatalf("aliases %v", a)
	}
	for k, v := range want {
		if a[k] != v {
			t.Fatalf("alias %s = %q, want %q", k, a[k], v)
		}
	}
	a["x"] = "y" // a fresh map each time
	if _, ok := Aliases()["x"]; ok {
		t.Fatal("Aliases shares its map")
	}
	priced := map[string]bool{}
	for _, c := range Costs() {
		priced[c.Syscall] = true
	}
	for _, n := range Names() {
		if !priced[n] {
			t.Fatalf("Costs does not list %s", n)
		}
	}
}

// The abort restores every byte of the input and the heap written since
// tx_begin — by stores of every width, by syscalls, overlapping and
// repeated — and nothing written before it or on the stack.
func TestAbortRestoresEverything(t *testing.T) {
	reg := registry(t)
	exe := prepare(t, reg, `
    mov64 r6, r1
    lddw r7, 0x300000000
    stdw [r6+0], 0x11          ; before the transaction: kept
    stb [r7+0], 0x22
    tx_begin
    stb [r6+1], -1
    sth [r6+2], -1
    stw [r6+4], -1
    stdw [r6+8], -1
    stdw [r6+8], 5             ; again: the log keeps the first value
    stxdw [r7+8], r6
    stxb [r10-8], r6           ; the stack is not covered
    mov64 r1, r6
    add64 r1, 14
    mov64 r2, 0x77
    mov64 r3, 20
    syscall sol_memset_        ; overlaps the stdw above
    mov64 r1, r7
    add64 r1, 30
    mov64 r2, r6
    mov64 r3, 16
    syscall sol_memcpy_
    tx_test
    mov64 r8, r0
    tx_abort
    tx_test
    lsh64 r8, 8
    or64 r8, r0
    ldxb r0, [r10-8]
    lsh64 r8, 8
    or64 r0, r8
    stb [r6+40], 9             ; after: kept
    exit`)
	input := make([]byte, 48)
	for i := range input {
		input[i] = byte(i)
	}
	want := bytes.Clone(input)
	want[0] = 0x11
	for i := 1; i < 8; i++ {
		want[i] = 0
	}
	want[40] = 9
	o := runOn(t, exe, input)
	if o.res.Err != nil {
		t.Fatal(o.res.Err)
	}
	if !bytes.Equal(input, want) {
		t.Fatalf("input after abort\n got %x\nwant %x", input, want)
	}
	wantHeap := make([]byte, 64)
	wantHeap[0] = 0x22
	if !bytes.Equal(o.heap, wantHeap) {
		t.Fatalf("heap after abort %x", o.heap)
	}
	// tx_test said 1 inside and 0 after; the stack byte kept its write.
	if o.res.R0 != 0x01_00_00 {
		t.Fatalf("r0 = %#x, want 0x10000", o.res.R0)
	}
	if Active(o.m) {
		t.Fatal("transaction still open")
	}
}

func TestCommitKeepsWrites(t *testing.T) {
	reg := registry(t)
	exe := prepare(t, reg, `
    mov64 r6, r1
    tx_begin
    stdw [r6+0], 42
    tx_commit
    tx_begin
    stdw [r6+8], 43
    tx_commit
    tx_test
    exit`)
	input := make([]byte, 16)
	o := runOn(t, exe, input)
	if o.res.Err != nil || o.res.R0 != 0 {
		t.Fatalf("%+v", o.res)
	}
	if input[0] != 42 || input[8] != 43 {
		t.Fatalf("input %x", input)
	}
}

// Every misuse faults with its kind at the instruction that made it.
func TestMisuse(t *testing.T) {
	for _, tc := range []struct {
		name, src, kind string
		pc              int
	}{
		{"nested", "tx_begin\ntx_begin\nexit", "NestedTransaction", 1},
		{"commit without", "mov64 r0, 0\ntx_commit\nexit", "NoActiveTransaction", 1},
		{"abort without", "tx_begin\ntx_abort\ntx_abort\nexit", "NoActiveTransaction", 2},
		{"leak", "tx_begin\nmov64 r0, 0\nexit", "TransactionLeak", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := runOn(t, prepare(t, registry(t), tc.src), nil)
			var ve *vm.Error
			if !errors.As(o.res.Err, &ve) || ve.Kind != vm.SyscallError || o.kind() != tc.kind || ve.PC != tc.pc {
				t.Fatalf("got %v (kind %s), want %s at pc %d", o.res.Err, o.kind(), tc.kind, tc.pc)
			}
		})
	}
}

// A program that exits with a transaction open fails, and its memory is
// what it was at tx_begin: the runtime's checks see the restored state.
func TestLeakRestores(t *testing.T) {
	exe := prepare(t, registry(t), `
    stdw [r1+0], 1
    tx_begin
    stdw [r1+0], 2
    stdw [r1+8], 3
    exit`)
	input := make([]byte, 16)
	o := runOn(t, exe, input)
	if !errors.Is(o.res.Err, ErrTransactionLeak) {
		t.Fatalf("got %v", o.res.Err)
	}
	if input[0] != 1 || input[8] != 0 || Active(o.m) {
		t.Fatalf("input %x, active %v", input, Active(o.m))
	}
	// 5 instructions, tx_begin's price, and the abort charged as tx_abort:
	// two writes of 8 distinct bytes each.
	if want := 5 + CostBegin + AbortCost(2, 16); o.res.CU != want {
		t.Fatalf("leak charged %d CU, want %d", o.res.CU, want)
	}
}

// A fault inside a transaction leaves it open; Rollback restores.
func TestFaultThenRollback(t *testing.T) {
	exe := prepare(t, registry(t), `
    tx_begin
    stdw [r1+0], 7
    ldxdw r0, [r0+0]
    exit`)
	input := make([]byte, 8)
	o := runOn(t, exe, input)
	if o.kind() != "AccessViolation" || !Active(o.m) || input[0] != 7 || OpenLog(o.m).Bytes() != 8 || OpenLog(o.m).Writes() != 1 {
		t.Fatalf("got %v, active %v, input %x", o.res.Err, Active(o.m), input)
	}
	if ok, err := Rollback(o.m); !ok || err != nil || input[0] != 0 || Active(o.m) {
		t.Fatalf("rollback %v %v, input %x", ok, err, input)
	}
	if ok, err := Rollback(o.m); ok || err != nil {
		t.Fatalf("second rollback %v %v", ok, err)
	}
}

// The prices: begin and test are flat, commit and abort grow with the
// distinct bytes written (8 here, written twice).
func TestPrices(t *testing.T) {
	for _, tc := range []struct {
		body  string
		price uint64
	}{
		{"tx_begin\ntx_commit", CostBegin + CommitCost(0, 0)},
		{"tx_begin\ntx_abort", CostBegin + AbortCost(0, 0)},
		{"tx_test", CostTest},
		{"tx_begin\nstdw [r1+0], 1\nstdw [r1+0], 2\ntx_commit", CostBegin + CommitCost(2, 8)},
		{"tx_begin\nstdw [r1+0], 1\nstdw [r1+0], 2\ntx_abort", CostBegin + AbortCost(2, 8)},
		{"tx_begin\nstw [r1+0], 1\nstw [r1+4], 2\nstdw [r10-8], 2\ntx_abort", CostBegin + AbortCost(2, 8)},
	} {
		exe := prepare(t, registry(t), tc.body+"\nexit")
		o := runOn(t, exe, make([]byte, 8))
		insns := uint64(strings.Count(tc.body, "\n") + 2)
		if o.res.Err != nil || o.res.CU != insns+tc.price {
			t.Fatalf("%q: %v, cu %d, want %d", tc.body, o.res.Err, o.res.CU, insns+tc.price)
		}
	}
	if CommitCost(0, 0) != CostCommitBase || CommitCost(0, 1) != CostCommitBase+1 ||
		CommitCost(0, CommitBytesPerCU) != CostCommitBase+1 || CommitCost(0, CommitBytesPerCU+1) != CostCommitBase+2 {
		t.Fatal("CommitCost does not round up")
	}
	if CommitCost(1<<64-1, 0) != CostCommitBase+1<<63 || AbortCost(3, 0) != CostAbortBase+2 || AbortCost(4, 0) != CostAbortBase+2 {
		t.Fatal("AbortCost terms")
	}
	// A budget that cannot pay for the commit fails the run; the
	// transaction stays open.
	exe := prepare(t, registry(t), "tx_begin\nstdw [r1+0], 1\ntx_commit\nexit")
	m := vm.NewMachine()
	res := exe.Run(m, vm.RunOptions{Input: make([]byte, 8), Budget: 3 + CostBegin})
	if !errors.Is(res.Err, vm.ErrComputeBudgetExceeded) || !Active(m) {
		t.Fatalf("got %v", res.Err)
	}
}

func TestCheckCPI(t *testing.T) {
	reg := registry(t)
	called := 0
	reg.MustRegister("test_invoke", GuardCPI(func(*vm.Machine, uint64, uint64, uint64, uint64, uint64) (uint64, error) {
		called++
		return 5, nil
	}))
	o := runOn(t, prepare(t, reg, "syscall test_invoke\nexit"), nil)
	if o.res.Err != nil || o.res.R0 != 5 || called != 1 {
		t.Fatalf("outside a transaction: %+v", o.res)
	}
	o = runOn(t, prepare(t, reg, "tx_begin\nsyscall test_invoke\ntx_commit\nexit"), nil)
	if !errors.Is(o.res.Err, ErrCPIInTransaction) || o.kind() != "CPIInTransaction" || called != 1 {
		t.Fatalf("inside a transaction: %v", o.res.Err)
	}
}

type foreignWatcher struct{}

func (foreignWatcher) BeforeWrite(uint64, []byte) {}
func (foreignWatcher) AtExit(*vm.Machine) error   { return nil }

func TestWatcherInUse(t *testing.T) {
	reg := registry(t)
	reg.MustRegister("watch", func(m *vm.Machine, _, _, _, _, _ uint64) (uint64, error) {
		m.WatchWrites(foreignWatcher{})
		return 0, nil
	})
	o := runOn(t, prepare(t, reg, "syscall watch\ntx_begin\nexit"), nil)
	if !errors.Is(o.res.Err, ErrWatcherInUse) {
		t.Fatalf("got %v", o.res.Err)
	}
}

func TestErrorKinds(t *testing.T) {
	for k := KindNestedTransaction; k <= KindWatcherInUse; k++ {
		e := errorf(k, "detail")
		if strings.HasPrefix(e.KindName(), "ErrorKind(") || vm.ErrorKindOf(&vm.Error{Kind: vm.SyscallError, Err: e}) != k.String() {
			t.Fatalf("kind %d: %q", k, e.KindName())
		}
		if !strings.Contains(e.Error(), "detail") || (&Error{Kind: k}).Error() != k.String() {
			t.Fatalf("kind %d renders %q", k, e.Error())
		}
	}
	if ErrorKind(99).String() != "ErrorKind(99)" {
		t.Fatal("unknown kind")
	}
}
