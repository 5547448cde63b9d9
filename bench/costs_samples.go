package bench

import (
	"bytes"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand/v2"

	"filippo.io/edwards25519"
	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	blsfr "github.com/consensys/gnark-crypto/ecc/bls12-381/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/gtank/ristretto255"

	"github.com/agora-vm/agora/ext/crypto"
	"github.com/agora-vm/agora/ext/lanes"
	"github.com/agora-vm/agora/ext/ring"
	"github.com/agora-vm/agora/ext/txmem"
	"github.com/agora-vm/agora/ext/zk"
	"github.com/agora-vm/agora/sbpf"
	"github.com/agora-vm/agora/syscalls"
	"github.com/agora-vm/agora/syscalls/solcrypto"
	"github.com/agora-vm/agora/vm"
)

// costFamily is one family of priced syscalls: how to register it and its
// calibration samples.
type costFamily struct {
	name     string
	register func(*vm.Registry) error
	samples  func() ([]CostSample, error)
}

// costFamilies is the one table of syscall families that `agora bench
// costs` calibrates. A family joins the calibration with one line here:
// its Register function and a function returning its samples (valid
// inputs, each with the price its own cost table publishes).
func costFamilies() []costFamily {
	return []costFamily{
		{"syscalls", syscalls.Register, standardSamples},
		{"solcrypto", solcrypto.Register, solcryptoSamples},
		{"ext/crypto", crypto.Register, extCryptoSamples},
		{"ext/zk", zk.Register, extZKSamples},
		{"ext/txmem", txmem.Register, txmemSamples},
		{"ext/ring", ring.Register, ringSamples},
		{"ext/lanes", lanes.Register, lanesSamples},
	}
}

// CostRegistry returns a registry holding every syscall family that the
// calibration covers.
func CostRegistry() (*vm.Registry, error) {
	reg := vm.NewRegistry()
	for _, f := range costFamilies() {
		if err := f.register(reg); err != nil {
			return nil, fmt.Errorf("bench: registering %s: %w", f.name, err)
		}
	}
	return reg, nil
}

// CostSamples returns the calibration samples of every family, in a fixed
// order. The inputs are deterministic.
func CostSamples() ([]CostSample, error) {
	var out []CostSample
	for _, f := range costFamilies() {
		s, err := f.samples()
		if err != nil {
			return nil, fmt.Errorf("bench: samples of %s: %w", f.name, err)
		}
		out = append(out, s...)
	}
	return out, nil
}

// layout places byte strings in the input region and hands out their
// guest addresses.
type layout struct{ buf []byte }

// put copies b in at an 8-aligned offset and returns its guest address.
func (l *layout) put(b []byte) uint64 {
	for len(l.buf)%8 != 0 {
		l.buf = append(l.buf, 0)
	}
	addr := sbpf.InputStart + uint64(len(l.buf))
	l.buf = append(l.buf, b...)
	return addr
}

// zeros reserves n zero bytes (an output buffer).
func (l *layout) zeros(n int) uint64 { return l.put(make([]byte, n)) }

// slices lays out each part and then the array of (pointer, length) pairs
// pointing at them, and returns the array's address.
func (l *layout) slices(parts [][]byte) uint64 {
	arr := make([]byte, 16*len(parts))
	for i, p := range parts {
		binary.LittleEndian.PutUint64(arr[16*i:], l.put(p))
		binary.LittleEndian.PutUint64(arr[16*i+8:], uint64(len(p)))
	}
	return l.put(arr)
}

// sampleRand returns a deterministic generator for sample data.
func sampleRand(seed string) *rand.ChaCha8 {
	var s [32]byte
	copy(s[:], seed)
	return rand.NewChaCha8(s)
}

func randomBytes(r *rand.ChaCha8, n int) []byte {
	b := make([]byte, n)
	_, _ = r.Read(b) // ChaCha8.Read never fails
	return b
}

func text(n int) []byte {
	const alphabet = "agora calibrates the price of every syscall. "
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[i%len(alphabet)]
	}
	return b
}

const kib = 1024

