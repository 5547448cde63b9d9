package bank

import (
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// durableTx signs ixs with the nonce account's stored nonce as blockhash.
func (c *chain) durableTx(nonce pubkey.Pubkey, ixs []txn.Instruction, signers ...ed25519.PrivateKey) *txn.Transaction {
	st, err := system.DecodeNonce(c.acct(nonce).Data)
	if err != nil || !st.Initialized {
		c.t.Fatalf("nonce account: %v %+v", err, st)
	}
	m, err := txn.Compile(pk(signers[0]), ixs, st.Nonce)
	if err != nil {
		c.t.Fatal(err)
	}
	tx, err := txn.Sign(m, signers...)
	if err != nil {
		c.t.Fatal(err)
	}
	return tx
}

func (c *chain) nonceState(k pubkey.Pubkey) system.NonceState {
	st, err := system.DecodeNonce(c.acct(k).Data)
	if err != nil {
		c.t.Fatal(err)
	}
	return st
}

func TestDurableNonceFlow(t *testing.T) {
	c := newChain(t)
	payer, nonceKey, auth := c.payer, key(40), key(41)
	nonce, to := pk(nonceKey), pk(key(42))
	rent := c.bank.Rent()
	lamports := rent.MinimumBalance(system.NonceAccountSize)

	// Create and initialize the nonce account: its nonce is the durable
	// nonce of the chain's last blockhash.
	before := c.bank.LatestBlockhash()
	r := c.call([]txn.Instruction{
		system.CreateAccount(pk(payer), nonce, lamports, system.NonceAccountSize, system.ID),
		system.InitializeNonceAccount(nonce, pk(auth)),
	}, payer, nonceKey)
	if r.Err != nil {
		t.Fatalf("initialize: %v %v", r.Err, r.Logs)
	}
	st := c.nonceState(nonce)
	if !st.Initialized || st.Version != system.NonceVersionCurrent || st.Authority != pk(auth) ||
		st.Nonce != system.DurableNonce(before) || st.LamportsPerSignature != svm.DefaultFeePerSignature {
		t.Fatalf("initialized state %+v", st)
	}

	// Let the nonce's blockhash fall out of the queue entirely.
	for range MaxRecentBlockhashes + 1 {
		c.now++
		if _, err := c.bank.ProcessBlock(nil, c.now); err != nil {
			t.Fatal(err)
		}
	}

	// A stale blockhash without a nonce is refused.
	stale := c.tx([]txn.Instruction{system.Transfer(pk(payer), to, 1)}, payer)
	stale.Message.RecentBlockhash = st.Nonce
	stale, _ = txn.Sign(&stale.Message, payer)
	if r := c.send(stale); !errors.Is(r.Err, &svm.TransactionError{Kind: svm.BlockhashNotFound}) || r.Charged {
		t.Fatalf("stale blockhash: %v charged=%v", r.Err, r.Charged)
	}

	// The wrong authority: not a valid durable transaction.
	wrong := c.durableTx(nonce, []txn.Instruction{system.AdvanceNonceAccount(nonce, pk(payer)), system.Transfer(pk(payer), to, 1)}, payer)
	if r := c.send(wrong); !errors.Is(r.Err, &svm.TransactionError{Kind: svm.BlockhashNotFound}) || r.Charged {
		t.Fatalf("wrong authority: %v charged=%v", r.Err, r.Charged)
	}

	// A durable transfer goes through and advances the nonce.
	payerBefore := c.acct(pk(payer)).Lamports
	good := c.durableTx(nonce, []txn.Instruction{system.AdvanceNonceAccount(nonce, pk(auth)), system.Transfer(pk(payer), to, 1_000_000)}, payer, auth)
	last := c.bank.LatestBlockhash()
	r = c.send(good)
	if r.Err != nil || !r.Charged {
		t.Fatalf("durable transfer: %v %v", r.Err, r.Logs)
	}
	if got := c.acct(to).Lamports; got != 1_000_000 {
		t.Fatalf("recipient holds %d", got)
	}
	if got := payerBefore - c.acct(pk(payer)).Lamports; got != 1_000_000+2*svm.DefaultFeePerSignature {
		t.Fatalf("payer paid %d", got)
	}
	if st := c.nonceState(nonce); st.Nonce != system.DurableNonce(last) {
		t.Fatalf("nonce not advanced to the last blockhash's durable nonce")
	}

	// Replaying it fails the age check: the nonce moved on.
	if r := c.send(good); !errors.Is(r.Err, &svm.TransactionError{Kind: svm.BlockhashNotFound}) || r.Charged {
		t.Fatalf("replay: %v charged=%v", r.Err, r.Charged)
	}

	// A durable transaction that fails still pays and still advances.
	payerBefore = c.acct(pk(payer)).Lamports
	bad := c.durableTx(nonce, []txn.Instruction{system.AdvanceNonceAccount(nonce, pk(auth)), system.Transfer(pk(payer), to, payerBefore*2)}, payer, auth)
	last = c.bank.LatestBlockhash()
	r = c.send(bad)
	if !errors.Is(r.Err, svm.NewInstructionFailure(1, &svm.InstructionError{Kind: svm.Custom, Code: system.ErrResultWithNegativeLamports})) || !r.Charged {
		t.Fatalf("failing durable transaction: %v charged=%v", r.Err, r.Charged)
	}
	if got := payerBefore - c.acct(pk(payer)).Lamports; got != 2*svm.DefaultFeePerSignature {
		t.Fatalf("failed durable transaction cost %d", got)
	}
	if st := c.nonceState(nonce); st.Nonce != system.DurableNonce(last) {
		t.Fatalf("failed durable transaction did not advance the nonce")
	}

	// Advancing twice in one block is refused by the instruction.
	r = c.call([]txn.Instruction{system.AdvanceNonceAccount(nonce, pk(auth))}, payer, auth)
	if r.Err != nil {
		t.Fatalf("advance: %v", r.Err)
	}
	twice := c.tx([]txn.Instruction{system.AdvanceNonceAccount(nonce, pk(auth)), system.AdvanceNonceAccount(nonce, pk(auth))}, payer, auth)
	if r := c.send(twice); !errors.Is(r.Err, svm.NewInstructionFailure(1, &svm.InstructionError{Kind: svm.Custom, Code: system.ErrNonceBlockhashNotExpired})) {
		t.Fatalf("advance twice: %v", r.Err)
	}

	// Authorize a new authority, then withdraw everything with it: the
	// account is closed and uninitialized.
	if r := c.call([]txn.Instruction{system.AuthorizeNonceAccount(nonce, pk(auth), pk(payer))}, payer, auth); r.Err != nil {
		t.Fatalf("authorize: %v %v", r.Err, r.Logs)
	}
	if st := c.nonceState(nonce); st.Authority != pk(payer) {
		t.Fatalf("authority %s", st.Authority)
	}
	all := c.acct(nonce).Lamports
	if r := c.call([]txn.Instruction{system.WithdrawNonceAccount(nonce, pk(payer), to, all-1)}, payer); !errors.Is(r.Err, svm.NewInstructionFailure(0, &svm.InstructionError{Kind: svm.InsufficientFunds})) {
		t.Fatalf("partial withdraw below rent: %v", r.Err)
	}
	if r := c.call([]txn.Instruction{system.WithdrawNonceAccount(nonce, pk(payer), to, all)}, payer); r.Err != nil {
		t.Fatalf("withdraw: %v %v", r.Err, r.Logs)
	}
	if a := c.acct(nonce); a.Exists() {
		t.Fatal("nonce account still exists after withdrawing everything")
	}
}

// A nonce account may pay fees, down to its rent-exempt minimum; as a
// durable transaction's fee payer, the fee and the advance both land.
func TestNonceAccountPaysFees(t *testing.T) {
	c := newChain(t)
	payer, nonceKey := c.payer, key(43)
	nonce := pk(nonceKey)
	rent := c.bank.Rent()
	min := rent.MinimumBalance(system.NonceAccountSize)
	r := c.call([]txn.Instruction{
		system.CreateAccount(pk(payer), nonce, min+3*svm.DefaultFeePerSignature, system.NonceAccountSize, system.ID),
		system.InitializeNonceAccount(nonce, nonce),
	}, payer, nonceKey)
	if r.Err != nil {
		t.Fatalf("initialize: %v", r.Err)
	}
	c.now++
	if _, err := c.bank.ProcessBlock(nil, c.now); err != nil {
		t.Fatal(err)
	}
	last := c.bank.LatestBlockhash()
	tx := c.durableTx(nonce, []txn.Instruction{system.AdvanceNonceAccount(nonce, nonce), system.Transfer(nonce, pk(payer), 1<<40)}, nonceKey)
	r = c.send(tx)
	if !r.Charged || r.Err == nil {
		t.Fatalf("want a charged failure, got %v charged=%v", r.Err, r.Charged)
	}
	a := c.acct(nonce)
	if a.Lamports != min+2*svm.DefaultFeePerSignature {
		t.Fatalf("nonce payer holds %d", a.Lamports)
	}
	if st := c.nonceState(nonce); st.Nonce != system.DurableNonce(last) {
		t.Fatal("nonce fee payer not advanced")
	}
	// Below the minimum plus the fee: refused, not charged.
	poor := c.tx([]txn.Instruction{system.AdvanceNonceAccount(nonce, nonce)}, nonceKey)
	for range 2 {
		c.send(poor) // two more fees...
		poor = c.tx([]txn.Instruction{system.AdvanceNonceAccount(nonce, nonce), system.Transfer(nonce, nonce, 0)}, nonceKey)
	}
	if r := c.send(c.tx([]txn.Instruction{system.Transfer(nonce, nonce, 1)}, nonceKey)); !errors.Is(r.Err, &svm.TransactionError{Kind: svm.InsufficientFundsForFee}) {
		t.Fatalf("want InsufficientFundsForFee, got %v (balance %d)", r.Err, c.acct(nonce).Lamports)
	}
}
