package crypto

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"filippo.io/edwards25519"

	"github.com/agora-vm/agora/solana/sigverify"
)

// BatchItem is one signature of a batch: a public key, the signed message
// and the signature, in the encodings of the scheme (BLS: 48-byte G1 key,
// 96-byte G2 signature; Ed25519: 32-byte key, 64-byte signature).
type BatchItem struct {
	PublicKey []byte
	Message   []byte
	Signature []byte
}

// VerifyBLSBatch verifies every item as BLSVerify does and returns the
// codes in item order: results[i] == BLSVerify(items[i].PublicKey,
// items[i].Message, items[i].Signature), whatever the number of cores. The
// work is spread over GOMAXPROCS goroutines. It is the host-side batch; a
// program batches signatures through the offload interface's
// BATCH_VERIFY_BLS and BATCH_VERIFY_ED25519 operations (ext/offload),
// which verify each record with the same rules.
//
// When ctx is cancelled before every item is done, it returns nil and the
// context's error.
func VerifyBLSBatch(ctx context.Context, items []BatchItem) ([]Code, error) {
	return verifyBatch(ctx, items, 0, func(it *BatchItem) Code {
		return BLSVerify(it.PublicKey, it.Message, it.Signature)
	})
}

// VerifyEd25519Batch verifies every item as Ed25519Verify does and returns
// the codes in item order, using all cores; see VerifyBLSBatch.
func VerifyEd25519Batch(ctx context.Context, items []BatchItem) ([]Code, error) {
	return verifyBatch(ctx, items, 0, func(it *BatchItem) Code {
		return Ed25519Verify(it.PublicKey, it.Message, it.Signature)
	})
}

// verifyBatch runs verify on every item with workers goroutines (0 means
// GOMAXPROCS). Each result lands at its item's index, so the output does
// not depend on scheduling.
func verifyBatch(ctx context.Context, items []BatchItem, workers int, verify func(*BatchItem) Code) ([]Code, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(items)))
	out := make([]Code, len(items))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				if ctx.Err() != nil {
					return
				}
				i := next.Add(1) - 1
				if i >= int64(len(items)) {
					return
				}
				out[i] = verify(&items[i])
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Ed25519 sizes.
const (
	Ed25519PublicKeySize = 32
	Ed25519SignatureSize = 64
)

// Ed25519Verify verifies an RFC 8032 Ed25519 signature with exactly the
// rules of Go's crypto/ed25519.Verify, and says why it fails: BadPublicKey
// when the key is not 32 bytes or does not decode (filippo.io/edwards25519
// decoding: y is read modulo p and small-order keys are accepted),
// BadSignature when the signature is not 64 bytes or s ≥ ℓ, Invalid when
// the cofactorless equation [s]B = R + [k]A fails (R is compared as an
// encoding, so a non-canonical R never verifies). Code OK is returned
// exactly when crypto/ed25519.Verify returns true.
func Ed25519Verify(publicKey, message, sig []byte) Code {
	if len(publicKey) != Ed25519PublicKeySize {
		return BadPublicKey
	}
	a, err := new(edwards25519.Point).SetBytes(publicKey)
	if err != nil {
		return BadPublicKey
	}
	if len(sig) != Ed25519SignatureSize {
		return BadSignature
	}
	s, err := edwards25519.NewScalar().SetCanonicalBytes(sig[32:])
	if err != nil {
		return BadSignature
	}
	if sigverify.Holds(a, s, publicKey, message, sig) {
		return OK
	}
	return Invalid
}
