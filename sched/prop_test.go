package sched_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/agora-vm/agora/ext"
	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

var pk = txn.PubkeyOf

func key(tag byte, i int) ed25519.PrivateKey {
	var s [32]byte
	s[0], s[1] = tag, byte(i)
	return ed25519.NewKeyFromSeed(s[:])
}

var tokenProgram = pubkey.MustParse("MiniToken1111111111111111111111111111111111")

// world is the random blocks' fixture: users, a minitoken mint and the
// accounts they may touch.
type world struct {
	payer ed25519.PrivateKey
	users []ed25519.PrivateKey
	mint  pubkey.Pubkey
	elf   []byte
}

func newWorld(t testing.TB) *world {
	elfBytes, err := os.ReadFile("../testdata/c/minitoken.so")
	if err != nil {
		t.Fatal(err)
	}
	w := &world{payer: key(1, 0), mint: pk(key(3, 0)), elf: elfBytes}
	for i := range 10 {
		w.users = append(w.users, key(2, i))
	}
	return w
}

func (w *world) genesis() []bank.GenesisAccount {
	g := []bank.GenesisAccount{{Key: pk(w.payer), Account: account.Account{Lamports: 1_000_000_000_000}}}
	for i, u := range w.users {
		// A few users start unfunded, so some fee payers cannot pay.
		if i < 8 {
			g = append(g, bank.GenesisAccount{Key: pk(u), Account: account.Account{Lamports: 10_000_000_000}})
		}
	}
	data := make([]byte, 48)
	copy(data, pk(w.users[0]).Bytes()) // authority
	data[40], data[41] = 6, 1          // decimals, initialized
	g = append(g, bank.GenesisAccount{Key: w.mint, Account: account.Account{Lamports: 1_000_000_000, Owner: tokenProgram, Data: data}})
	return g
}

// newBank opens a fresh chain with the world deployed, executing on the
// given lanes with the given limits.
func (w *world) newBank(t testing.TB, cfg sched.Config) (*bank.Bank, *store.Store) {
	// Agora's composition, so the extensions' shared parts (pools,
	// natives) run concurrently under the race detector too.
	ex, err := ext.NewExecutor()
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMem()
	if _, err := bank.Genesis(st, ex, 1_700_000_000, w.genesis()); err != nil {
		t.Fatal(err)
	}
	b, err := bank.Open(st, ex)
	if err != nil {
		t.Fatal(err)
	}
	b.SetScheduler(cfg)
	auth := pk(w.payer)
	if _, err := b.Deploy(tokenProgram, w.elf, &auth, 1_700_000_001); err != nil {
		t.Fatal(err)
	}
	return b, st
}

func (w *world) token(owner pubkey.Pubkey) (pubkey.Pubkey, byte) {
	k, bump, _ := pubkey.FindProgramAddress([][]byte{[]byte("token"), owner.Bytes(), w.mint.Bytes()}, tokenProgram)
	return k, bump
}

func meta(k pubkey.Pubkey, signer, writable bool) txn.AccountMeta {
	return txn.AccountMeta{Pubkey: k, IsSigner: signer, IsWritable: writable}
}

