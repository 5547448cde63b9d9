package bank

import (
	"github.com/agora-vm/agora/solana/account"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
)

// Simulation is a transaction executed against the committed state as
// the next block would execute it, without committing anything.
type Simulation struct {
	// Slot is the block the simulation ran as (the head's height + 1);
	// Context is the head it read.
	Slot uint64
	*svm.Result
	// Post reads an account as the transaction left it: its write if it
	// wrote one, the committed state otherwise.
	Post func(k pubkey.Pubkey) (account.Account, error)
}

// Simulate executes tx over the committed state in a block after the
// head, without committing: the RPC's simulateTransaction and its
// sendTransaction preflight. With verifySignatures false the signatures
// are not checked (Agave's sigVerify: false); the blockhash and
// duplicate checks always apply. The result's Err is the transaction's
// failure, as the chain would report it.
func (b *Bank) Simulate(tx *txn.Transaction, verifySignatures bool) (*Simulation, error) {
	// Under view, not mu: a simulation does not wait for the block being
	// executed, and reads the state and blockhashes of the head.
	b.view.RLock()
	bs, env, err := b.newBlock(b.head.Timestamp)
	admitErr := (*svm.TransactionError)(nil)
	if err == nil {
		admitErr = b.admit(tx)
		// Execute runs after the lock is released: it must not read
		// the bank's blockhashes, which the next block replaces.
		recent := make(map[txn.Hash]bool, len(b.recent))
		for _, r := range b.recent {
			recent[r.hash] = true
		}
		env.IsRecent = func(h txn.Hash) bool { return recent[h] }
		env.RecordInner = true // for simulateTransaction's innerInstructions
	}
	b.view.RUnlock()
	if err != nil {
		return nil, err
	}
	// The cache follows the head, and a block may commit while this
	// runs: read only the snapshot, so that every account is the
	// same block's.
	bs.cache = nil
	defer bs.snap.Close()
	sim := &Simulation{Slot: env.Slot}
	check := svm.CheckUnsigned
	if verifySignatures {
		check = svm.Check
	}
	if e := check(tx); e != nil {
		sim.Result = &svm.Result{Err: e}
	} else if admitErr != nil {
		sim.Result = &svm.Result{Err: admitErr}
	} else {
		sim.Result = b.ex.Execute(tx, bs, env)
	}
	writes := map[pubkey.Pubkey]account.Account{}
	for _, w := range sim.Writes {
		writes[w.Key] = w.Account
	}
	// The snapshot closes on return: read what Post needs now.
	keys := tx.Message.Resolve(sim.Loaded).Keys
	post := make(map[pubkey.Pubkey]account.Account, len(keys))
	for _, k := range keys {
		if a, ok := writes[k]; ok {
			post[k] = a
			continue
		}
		a, err := bs.Account(k)
		if err != nil {
			return nil, err
		}
		post[k] = a
	}
	sim.Post = func(k pubkey.Pubkey) (account.Account, error) {
		if a, ok := post[k]; ok {
			return a, nil
		}
		return b.st.Account(k)
	}
	return sim, nil
}

// BlockhashValid reports whether a transaction referencing h would be
// admitted: h is one of the last MaxRecentBlockhashes blocks' hashes.
func (b *Bank) BlockhashValid(h txn.Hash) bool {
	b.view.RLock()
	defer b.view.RUnlock()
	return b.isRecent(h)
}

// LastValidBlockHeight is the last block height at which a transaction
// referencing the head's hash is still admitted.
func (b *Bank) LastValidBlockHeight() uint64 {
	b.view.RLock()
	defer b.view.RUnlock()
	return b.head.Height + MaxRecentBlockhashes
}

// Admissible is the bank's own admission check of tx against the head
// (a recent blockhash, not already processed), without executing it:
// what a node checks before it queues a transaction it will not
// simulate.
func (b *Bank) Admissible(tx *txn.Transaction) *svm.TransactionError {
	b.view.RLock()
	defer b.view.RUnlock()
	return b.admit(tx)
}
