package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

// TxRecord is a committed transaction's outcome as the store keeps it:
// what getTransaction and getSignaturesForAddress answer from after a
// restart. It is plain data; the runtime that produced it fills it in.
type TxRecord struct {
	Signature [64]byte
	// Slot and Index place the transaction: its block's height and its
	// position among the block's transactions. Commit sets both.
	Slot  uint64
	Index uint32
	// Err is the error's stable name (Agave's Debug text, such as
	// "InstructionError(0, Custom(1))"), empty when the transaction
	// succeeded; ErrMessage is its text for people.
	Err        string
	ErrMessage string
	Logs       []string
	CU         uint64
	Fee        uint64
	// Accounts are the message's account keys in order; PreBalances and
	// PostBalances are their lamports before and after the transaction.
	Accounts     []pubkey.Pubkey
	PreBalances  []uint64
	PostBalances []uint64
	// ReturnProgram and ReturnData are the transaction's return data.
	ReturnProgram pubkey.Pubkey
	ReturnData    []byte
	// Transaction is the transaction's wire encoding.
	Transaction []byte
	// Inner are the inner instructions, a list per top-level instruction
	// that ran (see svm.Result.Inner); nil when not recorded (a record
	// written before they were, or a transaction that never ran).
	Inner [][]InnerInstruction
	// PreTokenBalances and PostTokenBalances are the SPL Token accounts
	// among Accounts before and after the transaction; nil when not
	// recorded (a record written before they were).
	PreTokenBalances  []TokenBalance
	PostTokenBalances []TokenBalance
}

// InnerInstruction is an instruction a top-level instruction invoked;
// indexes are into Accounts.
type InnerInstruction struct {
	ProgramIDIndex uint8
	Accounts       []uint8
	Data           []byte
	StackHeight    uint8
}

// TokenBalance is an SPL Token account's balance: the account's index
// in Accounts, its mint, owner and program, the amount and the mint's
// decimals.
type TokenBalance struct {
	AccountIndex uint8
	Mint         pubkey.Pubkey
	Owner        pubkey.Pubkey
	ProgramID    pubkey.Pubkey
	Amount       uint64
	Decimals     uint8
}

// OK reports whether the transaction succeeded.
func (r *TxRecord) OK() bool { return r.Err == "" }

// TxRef places a transaction: what an address's history lists.
type TxRef struct {
	Signature [64]byte
	Slot      uint64
	Index     uint32
}

// ErrNotFound is returned for a transaction the store does not hold.
var ErrNotFound = errors.New("store: not found")

// Key layout of the history (see store.go for the rest).
const (
	nsTx      = 't' // + signature -> TxRecord
	nsAddress = 'x' // + address + slot (BE) + index (BE) -> signature
)

func txKey(sig [64]byte) []byte { return append([]byte{nsTx}, sig[:]...) }

func addressKey(a pubkey.Pubkey, slot uint64, index uint32) []byte {
	return appendAddressKey(make([]byte, 0, 1+pubkey.Size+8+4), a, slot, index)
}

func appendAddressKey(k []byte, a pubkey.Pubkey, slot uint64, index uint32) []byte {
	k = append(append(k, nsAddress), a[:]...)
	k = binary.BigEndian.AppendUint64(k, slot)
	return binary.BigEndian.AppendUint32(k, index)
}

// Record versions: 1 ends with the transaction; 2 adds a byte of flags
// saying which of the inner instructions (flagInner) and the token
// balances (flagTokens) follow. A record with neither is written as
// version 1, so every record has one encoding.
const (
	txRecordV1 = 1
	txRecordV2 = 2

	flagInner  = 1
	flagTokens = 2
)

// Limits that keep a decoder of damaged bytes bounded; a transaction has
// at most 256 accounts and its logs at most Agave's 10 KB (plus the
// truncation notice), so real records are far below them.
const (
	maxRecordAccounts = 256
	maxRecordLogs     = 1 << 14
	maxRecordBytes    = 1 << 24
	// maxRecordInner bounds the inner instruction lists and each list;
	// Agave's trace holds at most 64 instructions in all.
	maxRecordInner = 256
)

