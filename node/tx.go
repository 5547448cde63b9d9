package node

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/mr-tron/base58"

	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/system"
	"github.com/agora-vm/agora/solana/txn"
	"github.com/agora-vm/agora/svm"
	"github.com/agora-vm/agora/svm/bank"
)

// Wire limits (Agave's): a packet, and its base58 and base64 lengths.
const (
	maxTxBytes  = txn.PacketDataSize
	maxBase58Tx = 1683
	maxBase64Tx = 1644
)

const txTypeName = "solana_transaction::versioned::VersionedTransaction"

// decodeWire decodes an encoded transaction or message parameter.
func decodeWire(data, encoding, what string) ([]byte, *Error) {
	var raw []byte
	var err error
	switch encoding {
	case "", "base58":
		if len(data) > maxBase58Tx {
			return nil, errInvalidParams("base58 encoded %s too large: %d bytes (max: encoded/raw %d/%d)", what, len(data), maxBase58Tx, maxTxBytes)
		}
		raw, err = base58.Decode(data)
		if err != nil {
			return nil, errInvalidParams("invalid base58 encoding: %v", err)
		}
	case "base64":
		if len(data) > maxBase64Tx {
			return nil, errInvalidParams("base64 encoded %s too large: %d bytes (max: encoded/raw %d/%d)", what, len(data), maxBase64Tx, maxTxBytes)
		}
		raw, err = base64.StdEncoding.DecodeString(data)
		if err != nil {
			return nil, errInvalidParams("invalid base64 encoding: %v", err)
		}
	default:
		return nil, errInvalidParams("unsupported encoding: %s. Supported encodings: base58, base64", encoding)
	}
	if len(raw) > maxTxBytes {
		return nil, errInvalidParams("decoded %s too large: %d bytes (max: %d bytes)", what, len(raw), maxTxBytes)
	}
	return raw, nil
}

// DecodeTransaction decodes an encoded transaction parameter ("base58" or
// "base64") with Solana's errors.
func DecodeTransaction(data, encoding string) (*txn.Transaction, *Error) {
	raw, e := decodeWire(data, encoding, txTypeName)
	if e != nil {
		return nil, e
	}
	tx, err := txn.Decode(raw)
	if err != nil {
		return nil, errInvalidParams("failed to deserialize %s: %v", txTypeName, err)
	}
	return tx, nil
}

type sendConfig struct {
	SkipPreflight       bool    `json:"skipPreflight"`
	PreflightCommitment string  `json:"preflightCommitment"`
	Encoding            string  `json:"encoding"`
	MaxRetries          *uint64 `json:"maxRetries"`
	MinContextSlot      *uint64 `json:"minContextSlot"`
}

func (s *Server) sendTransaction(p params) (any, *Error) {
	var data string
	if _, e := p.get(0, &data, false); e != nil {
		return nil, e
	}
	var c sendConfig
	if _, e := p.get(1, &c, true); e != nil {
		return nil, e
	}
	cc := commitmentConfig{Commitment: c.PreflightCommitment, MinContextSlot: c.MinContextSlot}
	if e := cc.check(s.head().Height); e != nil {
		return nil, e
	}
	tx, e := DecodeTransaction(data, c.Encoding)
	if e != nil {
		s.metrics.rpcRejected.WithLabelValues("decode").Inc()
		return nil, e
	}
	if e := s.submit(tx, c.SkipPreflight); e != nil {
		return nil, e
	}
	return tx.ID().String(), nil
}

type simulateConfig struct {
	SigVerify              bool    `json:"sigVerify"`
	ReplaceRecentBlockhash bool    `json:"replaceRecentBlockhash"`
	Commitment             string  `json:"commitment"`
	Encoding               string  `json:"encoding"`
	MinContextSlot         *uint64 `json:"minContextSlot"`
	InnerInstructions      bool    `json:"innerInstructions"`
	Accounts               *struct {
		Addresses []string `json:"addresses"`
		Encoding  string   `json:"encoding"`
	} `json:"accounts"`
}

