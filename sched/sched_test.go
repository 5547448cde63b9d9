package sched_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/agora-vm/agora/sched"
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/sysvar"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

func plainEnv(t testing.TB, state mapState) (*svm.Executor, *svm.Env) {
	ex, err := svm.NewExecutor()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ex.NativePrograms() {
		state[k] = account.Account{Lamports: 1, Owner: pubkey.NativeLoader(), Executable: true}
	}
	return ex, &svm.Env{Slot: 1, Programs: svm.NewProgramCache(ex).Source(state),
		Sysvars: sysvar.Set{Rent: sysvar.DefaultRent(), EpochSchedule: sysvar.DefaultEpochSchedule()}}
}

func signed(t testing.TB, payer ed25519.PrivateKey, ixs ...txn.Instruction) *txn.Transaction {
	return signedBy(t, []ed25519.PrivateKey{payer}, ixs...)
}

func signedBy(t testing.TB, signers []ed25519.PrivateKey, ixs ...txn.Instruction) *txn.Transaction {
	m, err := txn.Compile(pk(signers[0]), ixs, txn.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := txn.Sign(m, signers...)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func TestEstimateCost(t *testing.T) {
	ex, _ := plainEnv(t, mapState{})
	a, b := key(9, 1), key(9, 2)
	transfer := signed(t, a, system.Transfer(pk(a), pk(b), 5))
	// Agave: 720 per signature, 300 per write lock, data/4, the builtin's
	// 3,000 CU, and 8 CU per 32 KiB of the 64 MiB loaded-data default.
	want := sched.Cost{Signature: 720, WriteLock: 600, DataBytes: 3, Execution: 3_000, LoadedAccountsData: 16_384}
	if got := sched.EstimateCost(ex, transfer); got != want || got.Sum() != 20_707 {
		t.Fatalf("transfer cost %+v (sum %d), want %+v", got, got.Sum(), want)
	}
	big := signed(t, a, computebudget.SetComputeUnitLimit(1_400_000), system.Transfer(pk(a), pk(b), 5))
	if got := sched.EstimateCost(ex, big); got.Execution != 1_400_000 || got.DataBytes != 4 {
		t.Fatalf("requested limit: %+v", got)
	}
	create := signedBy(t, []ed25519.PrivateKey{a, b}, system.CreateAccount(pk(a), pk(b), 1, 1000, pubkey.SystemProgram()))
	if got := sched.EstimateCost(ex, create); got.AllocatedAccountsData != 1000 {
		t.Fatalf("allocation: %+v", got)
	}
	bad := signed(t, a, txn.Instruction{ProgramID: pubkey.ComputeBudgetProgram(), Data: []byte{9}})
	if got := sched.EstimateCost(ex, bad); got.Execution != 0 || got.LoadedAccountsData != 0 {
		t.Fatalf("invalid compute budget instructions cost execution: %+v", got)
	}
}

// TestAgaveLimits: at Agave's limits, 35 transactions asking for 1.4M CU
// fill a block and 8 fill one writable account; the rest are left out,
// the same at every lane count.
func TestAgaveLimits(t *testing.T) {
	state := mapState{}
	hot := pk(key(8, 0))
	var blockTxs, accountTxs []*txn.Transaction
	for i := range 40 {
		u := key(7, i)
		state[pk(u)] = account.Account{Lamports: 1_000_000_000}
		blockTxs = append(blockTxs, signed(t, u, computebudget.SetComputeUnitLimit(1_400_000), system.Transfer(pk(u), pk(key(6, i)), 1_000_000)))
		accountTxs = append(accountTxs, signed(t, u, computebudget.SetComputeUnitLimit(1_400_000), system.Transfer(pk(u), hot, 1_000_000)))
	}
	ex, env := plainEnv(t, state)
	for _, lanes := range []int{1, 3} {
		s := sched.New(ex, sched.Config{Lanes: lanes})
		for _, tc := range []struct {
			name string
			txs  []*txn.Transaction
			fit  int
			kind svm.TransactionErrorKind
		}{{"block", blockTxs, 35, svm.WouldExceedMaxBlockCostLimit}, {"account", accountTxs, 8, svm.WouldExceedMaxAccountCostLimit}} {
			out, err := s.Execute(context.Background(), &sched.Block{Txs: tc.txs, State: state, Env: env})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range out.Results {
				if i < tc.fit && (r.Err != nil || !r.Charged) {
					t.Fatalf("%s, %d lanes: tx %d: %v", tc.name, lanes, i, r.Err)
				}
				if i >= tc.fit && (r.Charged || !errors.Is(r.Err, &svm.TransactionError{Kind: tc.kind}) || r.Err.Detail == "") {
					t.Fatalf("%s, %d lanes: tx %d: %v, want %v with a reason", tc.name, lanes, i, r.Err, tc.kind)
				}
			}
			if len(out.Signatures) != tc.fit {
				t.Fatalf("%s: %d in the block", tc.name, len(out.Signatures))
			}
		}
	}
}

func TestBadBlocks(t *testing.T) {
	ex, env := plainEnv(t, mapState{})
	s := sched.New(ex, sched.Config{Lanes: 2})
	big := make([]*txn.Transaction, sched.MaxBlockTransactions+1)
	if _, err := s.Execute(context.Background(), &sched.Block{Txs: big, State: mapState{}, Env: env}); !errors.Is(err, sched.ErrBlockTooLarge) {
		t.Fatalf("oversized block: %v", err)
	}
	if _, err := s.Execute(context.Background(), &sched.Block{Txs: []*txn.Transaction{nil}, State: mapState{}, Env: env}); err == nil {
		t.Fatal("a missing transaction was accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	u := key(7, 1)
	if _, err := s.Execute(ctx, &sched.Block{Txs: []*txn.Transaction{signed(t, u, system.Transfer(pk(u), pk(u), 1))}, State: mapState{}, Env: env}); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled: %v", err)
	}
}

// TestTraceTimeline parses the Chrome trace of a block: a track per lane,
// a verify and an execute slice per transaction.
func TestTraceTimeline(t *testing.T) {
	state := mapState{}
	var txs []*txn.Transaction
	for i := range 12 {
		u := key(7, i)
		state[pk(u)] = account.Account{Lamports: 1_000_000_000}
		txs = append(txs, signed(t, u, system.Transfer(pk(u), pk(key(6, i)), 1_000_000)))
	}
	ex, env := plainEnv(t, state)
	tr := sched.NewTrace()
	if _, err := sched.New(ex, sched.Config{Lanes: 3, Trace: tr}).Execute(context.Background(), &sched.Block{Txs: txs, State: state, Env: env}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tr.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Name string         `json:"name"`
			Cat  string         `json:"cat"`
			Ph   string         `json:"ph"`
			Ts   float64        `json:"ts"`
			Dur  float64        `json:"dur"`
			Tid  int            `json:"tid"`
			Args map[string]any `json:"args"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	tracks := map[int]bool{}
	slices := map[string]int{}
	for _, e := range doc.TraceEvents {
		switch e.Ph {
		case "M":
			if e.Name == "thread_name" {
				tracks[e.Tid] = true
			}
		case "X":
			if !tracks[e.Tid] || e.Tid < 0 || e.Tid >= 3 || e.Dur <= 0 || e.Ts < 0 {
				t.Fatalf("bad slice %+v", e)
			}
			slices[e.Cat]++
		default:
			t.Fatalf("unexpected event %+v", e)
		}
	}
	if slices["verify"] != 12 || slices["execute"] != 12 || len(tracks) == 0 {
		t.Fatalf("slices %v on %d tracks", slices, len(tracks))
	}
	// Each visits the same slices as Slices, in any order.
	var each, sorted []sched.Slice
	tr.Each(func(s sched.Slice) { each = append(each, s) })
	sorted = tr.Slices()
	key := func(s sched.Slice) string { return fmt.Sprint(s.Lane, s.Phase, s.Tx, s.Start, s.Dur) }
	count := map[string]int{}
	for _, s := range each {
		count[key(s)]++
	}
	for _, s := range sorted {
		count[key(s)]--
	}
	for k, n := range count {
		if n != 0 || len(each) != len(sorted) {
			t.Fatalf("Each and Slices differ at %s (%d; %d vs %d slices)", k, n, len(each), len(sorted))
		}
	}
}