// standardSamples covers package syscalls: logging, memory operations,
// hashing, return data, compute-unit queries and the allocator, with
// Agave's prices. abort and sol_panic_ are left out: they end the program,
// so they cannot be called in a loop.
func standardSamples() ([]CostSample, error) {
	c := syscalls.DefaultCosts()
	var out []CostSample

	for _, n := range []int{32, kib} {
		var l layout
		msg := l.put(text(n))
		out = append(out, CostSample{
			Syscall: syscalls.NameLog, Size: uint64(n), Unit: "bytes", Units: uint64(n),
			Price: max(c.SyscallBase, uint64(n)), Input: l.buf, Args: [5]uint64{msg, uint64(n)},
		})
	}
	out = append(out,
		CostSample{Syscall: syscalls.NameLog64, Size: 5, Unit: "values", Units: 0, Price: c.Log64,
			Args: [5]uint64{1, 0xffff, 0xdeadbeef, 1 << 63, 0x0123456789abcdef}},
		CostSample{Syscall: syscalls.NameLogComputeUnits, Size: 1, Unit: "call", Price: c.SyscallBase},
	)
	{
		var l layout
		key := l.put(randomBytes(sampleRand("log_pubkey"), 32))
		out = append(out, CostSample{Syscall: syscalls.NameLogPubkey, Size: 32, Unit: "bytes", Price: c.LogPubkey,
			Input: l.buf, Args: [5]uint64{key}})
	}
	for _, shape := range []struct{ fields, each int }{{1, 32}, {1, kib}, {4, 256}} {
		var l layout
		r := sampleRand(fmt.Sprintf("log_data %d %d", shape.fields, shape.each))
		parts := make([][]byte, shape.fields)
		for i := range parts {
			parts[i] = randomBytes(r, shape.each)
		}
		arr := l.slices(parts)
		total := uint64(shape.fields * shape.each)
		out = append(out, CostSample{
			Syscall: syscalls.NameLogData, Op: fmt.Sprintf("%d fields", shape.fields),
			Size: total, Unit: "bytes", Units: total,
			Price: c.SyscallBase + c.SyscallBase*uint64(shape.fields) + total,
			Input: l.buf, Args: [5]uint64{arr, uint64(shape.fields)},
		})
	}

	for _, n := range []int{64, 4 * kib, 64 * kib} {
		price := max(c.MemOpBase, uint64(n)/c.CPIBytesPerUnit)
		r := sampleRand(fmt.Sprintf("mem %d", n))
		src := randomBytes(r, n)
		{
			var l layout
			d, s := l.zeros(n), l.put(src)
			out = append(out, memSample(syscalls.NameMemcpy, n, price, l.buf, [5]uint64{d, s, uint64(n)}))
		}
		{
			var l layout
			d, s := l.zeros(n), l.put(src)
			out = append(out, memSample(syscalls.NameMemmove, n, price, l.buf, [5]uint64{d, s, uint64(n)}))
		}
		{
			var l layout
			d := l.zeros(n)
			out = append(out, memSample(syscalls.NameMemset, n, price, l.buf, [5]uint64{d, 0xa5, uint64(n)}))
		}
		{
			// Equal buffers: the comparison reads every byte.
			var l layout
			a, b, res := l.put(src), l.put(src), l.zeros(4)
			out = append(out, memSample(syscalls.NameMemcmp, n, price, l.buf, [5]uint64{a, b, uint64(n), res}))
		}
	}

	for _, name := range []string{syscalls.NameSHA256, syscalls.NameKeccak256, syscalls.NameBlake3} {
		for _, n := range []int{32, kib, 16 * kib} {
			var l layout
			arr := l.slices([][]byte{randomBytes(sampleRand(fmt.Sprintf("%s %d", name, n)), n)})
			res := l.zeros(32)
			var claim uint64
			if name == syscalls.NameSHA256 && n == kib {
				claim = 1350 // the proposal estimated: "SHA-256 (1KB)", the cost it attributes to software today
			}
			out = append(out, CostSample{
				Syscall: name, Size: uint64(n), Unit: "bytes", Units: uint64(n),
				Price: c.SHA256Base + max(c.MemOpBase, c.SHA256Byte*uint64(n)/2), ProposalCU: claim,
				Input: l.buf, Args: [5]uint64{arr, 1, res},
			})
		}
	}

	for _, n := range []int{32, kib} {
		var l layout
		data := l.put(randomBytes(sampleRand(fmt.Sprintf("set_return_data %d", n)), n))
		out = append(out, CostSample{
			Syscall: syscalls.NameSetReturnData, Size: uint64(n), Unit: "bytes", Units: uint64(n),
			Price: c.SyscallBase + uint64(n)/c.CPIBytesPerUnit, Input: l.buf, Args: [5]uint64{data, uint64(n)},
		})
	}
	for _, n := range []int{32, kib} {
		var l layout
		buf, id := l.zeros(n), l.zeros(32)
		data := randomBytes(sampleRand(fmt.Sprintf("get_return_data %d", n)), n)
		want := uint64(n)
		out = append(out, CostSample{
			Syscall: syscalls.NameGetReturnData, Size: uint64(n), Unit: "bytes", Units: uint64(n),
			Price: c.SyscallBase + (uint64(n)+32)/c.CPIBytesPerUnit, Input: l.buf, Args: [5]uint64{buf, uint64(n), id},
			CheckR0: func(r0 uint64) error {
				if r0 != want {
					return fmt.Errorf("r0 = %d, want the return data's length %d", r0, want)
				}
				return nil
			},
			Setup: func(ctx *syscalls.Context) { ctx.SetReturnData([32]byte{1}, data) },
		})
	}
	out = append(out,
		CostSample{Syscall: syscalls.NameRemainingComputeUnits, Size: 1, Unit: "call", Price: c.SyscallBase,
			CheckR0: func(r0 uint64) error {
				if r0 == 0 {
					return fmt.Errorf("no compute units remaining")
				}
				return nil
			}},
		// 16-byte blocks: 1,000 calls use 16,000 of the default 32 KiB heap.
		CostSample{Syscall: syscalls.NameAllocFree, Size: 16, Unit: "bytes", Price: 0, Args: [5]uint64{16, 0},
			CheckR0: func(r0 uint64) error {
				if r0 < sbpf.HeapStart {
					return fmt.Errorf("r0 = %#x is not a heap address (heap exhausted?)", r0)
				}
				return nil
			}},
	)
	return out, nil
}