func appendBytes(b, v []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

// encode returns the record's stored form: a version byte, then the
// fields in order, lengths as uvarints, integers little endian.
func (r *TxRecord) encode() []byte {
	var flags byte
	if r.Inner != nil {
		flags |= flagInner
	}
	if r.PreTokenBalances != nil || r.PostTokenBalances != nil {
		flags |= flagTokens
	}
	version := byte(txRecordV1)
	if flags != 0 {
		version = txRecordV2
	}
	b := append(make([]byte, 0, r.sizeBound()), version)
	b = append(b, r.Signature[:]...)
	b = binary.LittleEndian.AppendUint64(b, r.Slot)
	b = binary.LittleEndian.AppendUint32(b, r.Index)
	b = appendBytes(b, []byte(r.Err))
	b = appendBytes(b, []byte(r.ErrMessage))
	b = binary.AppendUvarint(b, uint64(len(r.Logs)))
	for _, l := range r.Logs {
		b = appendBytes(b, []byte(l))
	}
	b = binary.LittleEndian.AppendUint64(b, r.CU)
	b = binary.LittleEndian.AppendUint64(b, r.Fee)
	b = binary.AppendUvarint(b, uint64(len(r.Accounts)))
	for i, a := range r.Accounts {
		b = append(b, a[:]...)
		b = binary.LittleEndian.AppendUint64(b, r.PreBalances[i])
		b = binary.LittleEndian.AppendUint64(b, r.PostBalances[i])
	}
	b = append(b, r.ReturnProgram[:]...)
	b = appendBytes(b, r.ReturnData)
	b = appendBytes(b, r.Transaction)
	if flags == 0 {
		return b
	}
	b = append(b, flags)
	if flags&flagInner != 0 {
		b = binary.AppendUvarint(b, uint64(len(r.Inner)))
		for _, list := range r.Inner {
			b = binary.AppendUvarint(b, uint64(len(list)))
			for _, ix := range list {
				b = append(b, ix.ProgramIDIndex, ix.StackHeight)
				b = appendBytes(b, ix.Accounts)
				b = appendBytes(b, ix.Data)
			}
		}
	}
	if flags&flagTokens != 0 {
		b = appendTokenBalances(b, r.PreTokenBalances)
		b = appendTokenBalances(b, r.PostTokenBalances)
	}
	return b
}

// sizeBound is at least len(r.encode()), so encode allocates once.
func (r *TxRecord) sizeBound() int {
	const v = binary.MaxVarintLen64
	n := 1 + 64 + 8 + 4 + 3*v + len(r.Err) + len(r.ErrMessage) + 16 + v + 32 + 2*v + len(r.ReturnData) + len(r.Transaction) + 1
	for _, l := range r.Logs {
		n += v + len(l)
	}
	n += len(r.Accounts) * (32 + 16)
	n += v
	for _, list := range r.Inner {
		n += v
		for _, ix := range list {
			n += 2 + 2*v + len(ix.Accounts) + len(ix.Data)
		}
	}
	n += 2*v + (len(r.PreTokenBalances)+len(r.PostTokenBalances))*(1+3*32+8+1)
	return n
}

func appendTokenBalances(b []byte, ts []TokenBalance) []byte {
	b = binary.AppendUvarint(b, uint64(len(ts)))
	for _, t := range ts {
		b = append(b, t.AccountIndex)
		b = append(b, t.Mint[:]...)
		b = append(b, t.Owner[:]...)
		b = append(b, t.ProgramID[:]...)
		b = binary.LittleEndian.AppendUint64(b, t.Amount)
		b = append(b, t.Decimals)
	}
	return b
}

// RecordError reports stored transaction bytes that do not decode: the
// field and its byte offset. It wraps ErrCorrupt.
type RecordError struct {
	Field  string
	Offset int
	Reason string
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("store: corrupt transaction record: %s at byte %d: %s", e.Field, e.Offset, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *RecordError) Unwrap() error { return ErrCorrupt }

type recReader struct {
	b   []byte
	off int
	err error
}

func (r *recReader) fail(field, reason string) {
	if r.err == nil {
		r.err = &RecordError{Field: field, Offset: r.off, Reason: reason}
	}
}

func (r *recReader) take(n int, field string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.fail(field, fmt.Sprintf("needs %d bytes, %d left", n, len(r.b)-r.off))
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *recReader) u64(field string) uint64 {
	if v := r.take(8, field); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

func (r *recReader) count(field string, max int) int {
	if r.err != nil {
		return 0
	}
	n, k := binary.Uvarint(r.b[r.off:])
	if k <= 0 {
		r.fail(field, "bad length")
		return 0
	}
	if n > uint64(max) {
		r.fail(field, fmt.Sprintf("length %d over %d", n, max))
		return 0
	}
	r.off += k
	return int(n)
}

func (r *recReader) bytes(field string) []byte {
	n := r.count(field, maxRecordBytes)
	return append([]byte(nil), r.take(n, field)...)
}

func (r *recReader) str(field string) string {
	v := r.bytes(field)
	if r.err == nil && !utf8.Valid(v) {
		r.fail(field, "not UTF-8")
	}
	return string(v)
}

// decodeTxRecord parses bytes made by encode.
func decodeTxRecord(b []byte) (TxRecord, error) {
	r := &recReader{b: b}
	var t TxRecord
	var version byte
	if v := r.take(1, "version"); v != nil {
		version = v[0]
		if version != txRecordV1 && version != txRecordV2 {
			r.off--
			r.fail("version", fmt.Sprintf("version %d, want %d or %d", version, txRecordV1, txRecordV2))
		}
	}
	copy(t.Signature[:], r.take(64, "signature"))
	t.Slot = r.u64("slot")
	if v := r.take(4, "index"); v != nil {
		t.Index = binary.LittleEndian.Uint32(v)
	}
	t.Err = r.str("error")
	t.ErrMessage = r.str("error message")
	if n := r.count("logs", maxRecordLogs); n > 0 {
		t.Logs = make([]string, 0, min(n, len(b)))
		for i := 0; i < n && r.err == nil; i++ {
			t.Logs = append(t.Logs, r.str("log"))
		}
	}
	t.CU = r.u64("compute units")
	t.Fee = r.u64("fee")
	if n := r.count("accounts", maxRecordAccounts); n > 0 {
		t.Accounts = make([]pubkey.Pubkey, n)
		t.PreBalances = make([]uint64, n)
		t.PostBalances = make([]uint64, n)
		for i := 0; i < n && r.err == nil; i++ {
			copy(t.Accounts[i][:], r.take(pubkey.Size, "account"))
			t.PreBalances[i] = r.u64("pre balance")
			t.PostBalances[i] = r.u64("post balance")
		}
	}
	copy(t.ReturnProgram[:], r.take(pubkey.Size, "return program"))
	t.ReturnData = r.bytes("return data")
	t.Transaction = r.bytes("transaction")
	if version == txRecordV2 {
		r.decodeV2(&t)
	}
	if r.err == nil && r.off != len(b) {
		r.fail("end", fmt.Sprintf("%d trailing bytes", len(b)-r.off))
	}
	if r.err != nil {
		return TxRecord{}, r.err
	}
	return t, nil
}

// decodeV2 reads what version 2 adds: the flags, then the inner
// instructions and the token balances they announce.
func (r *recReader) decodeV2(t *TxRecord) {
	v := r.take(1, "flags")
	if v == nil {
		return
	}
	flags := v[0]
	if flags == 0 || flags&^(flagInner|flagTokens) != 0 {
		r.off--
		r.fail("flags", fmt.Sprintf("flags %#x", flags))
		return
	}
	if flags&flagInner != 0 {
		n := r.count("inner instructions", maxRecordInner)
		t.Inner = make([][]InnerInstruction, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			k := r.count("inner instruction list", maxRecordInner)
			list := make([]InnerInstruction, 0, k)
			for j := 0; j < k && r.err == nil; j++ {
				var ix InnerInstruction
				if h := r.take(2, "inner instruction"); h != nil {
					ix.ProgramIDIndex, ix.StackHeight = h[0], h[1]
				}
				ix.Accounts = append([]byte(nil), r.take(r.count("inner instruction accounts", maxRecordAccounts), "inner instruction accounts")...)
				ix.Data = r.bytes("inner instruction data")
				list = append(list, ix)
			}
			t.Inner = append(t.Inner, list)
		}
	}
	if flags&flagTokens != 0 {
		t.PreTokenBalances = r.tokenBalances("pre token balances")
		t.PostTokenBalances = r.tokenBalances("post token balances")
	}
}

// tokenBalanceSize is a token balance's stored size.
const tokenBalanceSize = 1 + 3*pubkey.Size + 8 + 1

func (r *recReader) tokenBalances(field string) []TokenBalance {
	n := r.count(field, maxRecordAccounts)
	out := make([]TokenBalance, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		v := r.take(tokenBalanceSize, field)
		if v == nil {
			break
		}
		t := TokenBalance{AccountIndex: v[0], Mint: pubkey.Pubkey(v[1:33]), Owner: pubkey.Pubkey(v[33:65]), ProgramID: pubkey.Pubkey(v[65:97]),
			Amount: binary.LittleEndian.Uint64(v[97:105]), Decimals: v[105]}
		out = append(out, t)
	}
	return out
}

// checkHistory checks that b's records are its signatures' and numbers
// them (slot and index).
func checkHistory(b *Block) error {
	if len(b.Txs) == 0 {
		return nil
	}
	if len(b.Txs) != len(b.Signatures) {
		return fmt.Errorf("store: block %d has %d signatures but %d transaction records", b.Height, len(b.Signatures), len(b.Txs))
	}
	for i := range b.Txs {
		t := &b.Txs[i]
		if t.Signature != b.Signatures[i] {
			return fmt.Errorf("store: block %d: transaction record %d is not the block's transaction %d", b.Height, i, i)
		}
		if len(t.PreBalances) != len(t.Accounts) || len(t.PostBalances) != len(t.Accounts) || len(t.Accounts) > maxRecordAccounts {
			return fmt.Errorf("store: block %d: transaction record %d has %d accounts, %d pre and %d post balances", b.Height, i, len(t.Accounts), len(t.PreBalances), len(t.PostBalances))
		}
		t.Slot, t.Index = b.Height, uint32(i)
	}
	return nil
}

// historyWrites returns the keys and values that record one checked
// transaction: the record by signature, and an entry per account key
// for the address index.
func historyWrites(t *TxRecord) (keys, values [][]byte) {
	sig := append([]byte(nil), t.Signature[:]...) // the record's array stays the caller's
	keys = append(make([][]byte, 0, 1+len(t.Accounts)), txKey(t.Signature))
	values = append(make([][]byte, 0, 1+len(t.Accounts)), t.encode())
	// The address keys share one allocation; each is a full slice of it.
	const klen = 1 + pubkey.Size + 8 + 4
	buf := make([]byte, 0, klen*len(t.Accounts))
	var seen map[pubkey.Pubkey]bool // a linear search is quicker for few keys
	if len(t.Accounts) > 16 {
		seen = make(map[pubkey.Pubkey]bool, len(t.Accounts))
	}
	for i, a := range t.Accounts {
		if seen != nil {
			if seen[a] {
				continue
			}
			seen[a] = true
		} else if slices.Contains(t.Accounts[:i], a) {
			continue
		}
		k := appendAddressKey(buf, a, t.Slot, t.Index)
		buf = k[len(k):]
		keys = append(keys, k[len(k)-klen:len(k):len(k)])
		values = append(values, sig)
	}
	return keys, values
}

// Transaction returns the committed transaction with the signature, or
// an error wrapping ErrNotFound.
func (s *Store) Transaction(sig [64]byte) (TxRecord, error) {
	if err := s.settle(); err != nil {
		return TxRecord{}, err
	}
	b, ok, err := s.db.get(txKey(sig))
	if err != nil {
		return TxRecord{}, err
	}
	if !ok {
		return TxRecord{}, fmt.Errorf("%w: no transaction %s", ErrNotFound, txn.Signature(sig))
	}
	return decodeTxRecord(b)
}

// SignaturesForAddress lists, newest first, up to limit committed
// transactions whose account keys include addr; with before set, only
// those committed before that transaction.
func (s *Store) SignaturesForAddress(addr pubkey.Pubkey, before *[64]byte, limit int) ([]TxRef, error) {
	if limit <= 0 {
		return nil, nil
	}
	prefix := append([]byte{nsAddress}, addr[:]...)
	upper := prefixEnd(prefix)
	if before != nil {
		t, err := s.Transaction(*before)
		if err != nil {
			return nil, err
		}
		upper = addressKey(addr, t.Slot, t.Index)
	}
	if err := s.settle(); err != nil {
		return nil, err
	}
	var out []TxRef
	err := s.db.scanReverse(prefix, upper, func(k, v []byte) (bool, error) {
		if len(k) != 1+pubkey.Size+12 || len(v) != 64 {
			return false, fmt.Errorf("%w: address index entry of %d+%d bytes", ErrCorrupt, len(k), len(v))
		}
		r := TxRef{Slot: binary.BigEndian.Uint64(k[1+pubkey.Size:]), Index: binary.BigEndian.Uint32(k[1+pubkey.Size+8:])}
		copy(r.Signature[:], v)
		out = append(out, r)
		return len(out) < limit, nil
	})
	return out, err
}

// RecentTransactions returns up to limit committed transactions, newest
// first, walking back from the head block.
func (s *Store) RecentTransactions(limit int) ([]TxRecord, error) {
	head, ok := s.Head()
	if !ok || limit <= 0 {
		return nil, nil
	}
	var out []TxRecord
	for h := int64(head.Height); h >= 0 && len(out) < limit; h-- {
		r, err := s.Block(uint64(h))
		if err != nil {
			return nil, err
		}
		for i := len(r.Signatures) - 1; i >= 0 && len(out) < limit; i-- {
			t, err := s.Transaction(r.Signatures[i])
			if errors.Is(err, ErrNotFound) {
				continue // a block committed without records
			}
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// prefixEnd returns the least key above every key with prefix (prefix
// never consists of 0xff bytes only here: it starts with a namespace).
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
