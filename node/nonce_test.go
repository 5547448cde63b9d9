package node

import (
	"encoding/base64"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
)

// TestDurableNonceThroughRPC: a transaction whose blockhash is a durable
// nonce passes the preflight and lands; sent again, it is refused
// (its nonce has advanced), with or without preflight.
func TestDurableNonceThroughRPC(t *testing.T) {
	e := newEnv(t, Config{})
	alice := txn.PubkeyOf(e.alice)
	nk := key(7)
	nonce := txn.PubkeyOf(nk)
	rent := e.bank.Rent()
	m, _ := txn.Compile(alice, []txn.Instruction{
		system.CreateAccount(alice, nonce, rent.MinimumBalance(system.NonceAccountSize), system.NonceAccountSize, pubkey.SystemProgram()),
		system.InitializeNonceAccount(nonce, alice),
	}, e.bank.LatestBlockhash())
	tx, _ := txn.Sign(m, e.alice, nk)
	e.ok(nil, "sendTransaction", b64(tx), map[string]any{"encoding": "base64"})
	e.produce()
	e.produce()
	a, err := e.st.Account(nonce)
	if err != nil {
		t.Fatal(err)
	}
	st, err := system.DecodeNonce(a.Data)
	if err != nil || !st.Initialized {
		t.Fatalf("nonce account: %+v %v", st, err)
	}
	m, _ = txn.Compile(alice, []txn.Instruction{system.AdvanceNonceAccount(nonce, alice), system.Transfer(alice, e.bob, 1_000_000)}, st.Nonce)
	durable, _ := txn.Sign(m, e.alice)
	var fee withContext[*uint64]
	e.ok(&fee, "getFeeForMessage", base64.StdEncoding.EncodeToString(m.Encode()))
	if fee.Value == nil || *fee.Value != 5000 {
		t.Fatalf("getFeeForMessage of a durable message: %v", fee.Value)
	}
	e.ok(nil, "sendTransaction", b64(durable), map[string]any{"encoding": "base64"})
	e.produce()
	var sts withContext[[]map[string]any]
	e.ok(&sts, "getSignatureStatuses", []string{durable.ID().String()})
	if sts.Value[0] == nil || sts.Value[0]["err"] != nil {
		t.Fatalf("durable transaction: %v", sts.Value)
	}
	for _, cfg := range []map[string]any{{"encoding": "base64"}, {"encoding": "base64", "skipPreflight": true}} {
		e.fails(CodeSendTransactionPreflightFailure, "sendTransaction", b64(durable), cfg)
	}
}