func memSample(name string, n int, price uint64, input []byte, args [5]uint64) CostSample {
	return CostSample{Syscall: name, Size: uint64(n), Unit: "bytes", Units: uint64(n), Price: price, Input: input, Args: args}
}

// solcryptoSamples covers package solcrypto, Solana's crypto syscalls,
// with the prices its Costs table and cost functions publish.
func solcryptoSamples() ([]CostSample, error) {
	var out []CostSample
	add := func(s CostSample) { out = append(out, s) }

	// secp256k1 recovery of a key from a signature made here.
	{
		key := secp256k1.PrivKeyFromBytes(randomBytes(sampleRand("secp256k1 key"), 32))
		hash := randomBytes(sampleRand("secp256k1 hash"), 32)
		compact := ecdsa.SignCompact(key, hash, false)
		var l layout
		h, sig, res := l.put(hash), l.put(compact[1:]), l.zeros(64)
		add(CostSample{Syscall: solcrypto.NameSecp256k1Recover, Size: 1, Unit: "signatures", Units: 0,
			Price: solcrypto.CostSecp256k1Recover, Input: l.buf, Args: [5]uint64{h, uint64(compact[0] - 27), sig, res}})
	}

	// Poseidon over n big-endian field elements.
	for _, n := range []int{1, 2, 6, 12} {
		parts := make([][]byte, n)
		r := sampleRand(fmt.Sprintf("poseidon %d", n))
		for i := range parts {
			var e fr.Element
			e.SetBigInt(new(big.Int).SetBytes(randomBytes(r, 32)))
			b := e.Bytes()
			parts[i] = b[:]
		}
		var l layout
		arr := l.slices(parts)
		res := l.zeros(32)
		price, ok := solcrypto.PoseidonCost(uint64(n))
		if !ok {
			return nil, fmt.Errorf("poseidon price of %d inputs overflows", n)
		}
		var claim uint64
		if n == 2 {
			claim = 50 // the proposal estimated: "Poseidon hash", hardware
		}
		add(CostSample{Syscall: solcrypto.NamePoseidon, Size: uint64(n), Unit: "inputs", Units: uint64(n * n), UnitsOf: "inputs²",
			Price: price, ProposalCU: claim, Input: l.buf,
			Args: [5]uint64{solcrypto.PoseidonBn254X5, solcrypto.PoseidonBigEndian, arr, uint64(n), res}})
	}

	// BN254 (alt_bn128), EIP-196/197 big-endian encodings.
	r := sampleRand("bn254")
	g1 := func() bn254.G1Affine {
		var p bn254.G1Affine
		p.ScalarMultiplicationBase(randomScalar(r))
		return p
	}
	g2 := func() bn254.G2Affine {
		var p bn254.G2Affine
		p.ScalarMultiplicationBase(randomScalar(r))
		return p
	}
	bnOp := func(op string, sel uint64, input []byte, outLen int, price uint64) {
		var l layout
		in, res := l.put(input), l.zeros(outLen)
		add(CostSample{Syscall: solcrypto.NameAltBN128GroupOp, Op: op, Size: uint64(len(input)), Unit: "bytes",
			Price: price, Input: l.buf, Args: [5]uint64{sel, in, uint64(len(input)), res}})
	}
	{
		p, q := g1(), g1()
		bnOp("g1_add", solcrypto.AltBN128G1Add, concat(beG1(&p), beG1(&q)), 64, solcrypto.CostAltBN128G1Add)
		bnOp("g1_mul", solcrypto.AltBN128G1Mul, concat(beG1(&p), be32(randomScalar(r))), 64, solcrypto.CostAltBN128G1Mul)
		a, b := g2(), g2()
		bnOp("g2_add", solcrypto.AltBN128G2Add, concat(beG2(&a), beG2(&b)), 128, solcrypto.CostAltBN128G2Add)
		bnOp("g2_mul", solcrypto.AltBN128G2Mul, concat(beG2(&a), be32(randomScalar(r))), 128, solcrypto.CostAltBN128G2Mul)
	}
	for _, k := range []int{1, 2, 4} {
		var input []byte
		for range k {
			p, q := g1(), g2()
			input = concat(input, beG1(&p), beG2(&q))
		}
		var l layout
		in, res := l.put(input), l.zeros(32)
		add(CostSample{Syscall: solcrypto.NameAltBN128GroupOp, Op: "pairing", Size: uint64(k), Unit: "pairs",
			Units: uint64(k - 1), UnitsOf: "pairs after the first",
			Price: solcrypto.AltBN128PairingCost(uint64(len(input))), Input: l.buf,
			Args: [5]uint64{solcrypto.AltBN128Pairing, in, uint64(len(input)), res}})
	}
	{
		p, q := g1(), g2()
		compress := func(op string, sel uint64, input []byte, outLen int, price uint64) {
			var l layout
			in, res := l.put(input), l.zeros(outLen)
			add(CostSample{Syscall: solcrypto.NameAltBN128Compress, Op: op, Size: uint64(len(input)), Unit: "bytes",
				Price: solcrypto.CostSyscallBase + price, Input: l.buf, Args: [5]uint64{sel, in, uint64(len(input)), res}})
		}
		compress("g1_compress", solcrypto.AltBN128G1Compress, beG1(&p), 32, solcrypto.CostAltBN128G1Compress)
		// Compressed big-endian: x without flags (the smaller root of y).
		x := p.X.Bytes()
		compress("g1_decompress", solcrypto.AltBN128G1Decompress, x[:], 64, solcrypto.CostAltBN128G1Decompress)
		compress("g2_compress", solcrypto.AltBN128G2Compress, beG2(&q), 64, solcrypto.CostAltBN128G2Compress)
		x1, x0 := q.X.A1.Bytes(), q.X.A0.Bytes()
		compress("g2_decompress", solcrypto.AltBN128G2Decompress, concat(x1[:], x0[:]), 128, solcrypto.CostAltBN128G2Decompress)
	}

	// curve25519: edwards and ristretto points and canonical scalars.
	cr := sampleRand("curve25519")
	var scalarErr error
	newScalar := func() *edwards25519.Scalar {
		s, err := edwards25519.NewScalar().SetUniformBytes(randomBytes(cr, 64))
		if err != nil { // only for a length other than 64
			scalarErr = err
			return edwards25519.NewScalar()
		}
		return s
	}
	scalar := func() []byte { return newScalar().Bytes() }
	edPoint := func() []byte { return new(edwards25519.Point).ScalarBaseMult(newScalar()).Bytes() }
	rPoint := func() []byte {
		return ristretto255.NewElement().FromUniformBytes(randomBytes(cr, 64)).Encode(nil)
	}
	curves := []struct {
		name     string
		id       uint64
		point    func() []byte
		validate uint64
		add      uint64
		sub      uint64
		mul      uint64
		msmBase  uint64
		msmIncr  uint64
	}{
		{"edwards", solcrypto.CurveEdwards, edPoint, solcrypto.CostEdwardsValidate, solcrypto.CostEdwardsAdd,
			solcrypto.CostEdwardsSubtract, solcrypto.CostEdwardsMultiply, solcrypto.CostEdwardsMSMBase, solcrypto.CostEdwardsMSMIncrement},
		{"ristretto", solcrypto.CurveRistretto, rPoint, solcrypto.CostRistrettoValidate, solcrypto.CostRistrettoAdd,
			solcrypto.CostRistrettoSubtract, solcrypto.CostRistrettoMultiply, solcrypto.CostRistrettoMSMBase, solcrypto.CostRistrettoMSMIncr},
	}
	for _, cv := range curves {
		var l layout
		p := l.put(cv.point())
		add(CostSample{Syscall: solcrypto.NameCurveValidatePoint, Op: cv.name, Size: 32, Unit: "bytes",
			Price: cv.validate, Input: l.buf, Args: [5]uint64{cv.id, p}})
	}
	for _, cv := range curves {
		for _, op := range []struct {
			name  string
			id    uint64
			price uint64
		}{{"add", solcrypto.CurveOpAdd, cv.add}, {"sub", solcrypto.CurveOpSub, cv.sub}, {"mul", solcrypto.CurveOpMul, cv.mul}} {
			var l layout
			left := cv.point()
			if op.id == solcrypto.CurveOpMul {
				left = scalar()
			}
			a, b, res := l.put(left), l.put(cv.point()), l.zeros(32)
			add(CostSample{Syscall: solcrypto.NameCurveGroupOp, Op: cv.name + " " + op.name, Size: 64, Unit: "bytes",
				Price: op.price, Input: l.buf, Args: [5]uint64{cv.id, op.id, a, b, res}})
		}
	}
	for _, cv := range curves {
		for _, n := range []int{1, 8, 32} {
			var scalars, points []byte
			for range n {
				scalars = append(scalars, scalar()...)
				points = append(points, cv.point()...)
			}
			var l layout
			s, p, res := l.put(scalars), l.put(points), l.zeros(32)
			add(CostSample{Syscall: solcrypto.NameCurveMultiscalar, Op: cv.name, Size: uint64(n), Unit: "points",
				Units: uint64(n - 1), UnitsOf: "points after the first",
				Price: solcrypto.MultiscalarCost(cv.msmBase, cv.msmIncr, uint64(n)), Input: l.buf,
				Args: [5]uint64{cv.id, s, p, uint64(n), res}})
		}
	}

	if scalarErr != nil {
		return nil, scalarErr
	}

	// big_mod_exp with base, exponent and an odd modulus of L bytes each,
	// every one with its top bit set.
	for _, n := range []int{32, 128, 512} {
		br := sampleRand(fmt.Sprintf("big_mod_exp %d", n))
		base, exp, mod := randomBytes(br, n), randomBytes(br, n), randomBytes(br, n)
		for _, b := range [][]byte{base, exp, mod} {
			b[0] |= 0x80
		}
		mod[n-1] |= 1
		var l layout
		params := make([]byte, 48)
		binary.LittleEndian.PutUint64(params[0:], l.put(base))
		binary.LittleEndian.PutUint64(params[8:], uint64(n))
		binary.LittleEndian.PutUint64(params[16:], l.put(exp))
		binary.LittleEndian.PutUint64(params[24:], uint64(n))
		binary.LittleEndian.PutUint64(params[32:], l.put(mod))
		binary.LittleEndian.PutUint64(params[40:], uint64(n))
		pp, res := l.put(params), l.zeros(n)
		add(CostSample{Syscall: solcrypto.NameBigModExp, Size: uint64(n), Unit: "bytes",
			Units: uint64(n*n) / solcrypto.CostBigModExpDivisor, UnitsOf: "⌊L²/2⌋",
			Price: solcrypto.BigModExpCost(uint64(n)), Input: l.buf, Args: [5]uint64{pp, res}})
	}
	return out, nil
}

