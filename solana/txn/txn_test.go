package txn

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/agora-vm/agora/solana/pubkey"
)

func TestCompactU16(t *testing.T) {
	cases := []struct {
		n   int
		enc []byte
	}{
		{0, []byte{0}}, {0x7f, []byte{0x7f}}, {0x80, []byte{0x80, 0x01}}, {0xff, []byte{0xff, 0x01}},
		{0x100, []byte{0x80, 0x02}}, {0x7fff, []byte{0xff, 0xff, 0x01}}, {0xffff, []byte{0xff, 0xff, 0x03}},
	}
	for _, c := range cases {
		if got := AppendCompactU16(nil, c.n); !bytes.Equal(got, c.enc) {
			t.Errorf("encode %d = %x", c.n, got)
		}
		r := &reader{b: c.enc}
		if got, err := r.compactU16("x"); err != nil || got != c.n || r.off != len(c.enc) {
			t.Errorf("decode %x = %d, %v", c.enc, got, err)
		}
	}
	for _, bad := range [][]byte{{0x80, 0x00}, {0xff, 0xff, 0x04}, {0x80, 0x80, 0x00}, {0x80}, {0xff, 0xff, 0x83}} {
		r := &reader{b: bad}
		if _, err := r.compactU16("x"); err == nil {
			t.Errorf("decode %x accepted", bad)
		}
	}
}

func key(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
}

