package ctest

import (
	"encoding/binary"
	"os"
	"slices"
	"testing"

	"github.com/agora-vm/agora/abi"
	agoraelf "github.com/agora-vm/agora/elf"
	"github.com/agora-vm/agora/ext/ring"
	"github.com/agora-vm/agora/ext/txmem"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/verify"
	"github.com/agora-vm/agora/vm"
)

// loadExt is load for programs that call the extension syscalls: the
// registry adds ext/txmem and ext/ring, and the program must also pass
// the transaction-pairing verifier.
func loadExt(t *testing.T, name string) vm.Runnable {
	t.Helper()
	so, err := os.ReadFile(programPath(name))
	if err != nil {
		t.Fatal(err)
	}
	reg := syscalls.NewRegistry()
	if err := txmem.Register(reg); err != nil {
		t.Fatal(err)
	}
	if err := ring.Register(reg); err != nil {
		t.Fatal(err)
	}
	deploy := agoraelf.DefaultOptions()
	deploy.RejectBrokenELFs = true
	p, err := agoraelf.Load(so, reg, &deploy)
	if err != nil {
		t.Fatalf("%s does not load for deployment: %v", name, err)
	}
	if err := verify.Structural(p.Text, p.Version, reg); err != nil {
		t.Fatalf("%s fails the reference verifier: %v", name, err)
	}
	rep, err := verify.TxPairing(p.Text, p.Version, &verify.PairingOptions{Entry: p.Entry, Functions: p.Functions, Syscalls: reg})
	if err != nil || rep.Verdict != verify.PairingProven {
		t.Fatalf("%s: %v %v", name, rep, err)
	}
	exe, err := vm.Interpreter{}.Prepare(p, reg, vm.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

func TestTxSwap(t *testing.T) {
	exe := loadExt(t, "txswap")
	pair := func(aLamports, aTokens, bLamports, bTokens uint64) []abi.Account {
		return []abi.Account{
			{Key: key(1), Owner: programID, Lamports: aLamports, Data: u64(aTokens)},
			{Key: key(2), Owner: programID, Lamports: bLamports, Data: u64(bTokens)},
		}
	}
	metas := []abi.AccountMeta{{Index: 0, Writable: true}, {Index: 1, Writable: true}}
	args := func(lamports, tokens uint64) []byte { return append(u64(lamports), u64(tokens)...) }
	tokens := func(a abi.Account) uint64 { return binary.LittleEndian.Uint64(a.Data) }

	t.Run("swap", func(t *testing.T) {
		o := run(t, exe, pair(1000, 5, 10, 50), metas, args(300, 20))
		if o.err != nil {
			t.Fatal(o.err)
		}
		a, b := o.after[0], o.after[1]
		if a.Lamports != 700 || b.Lamports != 310 || tokens(a) != 25 || tokens(b) != 30 {
			t.Fatalf("after %+v", o.after)
		}
		o.checkCU(t, 100, 400)
	})
	// The lamports move before the tokens are checked: the abort undoes
	// them, and the instruction succeeds with nothing changed.
	for _, tc := range []struct {
		name            string
		lamports, token uint64
	}{
		{"tokens short", 300, 51},
		{"lamports short", 1001, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := run(t, exe, pair(1000, 5, 10, 50), metas, args(tc.lamports, tc.token))
			if o.err != nil || o.r0 != 0 {
				t.Fatalf("r0 %d, %v", o.r0, o.err)
			}
			if d := abi.Diff(o.before, o.after); len(d) != 0 {
				t.Fatalf("an aborted swap changed %+v", d)
			}
			if !slices.Equal(o.logs, []string{"Program log: txswap: aborted"}) {
				t.Fatalf("logs %q", o.logs)
			}
		})
	}
	t.Run("bad data", func(t *testing.T) {
		run(t, exe, pair(1, 1, 1, 1), metas, u64(1)).checkStatus(t, "InvalidInstructionData")
	})
}

// ringbus in raw mode: the ring account's data is carried from one
// instruction to the next, as the runtime would carry it between
// transactions.
func TestRingBus(t *testing.T) {
	exe := loadExt(t, "ringbus")
	size, _ := ring.Size(3, 32)
	accounts := []abi.Account{{Key: key(7), Owner: programID, Lamports: 1_000_000, Data: make([]byte, size)}}
	metas := []abi.AccountMeta{{Index: 0, Writable: true}}
	step := func(data []byte) outcome {
		t.Helper()
		o := run(t, exe, accounts, metas, data)
		if o.err == nil {
			accounts = o.after
		}
		return o
	}
	msg := func(seq, price uint64) []byte {
		b := []byte{1}
		b = append(b, u64(seq)...)
		b = append(b, u64(price)...)
		b = append(b, u64(100+seq)...)
		return append(b, "SOL/USD\x00"...)
	}
	if o := step([]byte{0, 3, 0, 0, 0}); o.err != nil {
		t.Fatal(o.err)
	}
	for i := range uint64(3) {
		if o := step(msg(i, 150_000+i)); o.err != nil {
			t.Fatal(o.err)
		}
	}
	// Full: both consumers are 3 behind. The failed instruction changes
	// nothing.
	o := step(msg(3, 1))
	o.checkStatus(t, "Custom")
	next := func(consumer byte) []byte {
		o := step([]byte{2, consumer})
		if o.err != nil {
			t.Fatal(o.err)
		}
		_, data := o.ctx.ReturnData()
		return data
	}
	if m := next(0); len(m) != 32 || binary.LittleEndian.Uint64(m[8:]) != 150_000 {
		t.Fatalf("consumer 0 got %x", m)
	}
	// Consumer 1 is still 3 behind: the ring stays full.
	step(msg(3, 1)).checkStatus(t, "Custom")
	for i := range uint64(3) {
		if m := next(1); binary.LittleEndian.Uint64(m) != i {
			t.Fatalf("consumer 1 message %d: %x", i, m)
		}
	}
	if m := next(1); len(m) != 0 {
		t.Fatalf("consumer 1 drained, got %x", m)
	}
	if o := step(msg(3, 153_000)); o.err != nil {
		t.Fatal(o.err)
	}
	pending, err := ring.Messages(accounts[0].Data, 0)
	if err != nil || len(pending) != 3 || binary.LittleEndian.Uint64(pending[2][8:]) != 153_000 {
		t.Fatalf("consumer 0 pending %x, %v", pending, err)
	}
}
