package econ

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
)

// world is an in-memory ledger for the program's tests: accounts, a slot,
// rent. exec runs one instruction through Process on a memHost, which
// enforces the runtime's account rules on every effect and reports any
// breach as errHostRule (the program must never cause one: it checks
// everything first).
type world struct {
	accts map[pubkey.Pubkey]*memAcct
	slot  uint64
	rent  sysvar.Rent
	// budget is the compute units each instruction may use (0: plenty).
	budget uint64
	// lastCU is what the last instruction consumed; lastReturn its return data.
	lastCU     uint64
	lastReturn []byte
	logs       []string
}

type memAcct struct {
	lamports uint64
	owner    pubkey.Pubkey
	data     []byte
}

var errHostRule = errors.New("host rule broken")

func newWorld() *world {
	return &world{accts: map[pubkey.Pubkey]*memAcct{}, slot: 100, rent: sysvar.DefaultRent()}
}

func testKey(name string) pubkey.Pubkey { return pubkey.Pubkey(sha256.Sum256([]byte(name))) }

func (w *world) fund(k pubkey.Pubkey, lamports uint64) {
	a := w.get(k)
	a.lamports += lamports
}

func (w *world) get(k pubkey.Pubkey) *memAcct {
	a, ok := w.accts[k]
	if !ok {
		a = &memAcct{}
		w.accts[k] = a
	}
	return a
}

func (w *world) lamports(k pubkey.Pubkey) uint64 { return w.get(k).lamports }

func (w *world) total() uint64 {
	var s uint64
	for _, a := range w.accts {
		s += a.lamports
	}
	return s
}

// snapshot returns a deep copy of every account (for "nothing changed").
func (w *world) snapshot() map[pubkey.Pubkey]memAcct {
	out := make(map[pubkey.Pubkey]memAcct, len(w.accts))
	for k, a := range w.accts {
		out[k] = memAcct{a.lamports, a.owner, bytes.Clone(a.data)}
	}
	return out
}

func (w *world) diff(before map[pubkey.Pubkey]memAcct) string {
	for _, k := range slices.SortedFunc(maps.Keys(w.accts), func(a, b pubkey.Pubkey) int { return bytes.Compare(a[:], b[:]) }) {
		a := w.accts[k]
		b := before[k]
		if a.lamports != b.lamports || a.owner != b.owner || !bytes.Equal(a.data, b.data) {
			return fmt.Sprintf("%s: lamports %d -> %d, owner %s -> %s, data %d -> %d bytes", k, b.lamports, a.lamports, b.owner, a.owner, len(b.data), len(a.data))
		}
	}
	return ""
}

func (w *world) exec(ix txn.Instruction) error {
	h := &memHost{w: w, data: ix.Data, budget: w.budget}
	if h.budget == 0 {
		h.budget = 1 << 40
	}
	for _, m := range ix.Accounts {
		h.keys = append(h.keys, m.Pubkey)
		h.signer = append(h.signer, m.IsSigner)
		h.writable = append(h.writable, m.IsWritable)
		w.get(m.Pubkey)
	}
	err := Process(h)
	w.lastCU, w.lastReturn = h.used, h.ret
	w.logs = append(w.logs, h.logs...)
	if h.broken != nil {
		return h.broken
	}
	return err
}

func (w *world) auction(k pubkey.Pubkey) *Auction {
	a, err := DecodeAuction(w.get(k).data)
	if err != nil {
		panic(err)
	}
	return a
}

type memHost struct {
	w                *world
	data             []byte
	keys             []pubkey.Pubkey
	signer, writable []bool
	budget, used     uint64
	ret              []byte
	logs             []string
	broken           error
}

func (h *memHost) rule(format string, args ...any) error {
	h.broken = fmt.Errorf("%w: %s", errHostRule, fmt.Sprintf(format, args...))
	return h.broken
}

