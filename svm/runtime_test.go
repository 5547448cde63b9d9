package svm

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
)

// state is an in-memory AccountReader for tests.
type state map[pubkey.Pubkey]account.Account

func (s state) Account(k pubkey.Pubkey) (account.Account, error) {
	return s[k].Clone(), nil
}

func (s state) apply(ws []account.Keyed) {
	for _, w := range ws {
		if w.Account.Lamports == 0 {
			delete(s, w.Key)
			continue
		}
		s[w.Key] = w.Account.Clone()
	}
}

func (s state) total() uint64 {
	var t uint64
	for _, a := range s {
		t += a.Lamports
	}
	return t
}

type harness struct {
	t     testing.TB
	ex    *Executor
	st    state
	cache *ProgramCache
	env   *Env
}

func newHarness(t testing.TB) *harness {
	ex, err := NewExecutor()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, ex: ex, st: state{}, cache: NewProgramCache(ex)}
	for _, k := range ex.NativePrograms() {
		h.st[k] = account.Account{Lamports: 1, Owner: pubkey.NativeLoader(), Executable: true}
	}
	s := sysvar.Set{Rent: sysvar.DefaultRent(), EpochSchedule: sysvar.DefaultEpochSchedule(), Clock: sysvar.Clock{Slot: 7, UnixTimestamp: 1700000000}}
	for _, a := range s.Accounts() {
		h.st[a.Key] = account.Account{Lamports: 1_000_000, Data: a.Data, Owner: pubkey.SysvarOwner()}
	}
	h.env = &Env{Slot: 7, Sysvars: s, Programs: h.cache.Source(h.st)}
	return h
}

func keyOf(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
}

func (h *harness) fund(k pubkey.Pubkey, lamports uint64) {
	h.st[k] = account.Account{Lamports: lamports}
}

func (h *harness) deploy(id pubkey.Pubkey, elfBytes []byte) {
	if err := h.ex.VerifyDeployment(elfBytes); err != nil {
		h.t.Fatal(err)
	}
	r := sysvar.DefaultRent()
	p, pd := UpgradeableProgramAccounts(id, elfBytes, 0, nil, r.MinimumBalance)
	h.st[p.Key], h.st[pd.Key] = p.Account, pd.Account
}

func (h *harness) run(payer ed25519.PrivateKey, ixs []txn.Instruction, signers ...ed25519.PrivateKey) *Result {
	m, err := txn.Compile(txn.PubkeyOf(payer), ixs, txn.Hash{1})
	if err != nil {
		h.t.Fatal(err)
	}
	tx, err := txn.Sign(m, append(signers, payer)...)
	if err != nil {
		h.t.Fatal(err)
	}
	if e := Check(tx); e != nil {
		return &Result{Err: e}
	}
	before := h.st.total()
	res := h.ex.Execute(tx, h.st, h.env)
	h.st.apply(res.Writes)
	if after := h.st.total(); after+res.Fee != before {
		h.t.Fatalf("lamports not conserved: %d + fee %d != %d", after, res.Fee, before)
	}
	return res
}

func TestSystemTransferAndCreate(t *testing.T) {
	h := newHarness(t)
	payer, alice, newAcct := keyOf(1), keyOf(2), keyOf(3)
	pk := txn.PubkeyOf
	h.fund(pk(payer), 10_000_000_000)
	res := h.run(payer, []txn.Instruction{system.Transfer(pk(payer), pk(alice), 1_000_000_000)})
	if res.Err != nil {
		t.Fatalf("transfer: %v %v", res.Err, res.Logs)
	}
	if h.st[pk(alice)].Lamports != 1_000_000_000 || res.Fee != 5000 || res.CU != 150 {
		t.Fatalf("alice %d fee %d cu %d", h.st[pk(alice)].Lamports, res.Fee, res.CU)
	}
	want := []string{"Program 11111111111111111111111111111111 invoke [1]", "Program 11111111111111111111111111111111 success"}
	if strings.Join(res.Logs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("logs %q", res.Logs)
	}
	owner := pubkey.MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	res = h.run(payer, []txn.Instruction{system.CreateAccount(pk(payer), pk(newAcct), 2_039_280, 165, owner)}, newAcct)
	if res.Err != nil {
		t.Fatalf("create: %v %v", res.Err, res.Logs)
	}
	if a := h.st[pk(newAcct)]; a.Owner != owner || len(a.Data) != 165 {
		t.Fatalf("created %+v", a)
	}
	// Again: already in use.
	res = h.run(payer, []txn.Instruction{system.CreateAccount(pk(payer), pk(newAcct), 2_039_280, 165, owner)}, newAcct)
	if !errors.Is(res.Err, NewInstructionFailure(0, customErr(0))) {
		t.Fatalf("create twice: %v", res.Err)
	}
	// Too little for rent.
	res = h.run(payer, []txn.Instruction{system.Transfer(pk(payer), pk(keyOf(9)), 10)})
	if !errors.Is(res.Err, &TransactionError{Kind: InsufficientFundsForRent, Index: 1}) {
		t.Fatalf("rent: %v", res.Err)
	}
	// Missing signature.
	ix := system.Transfer(pk(alice), pk(payer), 1)
	ix.Accounts[0].IsSigner = false
	res = h.run(payer, []txn.Instruction{ix})
	if !errors.Is(res.Err, NewInstructionFailure(0, ierr(MissingRequiredSignature))) {
		t.Fatalf("unsigned: %v %v", res.Err, res.Logs)
	}
}

