package txn

import (
	"fmt"

	"github.com/agora-vm/agora/solana/pubkey"
)

// Limits of the wire format.
const (
	// PacketDataSize is the largest serialized transaction
	// (PACKET_DATA_SIZE: 1280 - 40 - 8).
	PacketDataSize = 1232
	// SignatureSize is the length of an ed25519 signature.
	SignatureSize = 64
	// HashSize is the length of a blockhash.
	HashSize = 32
	// MessageVersionPrefix marks a versioned message: a first message
	// byte with this bit set is a version, not a header.
	MessageVersionPrefix = 0x80
)

// Signature is an ed25519 signature; a transaction's first signature is
// its id.
type Signature [SignatureSize]byte

// String returns the base58 text.
func (s Signature) String() string { return encodeBase58(s[:]) }

// Hash is a blockhash.
type Hash [HashSize]byte

// String returns the base58 text.
func (h Hash) String() string { return encodeBase58(h[:]) }

// Header is the message header: how many of the first keys sign, and how
// many signing and non-signing keys are read-only.
type Header struct {
	NumRequiredSignatures       uint8
	NumReadonlySignedAccounts   uint8
	NumReadonlyUnsignedAccounts uint8
}

// CompiledInstruction is an instruction whose program and accounts are
// indexes into the message's keys.
type CompiledInstruction struct {
	ProgramIDIndex uint8
	Accounts       []uint8
	Data           []byte
}

// Version is a message's format.
type Version uint8

// Message versions.
const (
	// Legacy is the original format: no version prefix, no lookups.
	Legacy Version = iota
	// V0 is the first versioned format (prefix 0x80): the static keys
	// are followed by address table lookups.
	V0
)

func (v Version) String() string {
	switch v {
	case Legacy:
		return "legacy"
	case V0:
		return "0"
	}
	return fmt.Sprintf("Version(%d)", uint8(v))
}

// AddressTableLookup names an address lookup table and the entries of it
// a v0 message loads: Agave's MessageAddressTableLookup.
type AddressTableLookup struct {
	AccountKey      pubkey.Pubkey
	WritableIndexes []uint8
	ReadonlyIndexes []uint8
}

// Message is a legacy or v0 message. For Legacy, AddressTableLookups is
// empty; AccountKeys are the static keys, which alone the header
// describes.
type Message struct {
	Version         Version
	Header          Header
	AccountKeys     []pubkey.Pubkey
	RecentBlockhash Hash
	Instructions    []CompiledInstruction
	// AddressTableLookups (V0 only) load more accounts: the writable
	// entries of every lookup in order, then the read-only ones, follow
	// the static keys.
	AddressTableLookups []AddressTableLookup
}

// Transaction is a message and its signatures.
type Transaction struct {
	Signatures []Signature
	Message    Message
}

// DecodeErrorKind says what is wrong with the bytes.
type DecodeErrorKind uint8

// Decode error kinds.
const (
	// ErrTooLarge: more than PacketDataSize bytes.
	ErrTooLarge DecodeErrorKind = iota + 1
	// ErrTruncated: the bytes end inside a field.
	ErrTruncated
	// ErrBadCompactU16: a length is not a canonical compact-u16.
	ErrBadCompactU16
	// ErrTrailingBytes: bytes follow the transaction.
	ErrTrailingBytes
	// ErrUnsupportedVersion: a versioned message of a version other
	// than 0.
	ErrUnsupportedVersion
)

func (k DecodeErrorKind) String() string {
	switch k {
	case ErrTooLarge:
		return "TooLarge"
	case ErrTruncated:
		return "Truncated"
	case ErrBadCompactU16:
		return "BadCompactU16"
	case ErrTrailingBytes:
		return "TrailingBytes"
	case ErrUnsupportedVersion:
		return "UnsupportedVersion"
	}
	return fmt.Sprintf("DecodeErrorKind(%d)", uint8(k))
}

// DecodeError is a transaction that could not be decoded.
type DecodeError struct {
	Kind   DecodeErrorKind
	Offset int    // where the problem was found
	Field  string // what was being read
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("txn: %s at byte %d (%s)", e.Kind, e.Offset, e.Field)
}

// Is matches a *DecodeError of the same kind.
func (e *DecodeError) Is(target error) bool {
	t, ok := target.(*DecodeError)
	return ok && t.Kind == e.Kind
}

// KindName returns the kind's name.
func (e *DecodeError) KindName() string { return e.Kind.String() }

type reader struct {
	b   []byte
	off int
}

func (r *reader) fail(k DecodeErrorKind, field string) error {
	return &DecodeError{Kind: k, Offset: r.off, Field: field}
}