// randomScalar returns a non-zero element of BN254's scalar field.
func randomScalar(r *rand.ChaCha8) *big.Int {
	var e fr.Element
	for e.IsZero() {
		e.SetBigInt(new(big.Int).SetBytes(randomBytes(r, 32)))
	}
	var k big.Int
	return e.BigInt(&k)
}

func beG1(p *bn254.G1Affine) []byte {
	x, y := p.X.Bytes(), p.Y.Bytes()
	return concat(x[:], y[:])
}

// beG2 is EIP-197's G2 encoding: x.c1, x.c0, y.c1, y.c0, big-endian.
func beG2(p *bn254.G2Affine) []byte {
	x1, x0, y1, y0 := p.X.A1.Bytes(), p.X.A0.Bytes(), p.Y.A1.Bytes(), p.Y.A0.Bytes()
	return concat(x1[:], x0[:], y1[:], y0[:])
}

func be32(k *big.Int) []byte { return k.FillBytes(make([]byte, 32)) }

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// extCryptoSamples covers package ext/crypto (BLS, Pedersen, VRF), with
// the prices of its cost functions. The signatures and proofs are made
// here from fixed keys.
func extCryptoSamples() ([]CostSample, error) {
	var out []CostSample
	add := func(s CostSample) { out = append(out, s) }
	r := sampleRand("ext/crypto")
	dst := []byte(crypto.BLSCiphersuite)

	// BLS keys: secret scalars, their public keys, signatures.
	blsKey := func() (*big.Int, []byte) {
		sk := randomBLSScalar(r)
		var pk bls12381.G1Affine
		pk.ScalarMultiplicationBase(sk)
		b := pk.Bytes()
		return sk, b[:]
	}
	sign := func(sk *big.Int, msg []byte) (bls12381.G2Affine, error) {
		h, err := bls12381.HashToG2(msg, dst)
		if err != nil {
			return h, err
		}
		var sig bls12381.G2Affine
		sig.ScalarMultiplication(&h, sk)
		return sig, nil
	}
	g2Bytes := func(p *bls12381.G2Affine) []byte {
		b := p.Bytes()
		return b[:]
	}

	for _, n := range []int{32, kib, 16 * kib} {
		sk, pk := blsKey()
		msg := randomBytes(r, n)
		sig, err := sign(sk, msg)
		if err != nil {
			return nil, err
		}
		var l layout
		pkA, sigA, msgA := l.put(pk), l.put(g2Bytes(&sig)), l.put(msg)
		var claim uint64
		if n == 32 {
			claim = 500 // the proposal estimated: "BLS verify", hardware
		}
		add(CostSample{Syscall: crypto.NameBLSVerify, Size: uint64(n), Unit: "bytes",
			Units: blocksOf(n, 64), UnitsOf: "64-byte message blocks",
			Price: crypto.BLSVerifyCost(uint64(n)), ProposalCU: claim, Input: l.buf,
			Args: [5]uint64{pkA, sigA, msgA, uint64(n)}})
	}

	for _, kind := range []struct {
		name string
		id   uint64
	}{{"signatures", crypto.BLSKindSignatures}, {"public keys", crypto.BLSKindPublicKeys}} {
		for _, n := range []int{1, 10, 64} {
			msg := randomBytes(r, 32)
			var elems []byte
			for range n {
				sk, pk := blsKey()
				if kind.id == crypto.BLSKindPublicKeys {
					elems = append(elems, pk...)
					continue
				}
				sig, err := sign(sk, msg)
				if err != nil {
					return nil, err
				}
				elems = append(elems, g2Bytes(&sig)...)
			}
			outLen := crypto.BLSSignatureSize
			if kind.id == crypto.BLSKindPublicKeys {
				outLen = crypto.BLSPublicKeySize
			}
			var l layout
			in, res := l.put(elems), l.zeros(outLen)
			var claim uint64
			if kind.id == crypto.BLSKindSignatures && n == 10 {
				claim = 2000 // the proposal estimated: "BLS aggregate (10 sigs)", hardware
			}
			add(CostSample{Syscall: crypto.NameBLSAggregate, Op: kind.name, Size: uint64(n), Unit: kind.name,
				Units: uint64(n), Price: crypto.BLSAggregateCost(kind.id, uint64(n)), ProposalCU: claim, Input: l.buf,
				Args: [5]uint64{kind.id, in, uint64(len(elems)), res}})
		}
	}

	// Fast aggregate verify: n signers of one 32-byte message.
	for _, n := range []int{1, 10, 64} {
		msg := randomBytes(r, 32)
		var pks []byte
		var agg bls12381.G2Affine
		for i := range n {
			sk, pk := blsKey()
			pks = append(pks, pk...)
			sig, err := sign(sk, msg)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				agg = sig
			} else {
				agg.Add(&agg, &sig)
			}
		}
		var l layout
		pksA, sigA, msgA := l.put(pks), l.put(g2Bytes(&agg)), l.put(msg)
		add(CostSample{Syscall: crypto.NameBLSFastAggregateVerify, Size: uint64(n), Unit: "public keys", Units: uint64(n),
			Price: crypto.BLSFastAggregateVerifyCost(uint64(n), uint64(len(msg))), Input: l.buf,
			Args: [5]uint64{pksA, uint64(len(pks)), sigA, msgA, uint64(len(msg))}})
	}

	// Aggregate verify: n signers, each of its own 32-byte message.
	for _, n := range []int{1, 4, 16} {
		var pks []byte
		var msgs [][]byte
		var agg bls12381.G2Affine
		for i := range n {
			sk, pk := blsKey()
			msg := randomBytes(r, 32)
			pks, msgs = append(pks, pk...), append(msgs, msg)
			sig, err := sign(sk, msg)
			if err != nil {
				return nil, err
			}
			if i == 0 {
				agg = sig
			} else {
				agg.Add(&agg, &sig)
			}
		}
		var l layout
		pksA, sigA, msgsA := l.put(pks), l.put(g2Bytes(&agg)), l.slices(msgs)
		add(CostSample{Syscall: crypto.NameBLSAggregateVerify, Size: uint64(n), Unit: "pairs", Units: uint64(n),
			Price: crypto.BLSAggregateVerifyCost(uint64(n), uint64(n)*blocksOf(32, 64)), Input: l.buf,
			Args: [5]uint64{pksA, uint64(len(pks)), sigA, msgsA, uint64(n)}})
	}

	// Pedersen commitments on ristretto255.
	{
		m := edwardsScalar(r).Bytes()
		rs := edwardsScalar(r).Bytes()
		c, code := crypto.PedersenCommit(m, rs)
		if code != crypto.OK {
			return nil, fmt.Errorf("pedersen commitment of the sample: %v", code)
		}
		var l layout
		mA, rA, res := l.put(m), l.put(rs), l.zeros(crypto.PedersenCommitmentSize)
		add(CostSample{Syscall: crypto.NamePedersenCommit, Size: 64, Unit: "bytes",
			Price: crypto.CostPedersenCommit, Input: l.buf, Args: [5]uint64{mA, rA, res}})
		var v layout
		cA, mA2, rA2 := v.put(c), v.put(m), v.put(rs)
		add(CostSample{Syscall: crypto.NamePedersenVerify, Size: 96, Unit: "bytes",
			Price: crypto.CostPedersenVerify, Input: v.buf, Args: [5]uint64{cA, mA2, rA2}})
	}

	// VRF proofs made here for alphas of several sizes.
	for _, suite := range []struct {
		name  string
		id    crypto.VRFSuite
		prove func(x *edwards25519.Scalar, k *edwards25519.Scalar, alpha []byte) (pk, proof []byte, err error)
	}{
		{"edwards25519", crypto.VRFEdwards25519TAI, vrfProveEdwards},
		{"ristretto255", crypto.VRFRistretto255, vrfProveRistretto},
	} {
		for _, n := range []int{32, kib, 16 * kib} {
			alpha := randomBytes(r, n)
			pk, proof, err := suite.prove(edwardsScalar(r), edwardsScalar(r), alpha)
			if err != nil {
				return nil, err
			}
			price, ok := crypto.VRFVerifyCost(suite.id, uint64(n))
			if !ok {
				return nil, fmt.Errorf("no VRF price for suite %v", suite.id)
			}
			var l layout
			kp, alphaA, res := l.put(concat(pk, proof)), l.put(alpha), l.zeros(crypto.VRFOutputSize)
			add(CostSample{Syscall: crypto.NameVRFVerify, Op: suite.name, Size: uint64(n), Unit: "bytes",
				Units: blocksOf(n, 128), UnitsOf: "128-byte alpha blocks", Price: price, Input: l.buf,
				Args: [5]uint64{uint64(suite.id), kp, alphaA, uint64(n), res}})
		}
	}
	return out, nil
}