func TestCTransferProgram(t *testing.T) {
	elfBytes, err := os.ReadFile("../testdata/c/transfer.so")
	if err != nil {
		t.Fatal(err) // committed with its source; make -C examples/c rebuilds it
	}
	h := newHarness(t)
	prog := pubkey.MustParse("AgoraProgram1111111111111111111111111111111")
	h.deploy(prog, elfBytes)
	payer := keyOf(1)
	from, to := keyOf(4), keyOf(5)
	pk := txn.PubkeyOf
	h.fund(pk(payer), 10_000_000_000)
	h.st[pk(from)] = account.Account{Lamports: 5_000_000, Owner: prog}
	h.st[pk(to)] = account.Account{Lamports: 5_000_000, Owner: prog}
	data := []byte{100, 0, 0, 0, 0, 0, 0, 0}
	res := h.run(payer, []txn.Instruction{{ProgramID: prog, Data: data, Accounts: []txn.AccountMeta{
		{Pubkey: pk(from), IsSigner: true, IsWritable: true}, {Pubkey: pk(to), IsWritable: true}}}}, from)
	if res.Err != nil {
		t.Fatalf("%v\n%s", res.Err, strings.Join(res.Logs, "\n"))
	}
	if h.st[pk(to)].Lamports != 5_000_100 {
		t.Fatalf("to = %d", h.st[pk(to)].Lamports)
	}
	t.Log(strings.Join(res.Logs, "\n"))
}

// Executor.Check (with its cache of decoded keys) answers as Check, for
// valid transactions, a corrupted signature, a forged signature by the
// identity key, and each again once its keys are cached, at any cache
// size.
func TestExecutorCheckEqualsCheck(t *testing.T) {
	ex, err := NewExecutor()
	if err != nil {
		t.Fatal(err)
	}
	payer, other := keyOf(1), keyOf(2)
	m, err := txn.Compile(txn.PubkeyOf(payer), []txn.Instruction{system.Transfer(txn.PubkeyOf(other), txn.PubkeyOf(payer), 5)}, txn.Hash{1})
	if err != nil {
		t.Fatal(err)
	}
	good, err := txn.Sign(m, payer, other)
	if err != nil {
		t.Fatal(err)
	}
	bad := *good
	bad.Signatures = append([]txn.Signature(nil), good.Signatures...)
	bad.Signatures[1][5] ^= 1
	// The identity point as the fee payer, R = identity and S = 0: the
	// equation holds for any message, and the strict rule refuses it.
	var identity pubkey.Pubkey
	identity[0] = 1
	fm, err := txn.Compile(identity, []txn.Instruction{system.Transfer(identity, txn.PubkeyOf(other), 5)}, txn.Hash{1})
	if err != nil {
		t.Fatal(err)
	}
	forged := &txn.Transaction{Message: *fm, Signatures: []txn.Signature{{1}}}
	// The default cache, then caches smaller than the signers (each miss
	// empties them) and a larger one.
	for _, size := range []int{-1, 0, 1, 2, 64} {
		if size >= 0 {
			ex.SetSignerKeys(size)
		}
		for round := range 3 {
			for _, name := range []string{"good", "bad", "forged"} {
				tx := map[string]*txn.Transaction{"good": good, "bad": &bad, "forged": forged}[name]
				want, got := Check(tx), ex.Check(tx)
				if (want == nil) != (got == nil) || (want != nil && want.Error() != got.Error()) {
					t.Fatalf("cache %d, round %d, %s: Executor.Check = %v, Check = %v", size, round, name, got, want)
				}
				if (name == "good") != (got == nil) {
					t.Fatalf("cache %d, round %d, %s: %v", size, round, name, got)
				}
			}
		}
	}
}