func (h *memHost) acct(i int) *memAcct         { return h.w.accts[h.keys[i]] }
func (h *memHost) Data() []byte                { return h.data }
func (h *memHost) NumAccounts() int            { return len(h.keys) }
func (h *memHost) Key(i int) pubkey.Pubkey     { return h.keys[i] }
func (h *memHost) IsSigner(i int) bool         { return h.signer[i] }
func (h *memHost) IsWritable(i int) bool       { return h.writable[i] }
func (h *memHost) Owner(i int) pubkey.Pubkey   { return h.acct(i).owner }
func (h *memHost) Lamports(i int) uint64       { return h.acct(i).lamports }
func (h *memHost) AccountData(i int) []byte    { return h.acct(i).data }
func (h *memHost) Slot() uint64                { return h.w.slot }
func (h *memHost) RentMinimum(n uint64) uint64 { return h.w.rent.MinimumBalance(n) }
func (h *memHost) Log(msg string)              { h.logs = append(h.logs, msg) }
func (h *memHost) SetReturnData(b []byte)      { h.ret = bytes.Clone(b) }
func (h *memHost) writableKey(i int) bool      { return h.writable[i] }
func (h *memHost) systemPayer(i int) bool {
	a := h.acct(i)
	return a.owner.IsZero() && len(a.data) == 0
}
func (h *memHost) ownedByProgram(i int) bool       { return h.acct(i).owner == ProgramID() }
func (h *memHost) errBudget() error                { return errors.New("ComputationalBudgetExceeded") }
func (h *memHost) inRange(i int) bool              { return i >= 0 && i < len(h.keys) }
func (h *memHost) lam(i int) *uint64               { return &h.acct(i).lamports }
func (h *memHost) setOwner(i int, o pubkey.Pubkey) { h.acct(i).owner = o }

func (h *memHost) Consume(cu uint64) error {
	if h.budget-h.used < cu {
		h.used = h.budget
		return h.errBudget()
	}
	h.used += cu
	return nil
}

func (h *memHost) CreateAccount(payer, to int, lamports, space uint64, seeds [][]byte) error {
	if !h.inRange(payer) || !h.inRange(to) {
		return h.rule("account index")
	}
	if !h.signer[payer] || !h.writable[payer] || !h.systemPayer(payer) || h.Lamports(payer) < lamports {
		return h.rule("CreateAccount: bad payer")
	}
	addr, err := pubkey.CreateProgramAddress(seeds, ProgramID())
	if err != nil || addr != h.keys[to] {
		return h.rule("CreateAccount: the seeds do not sign for %s", h.keys[to])
	}
	a := h.acct(to)
	if !h.writable[to] || a.lamports != 0 || !a.owner.IsZero() || len(a.data) != 0 {
		return h.rule("CreateAccount: account in use")
	}
	*h.lam(payer) -= lamports
	a.lamports, a.data = lamports, make([]byte, space)
	h.setOwner(to, ProgramID())
	return nil
}

func (h *memHost) SystemTransfer(from, to int, lamports uint64) error {
	if !h.inRange(from) || !h.inRange(to) {
		return h.rule("account index")
	}
	if !h.signer[from] || !h.writable[from] || !h.systemPayer(from) || h.Lamports(from) < lamports || !h.writableKey(to) {
		return h.rule("Transfer: bad accounts")
	}
	*h.lam(from) -= lamports
	*h.lam(to) += lamports
	return nil
}

func (h *memHost) Move(from, to int, lamports uint64) error {
	if !h.inRange(from) || !h.inRange(to) {
		return h.rule("account index")
	}
	if !h.ownedByProgram(from) || !h.writable[from] || !h.writable[to] || h.Lamports(from) < lamports {
		return h.rule("Move: bad accounts")
	}
	*h.lam(from) -= lamports
	*h.lam(to) += lamports
	return nil
}

func (h *memHost) SetData(i int, data []byte) error {
	if !h.inRange(i) || !h.ownedByProgram(i) || !h.writable[i] || len(data) != len(h.acct(i).data) {
		return h.rule("SetData: not allowed")
	}
	h.acct(i).data = bytes.Clone(data)
	return nil
}

// must fails the test on an error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails the test unless err carries code.
func wantCode(t testing.TB, err error, code Code) {
	t.Helper()
	if c, ok := CodeOf(err); !ok || c != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

// signed marks the instruction's accounts with the given keys as signers.
func signed(ix txn.Instruction, keys ...pubkey.Pubkey) txn.Instruction {
	for i := range ix.Accounts {
		for _, k := range keys {
			if ix.Accounts[i].Pubkey == k {
				ix.Accounts[i].IsSigner = true
			}
		}
	}
	return ix
}