func blocksOf(n, block int) uint64 { return uint64((n + block - 1) / block) }

// randomBLSScalar returns a non-zero BLS12-381 secret key.
func randomBLSScalar(r *rand.ChaCha8) *big.Int {
	var e blsfr.Element
	for e.IsZero() {
		e.SetBigInt(new(big.Int).SetBytes(randomBytes(r, 32)))
	}
	var k big.Int
	return e.BigInt(&k)
}

// edwardsScalar returns a uniformly random scalar modulo ℓ.
func edwardsScalar(r *rand.ChaCha8) *edwards25519.Scalar {
	s, err := edwards25519.NewScalar().SetUniformBytes(randomBytes(r, 64))
	if err != nil { // only for a length other than 64
		return edwards25519.NewScalar()
	}
	return s
}

// vrfChallenge16 is RFC 9381's challenge generation: the first 16 bytes of
// SHA-512(suite || 0x02 || points || 0x00).
func vrfChallenge16(suite []byte, points ...[]byte) []byte {
	h := sha512.New()
	h.Write(suite)
	h.Write([]byte{0x02})
	for _, p := range points {
		h.Write(p)
	}
	h.Write([]byte{0x00})
	return h.Sum(nil)[:16]
}

// vrfResponse is s = k + c·x mod ℓ for the 16-byte challenge c.
func vrfResponse(k, x *edwards25519.Scalar, c []byte) ([]byte, error) {
	var cb [32]byte
	copy(cb[:], c)
	cs, err := edwards25519.NewScalar().SetCanonicalBytes(cb[:])
	if err != nil {
		return nil, err
	}
	return edwards25519.NewScalar().MultiplyAdd(cs, x, k).Bytes(), nil
}

