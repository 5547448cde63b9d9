package sched

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/agora-vm/agora/abi"
	"github.com/agora-vm/agora/solana/txn"
)

// MaxBlockFileBytes bounds a block file: MaxBlockTransactions base64
// transactions of the largest size, with room for the JSON around them.
const MaxBlockFileBytes = MaxBlockTransactions*(txn.PacketDataSize*4/3+8) + 1024

// BlockFileError is a block file that cannot be a block: not the JSON
// expected, too large, a transaction that does not decode, or a
// transaction given twice. Tx is the transaction's index, or -1 when the
// problem is the file itself.
type BlockFileError struct {
	Tx     int
	Reason string
	Err    error
}

func (e *BlockFileError) Error() string {
	s := "block file: "
	if e.Tx >= 0 {
		s += fmt.Sprintf("transaction %d: ", e.Tx)
	}
	s += e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *BlockFileError) Unwrap() error { return e.Err }

// blockFile is the JSON of a block file.
type blockFile struct {
	Transactions []string `json:"transactions"`
}

// DecodeBlockFile reads a block file: a JSON object
// {"transactions":["<base64 wire transaction>", …]} listing a block's
// transactions in order. It rejects, with a *BlockFileError naming the
// transaction, anything that is not exactly that: unknown fields,
// trailing data, more than MaxBlockTransactions transactions or
// MaxBlockFileBytes bytes, a transaction that is not base64 or does not
// decode (txn.Decode: truncated, oversized, trailing bytes), and a
// transaction whose signature an earlier one of the file already has.
func DecodeBlockFile(data []byte) ([]*txn.Transaction, error) {
	if len(data) > MaxBlockFileBytes {
		return nil, &BlockFileError{Tx: -1, Reason: fmt.Sprintf("%d bytes, at most %d", len(data), MaxBlockFileBytes)}
	}
	if err := abi.CheckDuplicateFields(data, true); err != nil {
		return nil, &BlockFileError{Tx: -1, Reason: "a field named twice", Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f blockFile
	if err := dec.Decode(&f); err != nil {
		return nil, &BlockFileError{Tx: -1, Reason: "not a block file ({\"transactions\":[base64, …]})", Err: err}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &BlockFileError{Tx: -1, Reason: "data after the block"}
	}
	if f.Transactions == nil {
		return nil, &BlockFileError{Tx: -1, Reason: "no \"transactions\" list"}
	}
	if len(f.Transactions) > MaxBlockTransactions {
		return nil, &BlockFileError{Tx: -1, Reason: fmt.Sprintf("%d transactions, at most %d", len(f.Transactions), MaxBlockTransactions), Err: ErrBlockTooLarge}
	}
	txs := make([]*txn.Transaction, len(f.Transactions))
	first := make(map[txn.Signature]int, len(txs))
	for i, s := range f.Transactions {
		if len(s) > base64.StdEncoding.EncodedLen(txn.PacketDataSize) {
			return nil, &BlockFileError{Tx: i, Reason: fmt.Sprintf("%d base64 characters: larger than a packet (%d bytes)", len(s), txn.PacketDataSize)}
		}
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, &BlockFileError{Tx: i, Reason: "not base64", Err: err}
		}
		tx, err := txn.Decode(raw)
		if err != nil {
			return nil, &BlockFileError{Tx: i, Reason: "not a transaction", Err: err}
		}
		if len(tx.Signatures) == 0 {
			return nil, &BlockFileError{Tx: i, Reason: "no signature"}
		}
		if j, dup := first[tx.ID()]; dup {
			return nil, &BlockFileError{Tx: i, Reason: fmt.Sprintf("duplicates transaction %d", j)}
		}
		first[tx.ID()] = i
		txs[i] = tx
	}
	return txs, nil
}

// EncodeBlockFile writes txs as a block file.
func EncodeBlockFile(txs []*txn.Transaction) []byte {
	f := blockFile{Transactions: make([]string, len(txs))}
	for i, tx := range txs {
		f.Transactions[i] = base64.StdEncoding.EncodeToString(tx.Encode())
	}
	b, _ := json.Marshal(f) // strings only: cannot fail
	return append(b, '\n')
}