func (s *Server) simulateTransaction(p params) (any, *Error) {
	var data string
	if _, e := p.get(0, &data, false); e != nil {
		return nil, e
	}
	var c simulateConfig
	if _, e := p.get(1, &c, true); e != nil {
		return nil, e
	}
	head := s.head().Height
	cc := commitmentConfig{Commitment: c.Commitment, MinContextSlot: c.MinContextSlot}
	if e := cc.check(head); e != nil {
		return nil, e
	}
	if c.SigVerify && c.ReplaceRecentBlockhash {
		return nil, errInvalidParams("sigVerify may not be used with replaceRecentBlockhash")
	}
	var addrs []pubkey.Pubkey
	accEnc := encBase64
	if c.Accounts != nil {
		if c.Accounts.Encoding != "" {
			if e := checkEncoding(c.Accounts.Encoding); e != nil {
				return nil, e
			}
			accEnc = c.Accounts.Encoding
		}
		if accEnc == encBinary || accEnc == encBase58 {
			return nil, errInvalidParams("base58 encoding not supported")
		}
		for _, a := range c.Accounts.Addresses {
			k, e := decodePubkey(a)
			if e != nil {
				return nil, e
			}
			addrs = append(addrs, k)
		}
	}
	tx, e := DecodeTransaction(data, c.Encoding)
	if e != nil {
		return nil, e
	}
	var replacement any
	if c.ReplaceRecentBlockhash {
		b := s.be.Bank()
		h := b.Head()
		tx.Message.RecentBlockhash = h.Hash
		replacement = map[string]any{"blockhash": txn.Hash(h.Hash).String(), "lastValidBlockHeight": h.Height + bank.MaxRecentBlockhashes}
	}
	if err := tx.Sanitize(); err != nil {
		return nil, errInvalidParams("invalid transaction: %v", err)
	}
	sim, err := s.be.Bank().Simulate(tx, c.SigVerify)
	if err != nil {
		return nil, internal(err)
	}
	if c.SigVerify && sim.Err != nil && sim.Err.Kind == svm.SignatureFailure {
		return nil, &Error{Code: CodeSignatureVerificationFailure, Message: "Transaction signature verification failure"}
	}
	var innerKeys []pubkey.Pubkey
	if c.InnerInstructions {
		innerKeys = tx.Message.Resolve(sim.Loaded).Keys
	}
	v := simulationJSON(sim, addrs, innerKeys, func(k pubkey.Pubkey) (any, *Error) {
		a, err := sim.Post(k)
		if err != nil {
			return nil, internal(err)
		}
		if !a.Exists() {
			return nil, nil
		}
		return encodeAccount(k, &a, accEnc, nil, s.be.Store().Account)
	})
	v["replacementBlockhash"] = replacement
	return s.context(head, v), nil
}

// simulationJSON is Solana's RpcSimulateTransactionResult. With the
// transaction's keys (innerInstructions requested) it holds the inner
// instructions in the jsonParsed form, as Agave renders them.
func simulationJSON(sim *bank.Simulation, addrs []pubkey.Pubkey, innerKeys []pubkey.Pubkey, read func(pubkey.Pubkey) (any, *Error)) map[string]any {
	r := sim.Result
	var errJSON any
	if r.Err != nil {
		errJSON = txErrorJSON(r.Err.String())
	}
	v := map[string]any{"err": errJSON, "logs": nonNilStr(r.Logs), "accounts": nil, "unitsConsumed": r.CU,
		"returnData": nil, "innerInstructions": nil, "replacementBlockhash": nil, "fee": nil}
	if r.Charged {
		v["fee"] = r.Fee
	}
	if innerKeys != nil {
		v["innerInstructions"] = innerJSON(r.Inner, innerKeys, true)
	}
	if rd := returnDataJSON(r.ReturnProgram, r.ReturnData); rd != nil {
		v["returnData"] = rd
	}
	if read != nil && addrs != nil {
		accts := make([]any, len(addrs))
		for i, k := range addrs {
			a, e := read(k)
			if e != nil {
				return v
			}
			accts[i] = a
		}
		v["accounts"] = accts
	}
	return v
}

func (s *Server) getFeeForMessage(p params) (any, *Error) {
	var data string
	if _, e := p.get(0, &data, false); e != nil {
		return nil, e
	}
	head, e := s.commitmentParam(p, 1)
	if e != nil {
		return nil, e
	}
	raw, e := decodeWire(data, "base64", "solana_message::VersionedMessage")
	if e != nil {
		return nil, e
	}
	m, err := txn.DecodeMessage(raw)
	if err != nil {
		return nil, errInvalidParams("invalid message: %v", err)
	}
	if err := m.Sanitize(); err != nil {
		return nil, errInvalidParams("invalid transaction message: %v", err)
	}
	b := s.be.Bank()
	if !b.BlockhashValid(m.RecentBlockhash) {
		// A durable transaction's blockhash is its nonce: Agave prices
		// it when the nonce account holds that nonce.
		k, durable := svm.DurableNonceAccount(m)
		if !durable {
			return s.context(head, nil), nil
		}
		a, err := s.be.Store().Account(k)
		if err != nil {
			return nil, internal(err)
		}
		st, err := system.DecodeNonce(a.Data)
		if err != nil || a.Owner != pubkey.SystemProgram() || !st.Initialized || st.Nonce != m.RecentBlockhash {
			return s.context(head, nil), nil
		}
	}
	ex := b.Executor()
	limits, err := ex.ComputeBudget(m)
	if err != nil {
		return s.context(head, nil), nil
	}
	return s.context(head, ex.Fee(m, limits.PrioritizationFee())), nil
}

// airdropTx is a transfer from the faucet. n makes repeated identical
// requests distinct transactions: it sets the transfer's compute-unit
// limit (a transfer uses 150 CU of any limit it is given).
func airdropTx(faucet ed25519.PrivateKey, to pubkey.Pubkey, lamports uint64, blockhash txn.Hash, n uint64) (*txn.Transaction, error) {
	from := txn.PubkeyOf(faucet)
	if to == from {
		return nil, errors.New("the faucet cannot airdrop to itself")
	}
	limit := uint32(1_000 + n%1_000_000)
	m, err := txn.Compile(from, []txn.Instruction{computebudget.SetComputeUnitLimit(limit), system.Transfer(from, to, lamports)}, blockhash)
	if err != nil {
		return nil, fmt.Errorf("building the transfer: %w", err)
	}
	return txn.Sign(m, faucet)
}