func sampleTx(t testing.TB) *Transaction {
	payer, other := key(1), key(2)
	prog := pubkey.MustParse("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
	ro := pubkey.SysvarRent()
	m, err := Compile(PubkeyOf(payer), []Instruction{{
		ProgramID: prog,
		Accounts: []AccountMeta{
			{Pubkey: PubkeyOf(other), IsSigner: true, IsWritable: false},
			{Pubkey: ro},
			{Pubkey: PubkeyOf(payer), IsWritable: true},
		},
		Data: []byte{1, 2, 3},
	}}, Hash{7})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := Sign(m, other, payer)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func TestRoundTripAndPrivileges(t *testing.T) {
	tx := sampleTx(t)
	b := tx.Encode()
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Encode(), b) {
		t.Fatal("re-encoding differs")
	}
	if err := got.Sanitize(); err != nil {
		t.Fatal(err)
	}
	if err := got.Verify(); err != nil {
		t.Fatal(err)
	}
	m := &got.Message
	if m.Header != (Header{2, 1, 2}) {
		t.Fatalf("header %+v", m.Header)
	}
	// payer (w,s), other (s), then read-only unsigned sorted: Rent sysvar and the program.
	if !m.IsSigner(0) || !m.IsWritable(0) || !m.IsSigner(1) || m.IsWritable(1) || m.IsSigner(2) || m.IsWritable(2) || m.IsWritable(3) {
		t.Fatal("privileges")
	}
	got.Signatures[1][0] ^= 1
	if err := got.Verify(); !errors.Is(err, ErrSignature) {
		t.Fatalf("tampered signature: %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	b := sampleTx(t).Encode()
	for i := 0; i < len(b); i++ {
		if _, err := Decode(b[:i]); err == nil {
			t.Fatalf("prefix of %d bytes accepted", i)
		}
	}
	if _, err := Decode(append(append([]byte{}, b...), 0)); !errors.Is(err, &DecodeError{Kind: ErrTrailingBytes}) {
		t.Fatalf("trailing: %v", err)
	}
	if _, err := Decode(make([]byte, PacketDataSize+1)); !errors.Is(err, &DecodeError{Kind: ErrTooLarge}) {
		t.Fatalf("large: %v", err)
	}
	v1 := append([]byte{}, b...)
	v1[1+2*64] = 0x81
	if _, err := Decode(v1); !errors.Is(err, &DecodeError{Kind: ErrUnsupportedVersion}) {
		t.Fatalf("v1: %v", err)
	}
}

func TestSanitize(t *testing.T) {
	mutate := map[string]func(tx *Transaction){
		"missing signature":  func(tx *Transaction) { tx.Signatures = tx.Signatures[:1] },
		"extra signature":    func(tx *Transaction) { tx.Signatures = append(tx.Signatures, Signature{}) },
		"no writable signer": func(tx *Transaction) { tx.Message.Header.NumReadonlySignedAccounts = 2 },
		"header too big":     func(tx *Transaction) { tx.Message.Header.NumReadonlyUnsignedAccounts = 9 },
		"program index":      func(tx *Transaction) { tx.Message.Instructions[0].ProgramIDIndex = 9 },
		"payer as program":   func(tx *Transaction) { tx.Message.Instructions[0].ProgramIDIndex = 0 },
		"account index":      func(tx *Transaction) { tx.Message.Instructions[0].Accounts[0] = 200 },
		"duplicate key":      func(tx *Transaction) { tx.Message.AccountKeys[2] = tx.Message.AccountKeys[3] },
	}
	for name, f := range mutate {
		tx := sampleTx(t)
		f(tx)
		var se *SanitizeError
		if err := tx.Sanitize(); !errors.As(err, &se) {
			t.Errorf("%s: %v", name, err)
		} else if se.Duplicate != (name == "duplicate key") {
			t.Errorf("%s: duplicate flag %v", name, se.Duplicate)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(sampleTx(f).Encode())
	v0, _ := sampleV0(f)
	f.Add(v0.Encode())
	f.Add([]byte{0})
	f.Add([]byte{1, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := Decode(b)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !bytes.Equal(tx.Encode(), b) {
			t.Fatalf("re-encoding differs")
		}
		if tx.Sanitize() == nil {
			for i := range tx.Message.AccountKeys {
				tx.Message.IsWritable(i)
			}
			w, ro := tx.Message.LookupIndexes()
			r := tx.Message.Resolve(LoadedAddresses{Writable: make([]pubkey.Pubkey, w), Readonly: make([]pubkey.Pubkey, ro)})
			for _, ci := range tx.Message.Instructions {
				for _, a := range ci.Accounts {
					if int(a) >= len(r.Keys) {
						t.Fatalf("sanitized index %d past %d keys", a, len(r.Keys))
					}
					r.IsWritable(int(a))
				}
			}
			_ = tx.Verify()
		}
	})
}

// A transaction whose fee payer is the identity point (a small-order key)
// carries the signature R = identity, S = 0, which satisfies the
// cofactorless equation for every message: crypto/ed25519 accepts it, so
// anyone could spend from that address. Agave (ed25519-dalek's
// verify_strict) refuses it, and so must Verify.
func TestVerifyRefusesSmallOrderSigner(t *testing.T) {
	var payer pubkey.Pubkey
	payer[0] = 1 // the identity point's encoding
	m, err := Compile(payer, []Instruction{{ProgramID: pubkey.SystemProgram(), Accounts: []AccountMeta{{Pubkey: payer, IsSigner: true, IsWritable: true}}, Data: []byte{2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}}}, Hash{7})
	if err != nil {
		t.Fatal(err)
	}
	var forged [64]byte
	forged[0] = 1 // R = identity, S = 0
	tx := &Transaction{Signatures: []Signature{forged}, Message: *m}
	if !ed25519.Verify(ed25519.PublicKey(payer[:]), m.Encode(), forged[:]) {
		t.Fatal("crypto/ed25519 no longer accepts the forgery: the test's premise changed")
	}
	if err := tx.Verify(); !errors.Is(err, ErrSignature) {
		t.Fatalf("Verify = %v, want ErrSignature", err)
	}
}

// EncodedSize equals the length of Encode for random legacy and v0
// transactions, with counts and lengths across the compact-u16 widths
// (1, 2 and 3 bytes, and past 65,535, which the encoding truncates).
func TestEncodedSize(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	sizes := []int{0, 1, 127, 128, 300, 16383, 16384, 70000}
	pick := func() int {
		if rng.IntN(4) == 0 {
			return sizes[rng.IntN(len(sizes))]
		}
		return rng.IntN(8)
	}
	for i := range 300 {
		tx := &Transaction{Signatures: make([]Signature, pick()%400)}
		m := &tx.Message
		if rng.IntN(2) == 0 {
			m.Version = V0
			for range rng.IntN(4) {
				m.AddressTableLookups = append(m.AddressTableLookups, AddressTableLookup{WritableIndexes: make([]uint8, pick()), ReadonlyIndexes: make([]uint8, pick())})
			}
		}
		m.AccountKeys = make([]pubkey.Pubkey, pick()%400)
		for range rng.IntN(5) {
			m.Instructions = append(m.Instructions, CompiledInstruction{Accounts: make([]uint8, pick()), Data: make([]byte, pick())})
		}
		if got, want := m.EncodedSize(), len(m.Encode()); got != want {
			t.Fatalf("%d: Message.EncodedSize = %d, len(Encode()) = %d", i, got, want)
		}
		if got, want := tx.EncodedSize(), len(tx.Encode()); got != want {
			t.Fatalf("%d: Transaction.EncodedSize = %d, len(Encode()) = %d", i, got, want)
		}
	}
}