// vrfProveEdwards makes an ECVRF-EDWARDS25519-SHA512-TAI proof (RFC 9381
// §5.1) with secret scalar x and nonce k. The nonce need not be RFC 8032's
// for the proof to verify.
func vrfProveEdwards(x, k *edwards25519.Scalar, alpha []byte) (pk, proof []byte, err error) {
	suite := []byte{0x03}
	pk = new(edwards25519.Point).ScalarBaseMult(x).Bytes()
	var h *edwards25519.Point
	for ctr := 0; ctr < 256 && h == nil; ctr++ {
		d := sha512.New()
		d.Write(suite)
		d.Write([]byte{0x01})
		d.Write(pk)
		d.Write(alpha)
		d.Write([]byte{byte(ctr), 0x00})
		sum := d.Sum(nil)[:32]
		p, err := new(edwards25519.Point).SetBytes(sum)
		if err != nil || !bytes.Equal(p.Bytes(), sum) {
			continue
		}
		p.MultByCofactor(p)
		if p.Equal(edwards25519.NewIdentityPoint()) == 0 {
			h = p
		}
	}
	if h == nil {
		return nil, nil, fmt.Errorf("vrf: no counter encodes alpha to the curve")
	}
	gamma := new(edwards25519.Point).ScalarMult(x, h).Bytes()
	u := new(edwards25519.Point).ScalarBaseMult(k).Bytes()
	v := new(edwards25519.Point).ScalarMult(k, h).Bytes()
	c := vrfChallenge16(suite, pk, h.Bytes(), gamma, u, v)
	s, err := vrfResponse(k, x, c)
	if err != nil {
		return nil, nil, err
	}
	return pk, concat(gamma, c, s), nil
}