func (r *reader) bytes(n int, field string) ([]byte, error) {
	if n < 0 || len(r.b)-r.off < n {
		return nil, r.fail(ErrTruncated, field)
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s, nil
}

func (r *reader) u8(field string) (uint8, error) {
	b, err := r.bytes(1, field)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// compactU16 reads short_vec's length: 7 bits per byte, at most 3 bytes,
// canonical (no redundant zero byte), at most 0xffff.
func (r *reader) compactU16(field string) (int, error) {
	var v uint32
	for i := 0; i < 3; i++ {
		if r.off >= len(r.b) {
			return 0, r.fail(ErrTruncated, field)
		}
		c := r.b[r.off]
		r.off++
		if i == 2 && c > 0x03 {
			return 0, r.fail(ErrBadCompactU16, field)
		}
		if i > 0 && c == 0 {
			return 0, r.fail(ErrBadCompactU16, field) // alias of a shorter encoding
		}
		v |= uint32(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			return int(v), nil
		}
	}
	return 0, r.fail(ErrBadCompactU16, field)
}

// AppendCompactU16 appends n (at most 0xffff) as a compact-u16.
func AppendCompactU16(b []byte, n int) []byte {
	v := uint16(n)
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// Decode parses a serialized transaction. The result does not alias b.
func Decode(b []byte) (*Transaction, error) {
	if len(b) > PacketDataSize {
		return nil, &DecodeError{Kind: ErrTooLarge, Offset: PacketDataSize, Field: fmt.Sprintf("%d bytes", len(b))}
	}
	r := &reader{b: b}
	n, err := r.compactU16("signature count")
	if err != nil {
		return nil, err
	}
	raw, err := r.bytes(n*SignatureSize, "signatures")
	if err != nil {
		return nil, err
	}
	tx := &Transaction{Signatures: make([]Signature, n)}
	for i := range tx.Signatures {
		copy(tx.Signatures[i][:], raw[i*SignatureSize:])
	}
	if err := r.message(&tx.Message); err != nil {
		return nil, err
	}
	if r.off != len(b) {
		return nil, r.fail(ErrTrailingBytes, "after the message")
	}
	return tx, nil
}

// DecodeMessage parses a serialized legacy or v0 message.
func DecodeMessage(b []byte) (*Message, error) {
	r := &reader{b: b}
	m := &Message{}
	if err := r.message(m); err != nil {
		return nil, err
	}
	if r.off != len(b) {
		return nil, r.fail(ErrTrailingBytes, "after the message")
	}
	return m, nil
}

func (r *reader) message(m *Message) error {
	if r.off < len(r.b) && r.b[r.off]&MessageVersionPrefix != 0 {
		if v := r.b[r.off] &^ MessageVersionPrefix; v != 0 {
			return r.fail(ErrUnsupportedVersion, fmt.Sprintf("message version %d", v))
		}
		r.off++
		m.Version = V0
	}
	h, err := r.bytes(3, "header")
	if err != nil {
		return err
	}
	m.Header = Header{h[0], h[1], h[2]}
	n, err := r.compactU16("account key count")
	if err != nil {
		return err
	}
	keys, err := r.bytes(n*pubkey.Size, "account keys")
	if err != nil {
		return err
	}
	m.AccountKeys = make([]pubkey.Pubkey, n)
	for i := range m.AccountKeys {
		copy(m.AccountKeys[i][:], keys[i*pubkey.Size:])
	}
	bh, err := r.bytes(HashSize, "recent blockhash")
	if err != nil {
		return err
	}
	copy(m.RecentBlockhash[:], bh)
	n, err = r.compactU16("instruction count")
	if err != nil {
		return err
	}
	// Every instruction takes at least three bytes; this bounds the
	// allocation by the input size.
	if n > (len(r.b)-r.off)/3 {
		return r.fail(ErrTruncated, "instructions")
	}
	m.Instructions = make([]CompiledInstruction, n)
	for i := range m.Instructions {
		ci := &m.Instructions[i]
		if ci.ProgramIDIndex, err = r.u8("program id index"); err != nil {
			return err
		}
		k, err := r.compactU16("instruction account count")
		if err != nil {
			return err
		}
		acc, err := r.bytes(k, "instruction accounts")
		if err != nil {
			return err
		}
		ci.Accounts = append([]uint8{}, acc...)
		k, err = r.compactU16("instruction data length")
		if err != nil {
			return err
		}
		data, err := r.bytes(k, "instruction data")
		if err != nil {
			return err
		}
		ci.Data = append([]byte{}, data...)
	}
	if m.Version == Legacy {
		return nil
	}
	n, err = r.compactU16("address table lookup count")
	if err != nil {
		return err
	}
	// Every lookup takes at least 34 bytes.
	if n > (len(r.b)-r.off)/34 {
		return r.fail(ErrTruncated, "address table lookups")
	}
	m.AddressTableLookups = make([]AddressTableLookup, n)
	for i := range m.AddressTableLookups {
		l := &m.AddressTableLookups[i]
		k, err := r.bytes(pubkey.Size, "lookup table address")
		if err != nil {
			return err
		}
		copy(l.AccountKey[:], k)
		for _, idx := range []*[]uint8{&l.WritableIndexes, &l.ReadonlyIndexes} {
			field := "writable indexes"
			if idx == &l.ReadonlyIndexes {
				field = "readonly indexes"
			}
			c, err := r.compactU16(field + " count")
			if err != nil {
				return err
			}
			b, err := r.bytes(c, field)
			if err != nil {
				return err
			}
			*idx = append([]uint8{}, b...)
		}
	}
	return nil
}

// Encode serializes the message: the bytes that are signed. A V0
// message starts with its version prefix.
func (m *Message) Encode() []byte { return m.appendTo(make([]byte, 0, m.EncodedSize())) }

// compactU16Len is the length AppendCompactU16 writes for n.
func compactU16Len(n int) int {
	switch v := uint16(n); {
	case v < 1<<7:
		return 1
	case v < 1<<14:
		return 2
	default:
		return 3
	}
}

// EncodedSize returns len(m.Encode()), without encoding.
func (m *Message) EncodedSize() int {
	n := 3 + compactU16Len(len(m.AccountKeys)) + 32*len(m.AccountKeys) + 32 + compactU16Len(len(m.Instructions))
	if m.Version == V0 {
		n++
	}
	for _, ci := range m.Instructions {
		n += 1 + compactU16Len(len(ci.Accounts)) + len(ci.Accounts) + compactU16Len(len(ci.Data)) + len(ci.Data)
	}
	if m.Version == Legacy {
		return n
	}
	n += compactU16Len(len(m.AddressTableLookups))
	for _, l := range m.AddressTableLookups {
		n += 32 + compactU16Len(len(l.WritableIndexes)) + len(l.WritableIndexes) + compactU16Len(len(l.ReadonlyIndexes)) + len(l.ReadonlyIndexes)
	}
	return n
}

func (m *Message) appendTo(b []byte) []byte {
	if m.Version == V0 {
		b = append(b, MessageVersionPrefix)
	}
	b = append(b, m.Header.NumRequiredSignatures, m.Header.NumReadonlySignedAccounts, m.Header.NumReadonlyUnsignedAccounts)
	b = AppendCompactU16(b, len(m.AccountKeys))
	for _, k := range m.AccountKeys {
		b = append(b, k[:]...)
	}
	b = append(b, m.RecentBlockhash[:]...)
	b = AppendCompactU16(b, len(m.Instructions))
	for _, ci := range m.Instructions {
		b = append(b, ci.ProgramIDIndex)
		b = AppendCompactU16(b, len(ci.Accounts))
		b = append(b, ci.Accounts...)
		b = AppendCompactU16(b, len(ci.Data))
		b = append(b, ci.Data...)
	}
	if m.Version == Legacy {
		return b
	}
	b = AppendCompactU16(b, len(m.AddressTableLookups))
	for _, l := range m.AddressTableLookups {
		b = append(b, l.AccountKey[:]...)
		b = AppendCompactU16(b, len(l.WritableIndexes))
		b = append(b, l.WritableIndexes...)
		b = AppendCompactU16(b, len(l.ReadonlyIndexes))
		b = append(b, l.ReadonlyIndexes...)
	}
	return b
}

// Encode serializes the transaction.
func (tx *Transaction) Encode() []byte {
	b := make([]byte, 0, tx.EncodedSize())
	b = AppendCompactU16(b, len(tx.Signatures))
	for _, s := range tx.Signatures {
		b = append(b, s[:]...)
	}
	return tx.Message.appendTo(b)
}

// EncodedSize returns len(tx.Encode()), without encoding.
func (tx *Transaction) EncodedSize() int {
	return compactU16Len(len(tx.Signatures)) + SignatureSize*len(tx.Signatures) + tx.Message.EncodedSize()
}

// ID returns the first signature, which identifies the transaction, or
// the zero signature if there is none.
func (tx *Transaction) ID() Signature {
	if len(tx.Signatures) == 0 {
		return Signature{}
	}
	return tx.Signatures[0]
}
