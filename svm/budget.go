package svm

import (
	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/txn"
)

// ComputeBudget returns the limits m's compute budget instructions set,
// derived exactly as Execute derives them (the same builtins count 3,000
// CU by default). A block scheduler's cost model reads the requested
// compute-unit limit here before anything executes.
func (ex *Executor) ComputeBudget(m *txn.Message) (computebudget.Limits, error) {
	return computebudget.Process(m, ex.countsAsBuiltin)
}