// vrfProveRistretto makes an ECVRF-RISTRETTO255-SHA512 proof
// (c2sp.org/vrf-r255) with secret scalar x and nonce k.
func vrfProveRistretto(x, k *edwards25519.Scalar, alpha []byte) (pk, proof []byte, err error) {
	suite := []byte("\xffc2sp.org/vrf-r255")
	rx, rk := ristretto255.NewScalar(), ristretto255.NewScalar()
	if err := rx.Decode(x.Bytes()); err != nil {
		return nil, nil, err
	}
	if err := rk.Decode(k.Bytes()); err != nil {
		return nil, nil, err
	}
	pk = ristretto255.NewElement().ScalarBaseMult(rx).Encode(nil)
	d := sha512.New()
	d.Write(suite)
	d.Write([]byte{0x82})
	d.Write(pk)
	d.Write(alpha)
	h := ristretto255.NewElement().FromUniformBytes(d.Sum(nil))
	gamma := ristretto255.NewElement().ScalarMult(rx, h).Encode(nil)
	u := ristretto255.NewElement().ScalarBaseMult(rk).Encode(nil)
	v := ristretto255.NewElement().ScalarMult(rk, h).Encode(nil)
	c := vrfChallenge16(suite, pk, h.Encode(nil), gamma, u, v)
	s, err := vrfResponse(k, x, c)
	if err != nil {
		return nil, nil, err
	}
	return pk, concat(gamma, c, s), nil
}

