package svm

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"github.com/agora-vm/agora/solana/sigverify"
	"math/big"
	"slices"
	"testing"

	"filippo.io/edwards25519"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/agora-vm/agora/solana/computebudget"
	"github.com/agora-vm/agora/solana/feature"
	"github.com/agora-vm/agora/solana/pubkey"
	"github.com/agora-vm/agora/solana/txn"
)

const self = 0xFFFF

// edEntry is one signature for an Ed25519 or Secp256r1 instruction:
// inline bytes, or explicit offsets (raw).
type edEntry struct {
	pub, sig, msg []byte
	raw           *Ed25519Offsets
}

// edData lays out an Ed25519 / Secp256r1 instruction: header, records,
// then each inline entry's key, signature and message.
func edData(count int, entries []edEntry, trailing ...byte) []byte {
	head := 2 + 14*len(entries)
	d := make([]byte, head)
	d[0] = byte(count)
	for i, e := range entries {
		o := Ed25519Offsets{}
		if e.raw != nil {
			o = *e.raw
		} else {
			o = Ed25519Offsets{PubkeyOffset: uint16(len(d)), PubkeyIx: self}
			d = append(d, e.pub...)
			o.SignatureOffset, o.SignatureIx = uint16(len(d)), self
			d = append(d, e.sig...)
			o.MessageOffset, o.MessageSize, o.MessageIx = uint16(len(d)), uint16(len(e.msg)), self
			d = append(d, e.msg...)
		}
		for k, v := range []uint16{o.SignatureOffset, o.SignatureIx, o.PubkeyOffset, o.PubkeyIx, o.MessageOffset, o.MessageSize, o.MessageIx} {
			binary.LittleEndian.PutUint16(d[2+14*i+2*k:], v)
		}
	}
	return append(d, trailing...)
}

