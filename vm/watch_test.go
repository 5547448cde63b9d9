package vm

import (
	"bytes"
	"errors"
	"testing"

	"github.com/agora-vm/agora/sbpf"
)

// undoLog is a minimal transactional-memory watcher for the test.
type undoLog struct {
	entries []struct {
		addr uint64
		old  []byte
	}
	leakErr error
}

func (u *undoLog) BeforeWrite(addr uint64, old []byte) {
	u.entries = append(u.entries, struct {
		addr uint64
		old  []byte
	}{addr, append([]byte(nil), old...)})
}

func (u *undoLog) AtExit(m *Machine) error {
	if u.leakErr != nil {
		_ = m.Consume(5) // the abort's price
	}
	return u.leakErr
}

func (u *undoLog) undo(m *Machine) error {
	for i := len(u.entries) - 1; i >= 0; i-- {
		if err := m.RestoreMemory(u.entries[i].addr, u.entries[i].old); err != nil {
			return err
		}
	}
	return nil
}

func TestWriteWatcherSeesEveryWriteAndUndoes(t *testing.T) {
	log := &undoLog{}
	reg := NewRegistry()
	reg.MustRegister("begin", func(m *Machine, _, _, _, _, _ uint64) (uint64, error) { m.WatchWrites(log); return 0, nil })
	reg.MustRegister("abort", func(m *Machine, _, _, _, _, _ uint64) (uint64, error) {
		err := log.undo(m)
		m.UnwatchWrites()
		return 0, err
	})
	reg.MustRegister("poke", func(m *Machine, a, _, _, _, _ uint64) (uint64, error) {
		b, err := m.Translate(Store, a, 2)
		if err == nil {
			b[0], b[1] = 0xee, 0xee
		}
		return 0, err
	})
	call := func(name string) sbpf.Instruction { return I(sbpf.Call, 0, 0, 0, int32(sbpf.SyscallHash(name))) }
	text := prog(
		I(sbpf.StDWImm, 1, 0, 0, 7), // outside the transaction: kept
		I(sbpf.Mov64Reg, 6, 1, 0, 0),
		call("begin"),
		I(sbpf.StWImm, 6, 0, 8, -1),  // store instruction
		I(sbpf.StxB, 6, 6, 12, 0),    // another width
		I(sbpf.Mov64Reg, 1, 6, 0, 0), // syscall write
		I(sbpf.Add64Imm, 1, 0, 0, 14),
		call("poke"),
		I(sbpf.StxDW, 10, 6, -8, 0), // the stack is not watched
		call("abort"),
		I(sbpf.StBImm, 6, 0, 15, 9), // after the transaction: fast path again
		I(sbpf.Exit, 0, 0, 0, 0),
	)
	exe, err := newExecutable(NewRawProgram(sbpf.V0, text, nil, 0), reg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	input := make([]byte, 16)
	res := exe.Run(NewMachine(), RunOptions{Budget: 1000, Input: input})
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	want := []byte{7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9}
	if !bytes.Equal(input, want) {
		t.Fatalf("input after abort = %x, want %x", input, want)
	}
	if len(log.entries) != 3 {
		t.Fatalf("watcher saw %d writes, want 3 (stw, stxb, syscall)", len(log.entries))
	}
}

func TestWriteWatcherAtExitFailsTheRun(t *testing.T) {
	leak := errors.New("TransactionLeak")
	log := &undoLog{leakErr: leak}
	reg := NewRegistry()
	reg.MustRegister("begin", func(m *Machine, _, _, _, _, _ uint64) (uint64, error) { m.WatchWrites(log); return 0, nil })
	text := prog(I(sbpf.Call, 0, 0, 0, int32(sbpf.SyscallHash("begin"))), I(sbpf.Exit, 0, 0, 0, 0))
	exe, err := newExecutable(NewRawProgram(sbpf.V0, text, nil, 0), reg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := NewMachine()
	res := exe.Run(m, RunOptions{Budget: 1000})
	var ve *Error
	if !errors.As(res.Err, &ve) || ve.Kind != SyscallError || !errors.Is(res.Err, leak) || ve.PC != 1 || res.CU != 7 {
		t.Fatalf("got %+v (cu %d), want SyscallError(TransactionLeak) at pc 1", res.Err, res.CU)
	}
	// The next run starts without a watcher.
	plain, err := newExecutable(NewRawProgram(sbpf.V0, prog(I(sbpf.Exit, 0, 0, 0, 0)), nil, 0), reg, Config{})
	if err != nil {
		t.Fatal(err)
	}
	if res := plain.Run(m, RunOptions{Budget: 10}); res.Err != nil || m.Watcher() != nil {
		t.Fatalf("watcher leaked into the next run: %+v, %v", res, m.Watcher())
	}
}
