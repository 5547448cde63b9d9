package node

import (
	"github.com/mr-tron/base58"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/store"
	"github.com/agora-vm/agora/svm"
)

// This file renders what a transaction's meta adds to its outcome: the
// inner instructions and the SPL Token balances, as Agave's
// UiTransactionStatusMeta has them.

// keyAt is keys[i] in base58, or "" for an index past them (a damaged
// record; the runtime never records one).
func keyAt(keys []pubkey.Pubkey, i uint8) string {
	if int(i) < len(keys) {
		return keys[i].String()
	}
	return ""
}

// parsedInstruction is an instruction in the jsonParsed encoding: a
// System instruction parsed (Agave's ParsedInstruction), any other in
// Agave's PartiallyDecoded form (program, account addresses, base58
// data), which clients accept for every program. stackHeight is nil for
// a top-level instruction of a stored transaction.
func parsedInstruction(keys []pubkey.Pubkey, program uint8, accounts []uint8, data []byte, stackHeight *uint32) map[string]any {
	if int(program) < len(keys) && keys[program] == pubkey.SystemProgram() {
		if parsed, ok := parseSystem(keys, accounts, data); ok {
			return map[string]any{"program": "system", "programId": keys[program].String(), "parsed": parsed, "stackHeight": stackHeight}
		}
	}
	accts := make([]string, 0, len(accounts))
	for _, a := range accounts {
		if int(a) < len(keys) {
			accts = append(accts, keys[a].String())
		}
	}
	return map[string]any{"programId": keyAt(keys, program), "accounts": accts, "data": base58.Encode(data), "stackHeight": stackHeight}
}

// uiInnerInstructions is Agave's UiInnerInstructions: the instructions
// top-level instruction Index invoked.
type uiInnerInstructions struct {
	Index        int   `json:"index"`
	Instructions []any `json:"instructions"`
}

// innerJSON renders inner instructions, a list per top-level
// instruction, as Agave does: only the lists that hold instructions,
// each with its instruction's index; in the json encoding compiled
// (indexes into keys), in jsonParsed partially decoded. Nil (null) when
// they were not recorded.
func innerJSON[I store.InnerInstruction | svm.InnerInstruction](inner [][]I, keys []pubkey.Pubkey, parsed bool) any {
	if inner == nil {
		return nil
	}
	out := []uiInnerInstructions{}
	for i, list := range inner {
		if len(list) == 0 {
			continue
		}
		u := uiInnerInstructions{Index: i, Instructions: make([]any, len(list))}
		for j, x := range list {
			ix := store.InnerInstruction(x)
			h := uint32(ix.StackHeight)
			if parsed {
				u.Instructions[j] = parsedInstruction(keys, ix.ProgramIDIndex, ix.Accounts, ix.Data, &h)
			} else {
				u.Instructions[j] = uiInstruction{ProgramIDIndex: ix.ProgramIDIndex, Accounts: ints(ix.Accounts), Data: base58.Encode(ix.Data), StackHeight: &h}
			}
		}
		out = append(out, u)
	}
	return out
}

// uiTokenBalance is Agave's UiTransactionTokenBalance.
type uiTokenBalance struct {
	AccountIndex  uint8         `json:"accountIndex"`
	Mint          string        `json:"mint"`
	UITokenAmount uiTokenAmount `json:"uiTokenAmount"`
	Owner         string        `json:"owner"`
	ProgramID     string        `json:"programId"`
}

// tokenBalancesJSON renders recorded token balances; nil (null) when
// they were not recorded.
func tokenBalancesJSON(bs []store.TokenBalance) any {
	if bs == nil {
		return nil
	}
	out := make([]uiTokenBalance, len(bs))
	for i, b := range bs {
		out[i] = uiTokenBalance{AccountIndex: b.AccountIndex, Mint: b.Mint.String(), UITokenAmount: tokenAmount(b.Amount, b.Decimals),
			Owner: b.Owner.String(), ProgramID: b.ProgramID.String()}
	}
	return out
}