// randomBlock builds n transactions over the world: System transfers
// (some overdrawn, some creating accounts below rent), minitoken calls
// with CPI (token accounts created through System, a balance read
// through a self-invocation, recursion to the depth limit), requests for
// the largest compute budget, bad signatures, stale blockhashes and
// duplicates. Fee payers are either the shared payer (a hot account) or
// the user acting.
func (w *world) randomBlock(t testing.TB, rng *rand.Rand, hash txn.Hash, n int) []*txn.Transaction {
	var txs []*txn.Transaction
	user := func() ed25519.PrivateKey { return w.users[rng.IntN(len(w.users))] }
	for len(txs) < n {
		u, v := user(), user()
		var ixs []txn.Instruction
		signers := []ed25519.PrivateKey{u}
		switch rng.IntN(10) {
		case 0, 1:
			ixs = append(ixs, system.Transfer(pk(u), pk(v), rng.Uint64N(12_000_000_000)))
		case 2:
			fresh := pk(key(4, rng.IntN(40)))
			ixs = append(ixs, system.Transfer(pk(u), fresh, rng.Uint64N(2_000_000)))
		case 3:
			tok, bump := w.token(pk(u))
			ixs = append(ixs, txn.Instruction{ProgramID: tokenProgram, Data: []byte{1, bump}, Accounts: []txn.AccountMeta{
				meta(pk(u), true, true), meta(tok, false, true), meta(pk(u), false, false), meta(w.mint, false, false), meta(pubkey.SystemProgram(), false, false)}})
		case 4:
			tok, _ := w.token(pk(u))
			signers = append(signers, w.users[0])
			ixs = append(ixs, txn.Instruction{ProgramID: tokenProgram, Data: binary.LittleEndian.AppendUint64([]byte{2}, rng.Uint64N(1000)), Accounts: []txn.AccountMeta{
				meta(w.mint, false, true), meta(tok, false, true), meta(pk(w.users[0]), true, false)}})
		case 5:
			src, _ := w.token(pk(u))
			dst, _ := w.token(pk(v))
			if src == dst {
				continue
			}
			ixs = append(ixs, txn.Instruction{ProgramID: tokenProgram, Data: binary.LittleEndian.AppendUint64([]byte{3}, rng.Uint64N(600)), Accounts: []txn.AccountMeta{
				meta(src, false, true), meta(dst, false, true), meta(pk(u), true, false)}})
		case 6:
			tok, _ := w.token(pk(u))
			ixs = append(ixs, txn.Instruction{ProgramID: tokenProgram, Data: []byte{5}, Accounts: []txn.AccountMeta{
				meta(tok, false, false), meta(tokenProgram, false, false)}})
		case 7:
			ixs = append(ixs, txn.Instruction{ProgramID: tokenProgram, Data: []byte{6, byte(rng.IntN(6))}, Accounts: []txn.AccountMeta{
				meta(tokenProgram, false, false)}})
		case 8:
			// The largest compute budget: the cost limits bite.
			ixs = append(ixs, computebudget.SetComputeUnitLimit(1_400_000), system.Transfer(pk(u), pk(v), 1+rng.Uint64N(1000)))
		default:
			ixs = append(ixs, txn.Instruction{ProgramID: tokenProgram, Data: []byte{4}, Accounts: []txn.AccountMeta{meta(w.mint, false, false)}})
		}
		feePayer := u
		if rng.IntN(3) == 0 {
			feePayer = w.payer
		}
		all := append([]ed25519.PrivateKey{feePayer}, signers...)
		h := hash
		if rng.IntN(25) == 0 {
			h = txn.Hash{7} // unknown blockhash
		}
		m, err := txn.Compile(pk(feePayer), ixs, h)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := txn.Sign(m, dedupe(all)...)
		if err != nil {
			t.Fatal(err)
		}
		switch rng.IntN(25) {
		case 0:
			tx.Signatures[0][9] ^= 1 // bad signature
		case 1:
			if len(txs) > 0 {
				tx = txs[rng.IntN(len(txs))] // a duplicate
			}
		}
		txs = append(txs, tx)
	}
	return txs
}

func dedupe(ks []ed25519.PrivateKey) []ed25519.PrivateKey {
	var out []ed25519.PrivateKey
	for _, k := range ks {
		if !slices.ContainsFunc(out, func(o ed25519.PrivateKey) bool { return o.Equal(k) }) {
			out = append(out, k)
		}
	}
	return out
}

// sameBlock reports the first difference between two block results,
// every field but the store's timing.
func sameBlock(a, b *bank.BlockResult) string {
	if a.Header != b.Header {
		return fmt.Sprintf("headers differ: %+v vs %+v", a.Header, b.Header)
	}
	if len(a.Txs) != len(b.Txs) {
		return "transaction counts differ"
	}
	for i := range a.Txs {
		if d := sameResult(a.Txs[i].Result, b.Txs[i].Result); d != "" || a.Txs[i].Signature != b.Txs[i].Signature {
			return fmt.Sprintf("tx %d: %s", i, d)
		}
	}
	return ""
}

func sameResult(x, y *svm.Result) string {
	ex, ey := "", ""
	if x.Err != nil {
		ex = x.Err.String() + "|" + x.Err.Error()
	}
	if y.Err != nil {
		ey = y.Err.String() + "|" + y.Err.Error()
	}
	switch {
	case ex != ey:
		return fmt.Sprintf("errors %q vs %q", ex, ey)
	case x.Charged != y.Charged || x.Fee != y.Fee || x.CU != y.CU || x.ComputeUnitLimit != y.ComputeUnitLimit:
		return fmt.Sprintf("charged/fee/cu %v/%d/%d/%d vs %v/%d/%d/%d", x.Charged, x.Fee, x.CU, x.ComputeUnitLimit, y.Charged, y.Fee, y.CU, y.ComputeUnitLimit)
	case !reflect.DeepEqual(x.Logs, y.Logs):
		return fmt.Sprintf("logs %q vs %q", x.Logs, y.Logs)
	case x.ReturnProgram != y.ReturnProgram || !bytes.Equal(x.ReturnData, y.ReturnData):
		return "return data differs"
	case len(x.Writes) != len(y.Writes):
		return "write counts differ"
	}
	for i := range x.Writes {
		if x.Writes[i].Key != y.Writes[i].Key || !x.Writes[i].Account.Equal(&y.Writes[i].Account) {
			return fmt.Sprintf("write %d differs", i)
		}
	}
	return ""
}

