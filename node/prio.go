package node

import (
	"sync"

	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm/bank"
)

// prioWindow is how many recent blocks getRecentPrioritizationFees
// reports (Agave's 150).
const prioWindow = 150

// maxPrioAddresses is the most addresses the method takes.
const maxPrioAddresses = 128

// blockFees are a block's lowest compute-unit prices: over all its
// transactions, and per account its transactions write-lock.
type blockFees struct {
	slot     uint64
	min      uint64
	accounts map[pubkey.Pubkey]uint64
}

// prioFees keeps the fees of the last prioWindow blocks committed since
// the server started.
type prioFees struct {
	mu     sync.Mutex
	blocks []blockFees
}

func newPrioFees() *prioFees { return &prioFees{} }

// add records a committed block; txs[i] is the transaction of res.Txs[i].
func (p *prioFees) add(res *bank.BlockResult, txs []*txn.Transaction, isBuiltin computebudget.IsBuiltin) {
	bf := blockFees{slot: res.Header.Height, accounts: map[pubkey.Pubkey]uint64{}}
	first := true
	for i, t := range res.Txs {
		if !t.Charged || i >= len(txs) {
			continue
		}
		m := &txs[i].Message
		l, err := computebudget.Process(m, isBuiltin)
		if err != nil {
			continue
		}
		if first || l.ComputeUnitPrice < bf.min {
			bf.min, first = l.ComputeUnitPrice, false
		}
		for j, k := range m.AccountKeys {
			if !m.IsWritable(j) {
				continue
			}
			if v, ok := bf.accounts[k]; !ok || l.ComputeUnitPrice < v {
				bf.accounts[k] = l.ComputeUnitPrice
			}
		}
	}
	p.mu.Lock()
	p.blocks = append(p.blocks, bf)
	if len(p.blocks) > prioWindow {
		p.blocks = p.blocks[len(p.blocks)-prioWindow:]
	}
	p.mu.Unlock()
}

// recent lists {slot, prioritizationFee} for the window: the block's
// lowest price, or, with addresses, the highest of the lowest prices of
// the transactions that write-lock each of them.
func (p *prioFees) recent(addrs []pubkey.Pubkey) []map[string]uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]map[string]uint64, len(p.blocks))
	for i, b := range p.blocks {
		fee := b.min
		for _, a := range addrs {
			if v, ok := b.accounts[a]; ok && v > fee {
				fee = v
			}
		}
		out[i] = map[string]uint64{"slot": b.slot, "prioritizationFee": fee}
	}
	return out
}

func (s *Server) getRecentPrioritizationFees(p params) (any, *Error) {
	var keys []string
	if _, e := p.get(0, &keys, true); e != nil {
		return nil, e
	}
	if len(keys) > maxPrioAddresses {
		return nil, errInvalidParams("Too many inputs provided; max %d", maxPrioAddresses)
	}
	addrs := make([]pubkey.Pubkey, len(keys))
	for i, k := range keys {
		var e *Error
		if addrs[i], e = decodePubkey(k); e != nil {
			return nil, e
		}
	}
	return s.fees.recent(addrs), nil
}
