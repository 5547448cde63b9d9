// Command sigs writes seeded signature vectors for the precompile suite
// of the Agave differential harness: one JSON object per line with a
// key, a message and its signature for Solana's Ed25519, Secp256k1 and
// Secp256r1 precompiles (hex). Node has no Keccak-256 and no secp256k1
// recovery, so the harness asks this command for them.
//
// It must never be used for anything but generating test inputs: the
// keys come from the seed and protect nothing.
//
//	go run ./conformance/agave/sigs -n 10 -seed 1
package main

import (
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"golang.org/x/crypto/sha3"
)

// vector is one signature. Pubkey is 32 bytes (ed25519), 20 (secp256k1:
// the Ethereum address) or 33 (secp256r1: compressed); Sig is 64 bytes;
// RecID is secp256k1's recovery id.
type vector struct {
	Kind   string `json:"kind"`
	Pubkey string `json:"pubkey"`
	Sig    string `json:"sig"`
	RecID  int    `json:"recid"`
	Msg    string `json:"msg"`
}

func main() {
	n := flag.Int("n", 10, "vectors of each kind")
	seed := flag.Uint64("seed", 1, "seed")
	flag.Parse()
	enc := json.NewEncoder(os.Stdout)
	for i := range *n {
		r := rand.New(rand.NewPCG(*seed, uint64(i)))
		for _, v := range []vector{ed(r), k1(r), r1(r)} {
			if err := enc.Encode(v); err != nil {
				fmt.Fprintln(os.Stderr, "sigs:", err)
				os.Exit(1)
			}
		}
	}
}

func bytesOf(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// message is printable ASCII (the Memo program accepts it as data).
func message(r *rand.Rand) []byte {
	b := make([]byte, r.IntN(80))
	for i := range b {
		b[i] = byte(' ' + r.IntN(95))
	}
	return b
}

func ed(r *rand.Rand) vector {
	k := ed25519.NewKeyFromSeed(bytesOf(r, 32))
	m := message(r)
	return vector{Kind: "ed25519", Pubkey: hex.EncodeToString(k.Public().(ed25519.PublicKey)), Sig: hex.EncodeToString(ed25519.Sign(k, m)), Msg: hex.EncodeToString(m)}
}

func keccak(b []byte) []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(b)
	return h.Sum(nil)
}

func k1(r *rand.Rand) vector {
	k := secp256k1.PrivKeyFromBytes(bytesOf(r, 32))
	m := message(r)
	c := ecdsa.SignCompact(k, keccak(m), false) // header 27+recid, r, s
	addr := keccak(k.PubKey().SerializeUncompressed()[1:])[12:]
	return vector{Kind: "secp256k1", Pubkey: hex.EncodeToString(addr), Sig: hex.EncodeToString(c[1:]), RecID: int(c[0] - 27), Msg: hex.EncodeToString(m)}
}

// r1 signs with a nonce from the seed, so that the same seed gives the
// same vectors, and normalizes s to the low half as Agave requires.
func r1(r *rand.Rand) vector {
	c := elliptic.P256()
	nOrd := c.Params().N
	d := new(big.Int).Mod(new(big.Int).SetBytes(bytesOf(r, 32)), nOrd)
	d.Add(d, big.NewInt(1))
	x, y := c.ScalarBaseMult(d.Bytes())
	m := message(r)
	h := sha256.Sum256(m)
	e := new(big.Int).SetBytes(h[:])
	for {
		k := new(big.Int).Mod(new(big.Int).SetBytes(bytesOf(r, 32)), nOrd)
		if k.Sign() == 0 {
			continue
		}
		kx, _ := c.ScalarBaseMult(k.Bytes())
		rr := new(big.Int).Mod(kx, nOrd)
		if rr.Sign() == 0 {
			continue
		}
		s := new(big.Int).Mul(rr, d)
		s.Add(s, e)
		s.Mul(s, new(big.Int).ModInverse(k, nOrd))
		s.Mod(s, nOrd)
		if s.Sign() == 0 {
			continue
		}
		if s.Cmp(new(big.Int).Rsh(nOrd, 1)) > 0 {
			s.Sub(nOrd, s)
		}
		sig := make([]byte, 64)
		rr.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return vector{Kind: "secp256r1", Pubkey: hex.EncodeToString(elliptic.MarshalCompressed(c, x, y)), Sig: hex.EncodeToString(sig), Msg: hex.EncodeToString(m)}
	}
}