// TestRandomBlocksSameAtEveryLaneCount is the scheduler's property: random
// blocks (random accounts, conflicts, failures, CPI, over-limit
// transactions) give identical block results and state commitments at
// 1, 2, 3 and 8 lanes, block after block.
//
// Every bank checks each next block's signatures ahead (Precheck), which
// does nothing at one lane: results must not depend on it.
func TestRandomBlocksSameAtEveryLaneCount(t *testing.T) {
	w := newWorld(t)
	lanes := []int{1, 2, 3, 8}
	// Tight limits so that both cost limits leave transactions out.
	limits := sched.Limits{Block: 7_000_000, Account: 3_000_000}
	banks := make([]*bank.Bank, len(lanes))
	stores := make([]*store.Store, len(lanes))
	for i, n := range lanes {
		banks[i], stores[i] = w.newBank(t, sched.Config{Lanes: n, Limits: limits})
	}
	blocks, perBlock := 6, 60
	if testing.Short() {
		blocks, perBlock = 3, 40
	}
	rng := rand.New(rand.NewPCG(15, 1))
	seen := map[string]int{}
	// Each block is made one block ahead, so that the banks on several
	// lanes check it ahead (Precheck) while the block before it runs.
	next := w.randomBlock(t, rng, banks[0].LatestBlockhash(), perBlock)
	for blk := range blocks {
		txs := next
		next = nil
		if blk+1 < blocks {
			next = w.randomBlock(t, rng, banks[0].LatestBlockhash(), perBlock)
		}
		var want *bank.BlockResult
		for i, b := range banks {
			if next != nil {
				b.Precheck(next)
			}
			got, err := b.ProcessBlock(txs, int64(1_700_000_010+blk))
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				want = got
				for _, r := range got.Txs {
					k := "ok"
					if r.Err != nil {
						k = r.Err.Kind.String()
					}
					seen[k]++
				}
				continue
			}
			if d := sameBlock(want, got); d != "" {
				t.Fatalf("block %d at %d lanes differs from 1 lane: %s", blk, lanes[i], d)
			}
		}
	}
	// The mix must exercise what the property is about.
	t.Logf("outcomes: %v", seen)
	for _, k := range []string{"ok", "InstructionError", "WouldExceedMaxBlockCostLimit", "WouldExceedMaxAccountCostLimit", "SignatureFailure"} {
		if seen[k] == 0 {
			t.Errorf("no transaction ended %s; outcomes: %v", k, seen)
		}
	}
	for i, st := range stores {
		if err := st.Verify(); err != nil {
			t.Fatalf("%d lanes: %v", lanes[i], err)
		}
	}
}

// mapState is a block's starting state for sched without a bank.
type mapState map[pubkey.Pubkey]account.Account

func (m mapState) Account(k pubkey.Pubkey) (account.Account, error) { return m[k].Clone(), nil }