func edSign(seed byte, msg string) edEntry {
	k := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
	return edEntry{pub: k.Public().(ed25519.PublicKey), sig: ed25519.Sign(k, []byte(msg)), msg: []byte(msg)}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// l is Ed25519's group order, little-endian.
var edOrder = mustHex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")

func addLE(a, b []byte) []byte {
	out := make([]byte, 32)
	c := 0
	for i := range 32 {
		s := int(a[i]) + int(b[i]) + c
		out[i], c = byte(s), s>>8
	}
	return out
}

func with(b []byte, i int, v byte) []byte {
	c := slices.Clone(b)
	c[i] = v
	return c
}

func wantErr(t *testing.T, name string, got, want error) {
	t.Helper()
	if want == nil && got != nil || want != nil && !errors.Is(got, want) {
		t.Errorf("%s: got %v, want %v", name, got, want)
	}
}

func TestVerifyEd25519(t *testing.T) {
	a, b, c := edSign(1, "hello"), edSign(2, "IBRL"), edSign(3, "")
	identity := make([]byte, 32)
	identity[0] = 1
	order4 := make([]byte, 32)             // y = 0
	yIsP := bytes.Repeat([]byte{0xff}, 32) // y = p, a non-canonical 0
	yIsP[0], yIsP[31] = 0xed, 0x7f
	notOnCurve := make([]byte, 32)
	notOnCurve[0] = 2
	other := edData(1, []edEntry{b}) // b's key at 16, signature at 48, message at 112
	ref := func(ix uint16) *Ed25519Offsets {
		return &Ed25519Offsets{SignatureOffset: 48, SignatureIx: ix, PubkeyOffset: 16, PubkeyIx: ix, MessageOffset: 112, MessageSize: uint16(len(b.msg)), MessageIx: ix}
	}
	at := func(o Ed25519Offsets, f func(*Ed25519Offsets)) *Ed25519Offsets { f(&o); return &o }
	for _, tc := range []struct {
		name  string
		data  []byte
		other [][]byte // instructions after this one (index 1, ...)
		want  error
	}{
		{"one", edData(1, []edEntry{a}), nil, nil},
		{"three", edData(3, []edEntry{a, b, c}), nil, nil},
		{"trailing bytes", edData(1, []edEntry{a}, 1, 2, 3), nil, nil},
		{"zero count", []byte{0, 0}, nil, nil},
		{"zero count, more data", []byte{0, 0, 0}, nil, PrecompileInvalidInstructionDataSize},
		{"empty", nil, nil, PrecompileInvalidInstructionDataSize},
		{"one byte", []byte{1}, nil, PrecompileInvalidInstructionDataSize},
		{"short record", edData(1, []edEntry{a})[:15], nil, PrecompileInvalidInstructionDataSize},
		{"count past the records", edData(2, []edEntry{a}), nil, PrecompileInvalidDataOffsets},
		{"in another instruction", edData(1, []edEntry{{raw: ref(1)}}), [][]byte{other}, nil},
		{"instruction index past the end", edData(1, []edEntry{{raw: ref(2)}}), [][]byte{other}, PrecompileInvalidDataOffsets},
		{"message past the end", edData(1, []edEntry{{raw: at(*ref(1), func(o *Ed25519Offsets) { o.MessageSize = 0xFFFF })}}), [][]byte{other}, PrecompileInvalidDataOffsets},
		{"offset at u16 max", edData(1, []edEntry{{raw: at(*ref(1), func(o *Ed25519Offsets) { o.SignatureOffset = 0xFFFF })}}), [][]byte{other}, PrecompileInvalidDataOffsets},
		{"key past the end", edData(1, []edEntry{{raw: at(*ref(1), func(o *Ed25519Offsets) { o.PubkeyOffset = uint16(len(other) - 31) })}}), [][]byte{other}, PrecompileInvalidDataOffsets},
		{"bad signature", edData(1, []edEntry{{pub: a.pub, sig: with(a.sig, 3, a.sig[3]^1), msg: a.msg}}), nil, PrecompileInvalidSignature},
		{"other message", edData(1, []edEntry{{pub: a.pub, sig: a.sig, msg: []byte("hellO")}}), nil, PrecompileInvalidSignature},
		{"one good one bad", edData(2, []edEntry{a, {pub: b.pub, sig: a.sig, msg: a.msg}}), nil, PrecompileInvalidSignature},
		{"undecodable key", edData(1, []edEntry{{pub: notOnCurve, sig: a.sig, msg: a.msg}}), nil, PrecompileInvalidPublicKey},
		{"small-order key", edData(1, []edEntry{{pub: identity, sig: a.sig, msg: a.msg}}), nil, PrecompileInvalidSignature},
		{"order-4 key", edData(1, []edEntry{{pub: order4, sig: a.sig, msg: a.msg}}), nil, PrecompileInvalidSignature},
		{"non-canonical key", edData(1, []edEntry{{pub: yIsP, sig: a.sig, msg: a.msg}}), nil, PrecompileInvalidSignature},
		{"non-canonical S", edData(1, []edEntry{{pub: a.pub, sig: append(slices.Clone(a.sig[:32]), addLE(a.sig[32:], edOrder)...), msg: a.msg}}), nil, PrecompileInvalidSignature},
		{"non-canonical R", edData(1, []edEntry{{pub: a.pub, sig: append(slices.Clone(yIsP), a.sig[32:]...), msg: a.msg}}), nil, PrecompileInvalidSignature},
	} {
		datas := append([][]byte{tc.data}, tc.other...)
		wantErr(t, tc.name, VerifyEd25519(tc.data, datas), tc.want)
		// Alignment never matters: the same bytes one further on.
		shifted := append([]byte{0}, tc.data...)[1:]
		wantErr(t, tc.name+" (shifted)", VerifyEd25519(shifted, datas), tc.want)
	}
}

// TestEd25519StrictVersusStdlib shows where dalek's verify_strict (and
// so Agave) refuses what crypto/ed25519 accepts: small-order keys and
// small-order R.
func TestEd25519StrictVersusStdlib(t *testing.T) {
	msg := []byte("any message")
	// A = identity: [k]A vanishes, so R = [S]B verifies for any message.
	identity := make([]byte, 32)
	identity[0] = 1
	s, err := edwards25519.NewScalar().SetCanonicalBytes(append([]byte{7}, make([]byte, 31)...))
	if err != nil {
		t.Fatal(err)
	}
	sig := append(new(edwards25519.Point).ScalarBaseMult(s).Bytes(), s.Bytes()...)
	// CCTV's ed25519 vector 5 (Agave's malleability test): R = 0, of
	// order 4.
	cctvKey := mustHex("10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f")
	cctvSig := mustHex("00000000000000000000000000000000000000000000000000000000000000009472a69cd9a701a50d130ed52189e2455b23767db52cacb8716fb896ffeeac09")
	cctvMsg := []byte("ed25519vectors 3")
	good := edSign(9, "fine")
	for _, tc := range []struct {
		name             string
		pub, msg, sig    []byte
		stdlib, agaveish bool
	}{
		{"valid", good.pub, good.msg, good.sig, true, true},
		{"small-order key", identity, msg, sig, true, false},
		{"small-order R", cctvKey, cctvMsg, cctvSig, true, false},
		{"S + l", good.pub, good.msg, append(slices.Clone(good.sig[:32]), addLE(good.sig[32:], edOrder)...), false, false},
	} {
		if got := ed25519.Verify(tc.pub, tc.msg, tc.sig); got != tc.stdlib {
			t.Errorf("%s: crypto/ed25519 says %v, want %v", tc.name, got, tc.stdlib)
		}
		if got := sigverify.Verify(tc.pub, tc.msg, tc.sig); got != tc.agaveish {
			t.Errorf("%s: sigverify.Verify says %v, want %v", tc.name, got, tc.agaveish)
		}
	}
}

type k1Entry struct {
	sig   []byte // 64 bytes
	recID byte
	eth   []byte
	msg   []byte
	raw   *Secp256k1Offsets
}

func k1Sign(seed byte, msg string) k1Entry {
	k := secp256k1.PrivKeyFromBytes(bytes.Repeat([]byte{seed}, 32))
	c := secpecdsa.SignCompact(k, keccak256([]byte(msg)), false)
	return k1Entry{sig: c[1:], recID: c[0] - 27, eth: keccak256(k.PubKey().SerializeUncompressed()[1:])[12:], msg: []byte(msg)}
}

// k1Data lays out a Secp256k1 instruction at index selfIx.
func k1Data(count int, selfIx byte, entries []k1Entry, trailing ...byte) []byte {
	d := make([]byte, 1+11*len(entries))
	d[0] = byte(count)
	for i, e := range entries {
		var o Secp256k1Offsets
		if e.raw != nil {
			o = *e.raw
		} else {
			o.SignatureOffset, o.SignatureIx = uint16(len(d)), selfIx
			d = append(append(d, e.sig...), e.recID)
			o.EthAddressOffset, o.EthAddressIx = uint16(len(d)), selfIx
			d = append(d, e.eth...)
			o.MessageOffset, o.MessageSize, o.MessageIx = uint16(len(d)), uint16(len(e.msg)), selfIx
			d = append(d, e.msg...)
		}
		b := d[1+11*i:]
		binary.LittleEndian.PutUint16(b, o.SignatureOffset)
		b[2] = o.SignatureIx
		binary.LittleEndian.PutUint16(b[3:], o.EthAddressOffset)
		b[5] = o.EthAddressIx
		binary.LittleEndian.PutUint16(b[6:], o.MessageOffset)
		binary.LittleEndian.PutUint16(b[8:], o.MessageSize)
		b[10] = o.MessageIx
	}
	return append(d, trailing...)
}

func TestVerifySecp256k1(t *testing.T) {
	a, b := k1Sign(1, "hello"), k1Sign(2, "")
	n := secp256k1.S256().N
	highS := func(e k1Entry) k1Entry {
		s := new(big.Int).Sub(n, new(big.Int).SetBytes(e.sig[32:]))
		e.sig = append(slices.Clone(e.sig[:32]), s.FillBytes(make([]byte, 32))...)
		e.recID ^= 1
		return e
	}
	set := func(e k1Entry, f func(*k1Entry)) k1Entry { f(&e); return e }
	ff := bytes.Repeat([]byte{0xff}, 32)
	for _, tc := range []struct {
		name  string
		data  []byte
		ix    int      // this instruction's index
		other [][]byte // the instructions around it, this one at ix
		want  error
	}{
		{"one", k1Data(1, 0, []k1Entry{a}), 0, nil, nil},
		{"two", k1Data(2, 0, []k1Entry{a, b}), 0, nil, nil},
		{"high s", k1Data(1, 0, []k1Entry{highS(a)}), 0, nil, nil},
		{"trailing bytes", k1Data(1, 0, []k1Entry{a}, 9, 9), 0, nil, nil},
		{"at index 1", k1Data(1, 1, []k1Entry{a}), 1, [][]byte{{7}}, nil},
		{"zero count", []byte{0}, 0, nil, nil},
		{"zero count, more data", []byte{0, 0}, 0, nil, PrecompileInvalidInstructionDataSize},
		{"empty", nil, 0, nil, PrecompileInvalidInstructionDataSize},
		{"count past the records", k1Data(2, 0, []k1Entry{a}), 0, nil, PrecompileInvalidInstructionDataSize},
		{"signature index past the end", k1Data(1, 1, []k1Entry{a}), 0, nil, PrecompileInvalidInstructionDataSize},
		{"wrong self index", k1Data(1, 0, []k1Entry{a}), 1, [][]byte{{7, 7, 7}}, PrecompileInvalidSignature},
		{"no room for the recovery id", k1Data(1, 0, []k1Entry{{raw: &Secp256k1Offsets{SignatureOffset: 12}}}, make([]byte, 64)...), 0, nil, PrecompileInvalidSignature},
		{"address index past the end", k1Data(1, 0, []k1Entry{{raw: &Secp256k1Offsets{SignatureOffset: 12, EthAddressIx: 3}}}, make([]byte, 65)...), 0, nil, PrecompileInvalidDataOffsets},
		{"address past the data", k1Data(1, 0, []k1Entry{{raw: &Secp256k1Offsets{SignatureOffset: 12, EthAddressOffset: 60}}}, make([]byte, 65)...), 0, nil, PrecompileInvalidSignature},
		{"message index past the end", k1Data(1, 0, []k1Entry{{raw: &Secp256k1Offsets{SignatureOffset: 12, MessageIx: 1}}}, make([]byte, 65)...), 0, nil, PrecompileInvalidDataOffsets},
		{"message past the data", k1Data(1, 0, []k1Entry{{raw: &Secp256k1Offsets{SignatureOffset: 12, MessageSize: 0xFFFF}}}, make([]byte, 65)...), 0, nil, PrecompileInvalidSignature},
		{"bad signature", k1Data(1, 0, []k1Entry{set(a, func(e *k1Entry) { e.sig = with(e.sig, 40, e.sig[40]^1) })}), 0, nil, PrecompileInvalidSignature},
		{"wrong address", k1Data(1, 0, []k1Entry{set(a, func(e *k1Entry) { e.eth = b.eth })}), 0, nil, PrecompileInvalidSignature},
		{"other recovery id", k1Data(1, 0, []k1Entry{set(a, func(e *k1Entry) { e.recID ^= 1 })}), 0, nil, PrecompileInvalidSignature},
		{"recovery id 4", k1Data(1, 0, []k1Entry{set(a, func(e *k1Entry) { e.recID = 4 })}), 0, nil, PrecompileInvalidRecoveryID},
		{"recovery id 27", k1Data(1, 0, []k1Entry{set(a, func(e *k1Entry) { e.recID = 27 })}), 0, nil, PrecompileInvalidRecoveryID},
		{"r zero", k1Data(1, 0, []k1Entry{set(a, func(e *k1Entry) { e.sig = append(make([]byte, 32), e.sig[32:]...) })}), 0, nil, PrecompileInvalidSignature},
		{"r zero, bad recovery id", k1Data(1, 0, []k1Entry{set(a, func(e *k1Entry) { e.sig = append(make([]byte, 32), e.sig[32:]...); e.recID = 9 })}), 0, nil, PrecompileInvalidRecoveryID},
		// libsecp256k1 parses r and s before the recovery id.
		{"r overflow, bad recovery id", k1Data(1, 0, []k1Entry{set(a, func(e *k1Entry) { e.sig = append(slices.Clone(ff), e.sig[32:]...); e.recID = 9 })}), 0, nil, PrecompileInvalidSignature},
		{"s overflow", k1Data(1, 0, []k1Entry{set(a, func(e *k1Entry) { e.sig = append(slices.Clone(e.sig[:32]), ff...) })}), 0, nil, PrecompileInvalidSignature},
	} {
		datas := slices.Clone(tc.other)
		if datas == nil {
			datas = [][]byte{nil}
		}
		for len(datas) <= tc.ix {
			datas = append(datas, nil)
		}
		datas[tc.ix] = tc.data
		wantErr(t, tc.name, VerifySecp256k1(tc.data, datas), tc.want)
	}
}

func r1Sign(t *testing.T, seed byte, msg string) edEntry {
	t.Helper()
	c := elliptic.P256()
	d := new(big.Int).SetBytes(bytes.Repeat([]byte{seed}, 32))
	d.Mod(d, c.Params().N)
	x, y := c.ScalarBaseMult(d.Bytes())
	k := &ecdsa.PrivateKey{PublicKey: ecdsa.PublicKey{Curve: c, X: x, Y: y}, D: d}
	h := sha256.Sum256([]byte(msg))
	r, s, err := ecdsa.Sign(zeroReader{}, k, h[:])
	if err != nil {
		t.Fatal(err)
	}
	if half := new(big.Int).Rsh(c.Params().N, 1); s.Cmp(half) > 0 {
		s.Sub(c.Params().N, s)
	}
	sig := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	return edEntry{pub: elliptic.MarshalCompressed(c, x, y), sig: sig, msg: []byte(msg)}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestVerifySecp256r1(t *testing.T) {
	a, b := r1Sign(t, 1, "hello"), r1Sign(t, 2, "")
	n := elliptic.P256().Params().N
	high := a
	high.sig = append(slices.Clone(a.sig[:32]), new(big.Int).Sub(n, new(big.Int).SetBytes(a.sig[32:])).FillBytes(make([]byte, 32))...)
	badKey := a
	badKey.pub = with(a.pub, 0, 4)
	flipped := a
	flipped.sig = with(a.sig, 5, a.sig[5]^1)
	rZero := a
	rZero.sig = append(make([]byte, 32), a.sig[32:]...)
	nine := make([]edEntry, 9)
	for i := range nine {
		nine[i] = edEntry{raw: &Ed25519Offsets{PubkeyIx: 1, SignatureOffset: 33, SignatureIx: 1, MessageOffset: 97, MessageSize: uint16(len(a.msg)), MessageIx: 1}}
	}
	carrier := append(append(slices.Clone(a.pub), a.sig...), a.msg...)
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"one", edData(1, []edEntry{a}), nil},
		{"two", edData(2, []edEntry{a, b}), nil},
		{"eight", edData(8, nine[:8]), nil},
		{"nine", edData(9, nine), PrecompileInvalidInstructionDataSize},
		{"zero count", []byte{0, 0}, PrecompileInvalidInstructionDataSize},
		{"one byte", []byte{1}, PrecompileInvalidInstructionDataSize},
		{"high s", edData(1, []edEntry{high}), PrecompileInvalidSignature},
		{"r zero", edData(1, []edEntry{rZero}), PrecompileInvalidSignature},
		{"bad signature", edData(1, []edEntry{flipped}), PrecompileInvalidSignature},
		{"uncompressed prefix", edData(1, []edEntry{badKey}), PrecompileInvalidPublicKey},
		{"key past the data", edData(1, []edEntry{{raw: &Ed25519Offsets{PubkeyOffset: uint16(len(carrier) - 32), PubkeyIx: 1, SignatureIx: 1}}}), PrecompileInvalidDataOffsets},
	} {
		wantErr(t, tc.name, VerifySecp256r1(tc.data, [][]byte{tc.data, carrier}), tc.want)
	}
}