// extZKSamples covers package ext/zk: Groth16 and PLONK verification on
// BN254 and BLS12-381, with the valid proofs of zk.BenchCases. Each
// (syscall, curve) has two families: n public inputs without commitments
// (op "bn254"), and c BSB22 commitments with one input (op "bn254
// commitments"); the case n = 1, c = 0 belongs to both.
func extZKSamples() ([]CostSample, error) {
	cases, err := zk.BenchCases()
	if err != nil {
		return nil, err
	}
	var out []CostSample
	for _, c := range cases {
		var l layout
		vk, proof, pub := l.put(c.Args.VerifyingKey), l.put(c.Args.Proof), l.put(c.Args.PublicInputs)
		block := make([]byte, 48)
		for i, v := range []uint64{vk, uint64(len(c.Args.VerifyingKey)), proof, uint64(len(c.Args.Proof)), pub, uint64(len(c.Args.PublicInputs))} {
			binary.LittleEndian.PutUint64(block[8*i:], v)
		}
		args := [5]uint64{uint64(c.Curve), l.put(block)}
		var claim uint64
		if c.Curve == zk.CurveBN254 && c.Inputs == 1 && c.Commitments == 0 {
			claim = 5000 // the proposal estimated: "Groth16 verify", hardware
			if c.Scheme == zk.Plonk {
				claim = 10_000 // "PLONK verify"
			}
		}
		curve := c.Curve.String()
		if c.Commitments == 0 {
			out = append(out, CostSample{Syscall: c.Syscall, Op: curve, Size: c.Inputs, Unit: "public inputs",
				Units: c.Inputs, Price: c.Price, ProposalCU: claim, Input: l.buf, Args: args})
		}
		if c.Inputs == 1 {
			out = append(out, CostSample{Syscall: c.Syscall, Op: curve + " commitments", Size: c.Commitments,
				Unit: "commitments", Units: c.Commitments, Price: c.Price, Input: l.buf, Args: args})
		}
	}
	return out, nil
}