// TestMatchesPlainSerialLoop checks the scheduler, at one lane and at
// four, against the plainest reading of a block: each transaction
// checked and executed in order against the writes of those before it.
// Every other transaction is picked for a second execution
// (Block.Check), which must match its first, from the same pre-state.
func TestMatchesPlainSerialLoop(t *testing.T) {
	w := newWorld(t)
	state := mapState{}
	for _, a := range w.genesis() {
		state[a.Key] = a.Account
	}
	ex, _ := plainEnv(t, state)
	rent := sysvar.DefaultRent()
	prog, pdata := svm.UpgradeableProgramAccounts(tokenProgram, w.elf, 0, nil, rent.MinimumBalance)
	state[prog.Key], state[pdata.Key] = prog.Account, pdata.Account
	env := &svm.Env{Slot: 1, Programs: svm.NewProgramCache(ex).Source(state), Sysvars: sysvar.Set{Rent: rent, EpochSchedule: sysvar.DefaultEpochSchedule()}}

	rng := rand.New(rand.NewPCG(15, 2))
	n := 80
	if testing.Short() {
		n = 40
	}
	var hash txn.Hash
	txs := w.randomBlock(t, rng, hash, n)

	// The plain loop (no cost limits bite at Agave's defaults here).
	overlay := mapState{}
	read := readerFunc(func(k pubkey.Pubkey) (account.Account, error) {
		if a, ok := overlay[k]; ok {
			return a.Clone(), nil
		}
		return state.Account(k)
	})
	var want []*svm.Result
	var executed []int
	outcomes := map[string]int{}
	defer func() { t.Logf("outcomes: %v", outcomes) }()
	charged := map[txn.Signature]bool{}
	for _, tx := range txs {
		var r *svm.Result
		if e := svm.Check(tx); e != nil {
			r = &svm.Result{Err: e}
		} else if tx.Message.RecentBlockhash != hash {
			r = &svm.Result{Err: &svm.TransactionError{Kind: svm.BlockhashNotFound}}
		} else if charged[tx.ID()] {
			r = &svm.Result{Err: &svm.TransactionError{Kind: svm.AlreadyProcessed}}
		} else {
			r = ex.Execute(tx, read, env)
			executed = append(executed, len(want))
		}
		if r.Charged {
			charged[tx.ID()] = true
			for _, wr := range r.Writes {
				overlay[wr.Key] = wr.Account
			}
		}
		want = append(want, r)
		if r.Err == nil {
			outcomes["ok"]++
		} else {
			outcomes[r.Err.String()]++
		}
	}
	if outcomes["ok"] < n/4 {
		t.Fatalf("too few transactions succeed: %v", outcomes)
	}
	admit := func(tx *txn.Transaction) *svm.TransactionError {
		if tx.Message.RecentBlockhash != hash {
			return &svm.TransactionError{Kind: svm.BlockhashNotFound}
		}
		return nil
	}
	for _, lanes := range []int{1, 4} {
		picked := func(tx *txn.Transaction) bool { return tx.Signatures[0][0]%2 == 0 }
		out, err := sched.New(ex, sched.Config{Lanes: lanes}).Execute(context.Background(), &sched.Block{Txs: txs, State: state, Env: env, Admit: admit,
			Check: picked, CheckEnv: env})
		if err != nil {
			t.Fatal(err)
		}
		var checked []int
		for _, i := range executed {
			if picked(txs[i]) {
				checked = append(checked, i)
			}
		}
		if len(out.Checks) != len(checked) || len(checked) < n/8 {
			t.Fatalf("%d lanes: %d checks, want %d", lanes, len(out.Checks), len(checked))
		}
		for j, c := range out.Checks {
			if c.Index != checked[j] {
				t.Fatalf("%d lanes: check %d is of tx %d, want %d", lanes, j, c.Index, checked[j])
			}
			if d := sameResult(want[c.Index], c.Result); d != "" {
				t.Fatalf("%d lanes, check of tx %d: %s", lanes, c.Index, d)
			}
		}
		for i := range txs {
			if d := sameResult(want[i], out.Results[i]); d != "" {
				t.Fatalf("%d lanes, tx %d: %s", lanes, i, d)
			}
		}
		if len(out.Writes) != len(overlay) {
			t.Fatalf("%d lanes: %d writes, want %d", lanes, len(out.Writes), len(overlay))
		}
		for _, wr := range out.Writes {
			if a := overlay[wr.Key]; !a.Equal(&wr.Account) {
				t.Fatalf("%d lanes: account %s differs", lanes, wr.Key)
			}
		}
	}
}

type readerFunc func(pubkey.Pubkey) (account.Account, error)

func (f readerFunc) Account(k pubkey.Pubkey) (account.Account, error) { return f(k) }

// TestCanceledBlockCommitsNothing: a block stopped before its commit
// leaves the chain as it was.
func TestCanceledBlockCommitsNothing(t *testing.T) {
	w := newWorld(t)
	b, st := w.newBank(t, sched.Config{Lanes: 2})
	head := b.Head()
	txs := w.randomBlock(t, rand.New(rand.NewPCG(3, 3)), b.LatestBlockhash(), 20)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.ProcessBlockContext(ctx, txs, 1_700_000_100); err == nil {
		t.Fatal("a canceled block was processed")
	}
	if h, _ := st.Head(); h != head || b.Head() != head {
		t.Fatal("a canceled block moved the head")
	}
	if _, err := b.ProcessBlock(txs, 1_700_000_100); err != nil {
		t.Fatalf("the chain does not go on: %v", err)
	}
}