func TestSignaturesAndFee(t *testing.T) {
	payer := pubkey.Pubkey{1}
	ix := func(p pubkey.Pubkey, data ...byte) txn.Instruction { return txn.Instruction{ProgramID: p, Data: data} }
	msg := func(ixs ...txn.Instruction) *txn.Message {
		m, err := txn.Compile(payer, ixs, txn.Hash{})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	ed, k1, r1 := pubkey.Ed25519Program(), pubkey.Secp256k1Program(), pubkey.Secp256r1Program()
	for _, tc := range []struct {
		name        string
		m           *txn.Message
		perSig, pri uint64
		counts      SignatureCounts
		want        uint64
	}{
		{"plain", msg(ix(pubkey.SystemProgram(), 2)), 5000, 0, SignatureCounts{Transaction: 1}, 5000},
		{"precompiles", msg(ix(ed, 2, 0), ix(k1, 3), ix(r1, 4), ix(ed), ix(ed, 255)), 5000, 7, SignatureCounts{1, 257, 3, 4}, 265*5000 + 7},
		{"zero lamports per signature", msg(ix(ed, 9)), 0, 11, SignatureCounts{1, 9, 0, 0}, 11},
		{"saturating product", msg(ix(ed, 9)), 1 << 62, 0, SignatureCounts{1, 9, 0, 0}, ^uint64(0)},
		{"saturating sum", msg(ix(ed, 1)), 5000, ^uint64(0) - 5000, SignatureCounts{1, 1, 0, 0}, ^uint64(0)},
	} {
		if got := Signatures(tc.m); got != tc.counts {
			t.Errorf("%s: Signatures = %+v, want %+v", tc.name, got, tc.counts)
		}
		if got := Fee(tc.m, tc.perSig, tc.pri); got != tc.want {
			t.Errorf("%s: Fee = %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestPrecompileExecution runs precompile instructions through Execute:
// no logs, no compute units, the error's instruction index and code, and
// the fee of every signature claimed.
func TestPrecompileExecution(t *testing.T) {
	h := newHarness(t)
	h.env.Features = feature.Mainnet()
	payer := keyOf(1)
	h.fund(txn.PubkeyOf(payer), 1_000_000_000)
	a := edSign(2, "pay me")
	good := txn.Instruction{ProgramID: pubkey.Ed25519Program(), Data: edData(1, []edEntry{a})}
	bad := txn.Instruction{ProgramID: pubkey.Ed25519Program(), Data: edData(1, []edEntry{{pub: a.pub, sig: a.sig, msg: []byte("pay you")}})}
	k1 := k1Sign(3, "k")
	r1 := r1Sign(t, 4, "r")
	for _, tc := range []struct {
		name    string
		ixs     []txn.Instruction
		fee     uint64
		failAt  int
		code    uint32
		wantCU  uint64
		wantLog int
	}{
		{"ed25519", []txn.Instruction{good}, 2 * 5000, -1, 0, 0, 0},
		{"all three", []txn.Instruction{good, {ProgramID: pubkey.Secp256k1Program(), Data: k1Data(1, 1, []k1Entry{k1})}, {ProgramID: pubkey.Secp256r1Program(), Data: edData(1, []edEntry{r1})}}, 4 * 5000, -1, 0, 0, 0},
		{"second fails", []txn.Instruction{good, bad}, 3 * 5000, 1, uint32(PrecompileInvalidSignature), 0, 0},
		{"claims 200", []txn.Instruction{{ProgramID: pubkey.Ed25519Program(), Data: []byte{200}}}, 201 * 5000, 0, uint32(PrecompileInvalidInstructionDataSize), 0, 0},
		{"with a priority fee", []txn.Instruction{good, computebudget.SetComputeUnitPrice(1_000_000)}, 2*5000 + 3000 + 3000, -1, 0, 150, 2},
	} {
		res := h.run(payer, tc.ixs)
		if res.Fee != tc.fee {
			t.Errorf("%s: fee %d, want %d", tc.name, res.Fee, tc.fee)
		}
		if res.CU != tc.wantCU || len(res.Logs) != tc.wantLog {
			t.Errorf("%s: CU %d, logs %q", tc.name, res.CU, res.Logs)
		}
		switch {
		case tc.failAt < 0 && res.Err != nil:
			t.Errorf("%s: %v", tc.name, res.Err)
		case tc.failAt >= 0 && (res.Err == nil || res.Err.Kind != InstructionErrorTx || int(res.Err.Index) != tc.failAt || res.Err.Instruction == nil || !res.Err.Instruction.Is(customErr(tc.code))):
			t.Errorf("%s: %v, want Custom(%d) at %d", tc.name, res.Err, tc.code, tc.failAt)
		}
	}
	// The executor's quote agrees with what Execute charged.
	ixs := []txn.Instruction{good, {ProgramID: pubkey.Secp256r1Program(), Data: []byte{3}}}
	m, err := txn.Compile(txn.PubkeyOf(payer), ixs, txn.Hash{})
	if err != nil {
		t.Fatal(err)
	}
	if quote, res := h.ex.Fee(m, 0), h.run(payer, ixs); quote != 5*5000 || res.Fee != quote {
		t.Errorf("Executor.Fee = %d, Execute charged %d, want %d", quote, res.Fee, 5*5000)
	}
}

// The decoders and verifiers never panic, whatever the bytes, and
// accept no record past the data.
func FuzzPrecompiles(f *testing.F) {
	a := edSign(1, "x")
	f.Add(edData(1, []edEntry{a}), []byte{1, 2, 3})
	f.Add(k1Data(1, 0, []k1Entry{k1Sign(1, "x")}), []byte{})
	f.Add([]byte{2, 0, 0xff, 0xff}, []byte{0})
	f.Fuzz(func(t *testing.T, data, other []byte) {
		datas := [][]byte{data, other}
		_ = VerifyEd25519(data, datas)
		_ = VerifySecp256k1(data, datas)
		_ = VerifySecp256r1(data, datas)
		for i := range 3 {
			if _, err := DecodeEd25519Offsets(data, i); (err == nil) != (len(data) >= 2+14*(i+1)) {
				t.Fatalf("ed25519 record %d of %d bytes: %v", i, len(data), err)
			}
			if _, err := DecodeSecp256k1Offsets(data, i); (err == nil) != (len(data) >= 1+11*(i+1)) {
				t.Fatalf("secp256k1 record %d of %d bytes: %v", i, len(data), err)
			}
		}
	})
}

// BenchmarkEd25519Precompile times one signature through the precompile
// (strict checks included) next to crypto/ed25519.Verify, the baseline.
func BenchmarkEd25519Precompile(b *testing.B) {
	a := edSign(1, "a message of some length, as a payment would sign")
	data := edData(1, []edEntry{a})
	datas := [][]byte{data}
	b.Run("stdlib", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(a.pub, a.msg, a.sig) {
				b.Fatal("refused")
			}
		}
	})
	b.Run("precompile", func(b *testing.B) {
		for b.Loop() {
			if err := VerifyEd25519(data, datas); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSecp256k1Precompile times one recovery through the precompile.
func BenchmarkSecp256k1Precompile(b *testing.B) {
	data := k1Data(1, 0, []k1Entry{k1Sign(1, "a message")})
	datas := [][]byte{data}
	for b.Loop() {
		if err := VerifySecp256k1(data, datas); err != nil {
			b.Fatal(err)
		}
	}
}
