package bench

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"

	bls12381 "github.com/consensys/gnark-crypto/ecc/bls12-381"
	"github.com/consensys/gnark-crypto/ecc/bn254"

	"github.com/agora-vm/agora/ext/offload"
	"github.com/agora-vm/agora/internal/blssig"
	"github.com/agora-vm/agora/syscalls/solcrypto"
)

// This file holds each row's input and its baseline: what a program
// without the offload extension runs to produce the same bytes, written
// after the request, in offload's result layout.

// fill replaces each {KEY} of src by its value.
func fill(src string, kv ...any) string {
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i].(string)+"}", fmt.Sprint(kv[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(src)
}

// i64s returns n little-endian int64 values drawn from [-lim, lim).
func i64s(rng *rand.Rand, n int, lim int64) []byte {
	b := make([]byte, 8*n)
	for i := range n {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(rng.Int64N(2*lim)-lim))
	}
	return b
}

// offloadSyscall submits the request at the input's start to accelerator
// 1 and polls until it is done, the result going after the request.
func offloadSyscall(reqLen, outLen int) string {
	return fill(`
    mov64 r9, r1
    mov64 r1, 1
    mov64 r2, r9
    mov64 r3, {REQLEN}
    hw_offload_submit
    jeq r0, 0, fail
    mov64 r6, r0
poll:
    mov64 r1, r6
    mov64 r2, r9
    add64 r2, {REQLEN}
    mov64 r3, {OUTLEN}
    hw_offload_poll
    jeq r0, 0, poll
    sub64 r0, 1
    exit
fail:
    mov64 r0, 99
    exit
`, "REQLEN", reqLen, "OUTLEN", outLen)
}

// matmulI8Case is MATMUL_I8 n×n×n on random int8 operands.
func matmulI8Case(n int) offloadCase {
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	a, b := make([]byte, n*n), make([]byte, n*n)
	for i := range a {
		a[i], b[i] = byte(rng.Uint32()), byte(rng.Uint32())
	}
	req := offload.EncodeRequest(offload.OpMatMulI8, uint32(n), uint32(n), uint32(n), 0, a, b)
	return offloadCase{"MATMUL", fmt.Sprintf("%dx%dx%d", n, n, n), req, 4 * n * n, matmulBytecode(n)}
}

// matmulBytecode is an int8×int8→int32 n×n×n matrix multiply over the
// request layout (A at 24, B after it, C after the request), the loop a
// program without the extension runs.
func matmulBytecode(n int) string {
	return fill(`
    mov64 r9, r1
    mov64 r6, 0
row:
    mov64 r7, 0
col:
    mov64 r0, 0
    mov64 r8, 0
dot:
    mov64 r2, r6
    mul64 r2, {N}
    add64 r2, r8
    add64 r2, r9
    ldxb r3, [r2+{HDR}]
    lsh64 r3, 56
    arsh64 r3, 56
    mov64 r4, r8
    mul64 r4, {N}
    add64 r4, r7
    add64 r4, r9
    add64 r4, {OFFB}
    ldxb r5, [r4+0]
    lsh64 r5, 56
    arsh64 r5, 56
    mul64 r3, r5
    add64 r0, r3
    add64 r8, 1
    jlt r8, {N}, dot
    mov64 r2, r6
    mul64 r2, {N}
    add64 r2, r7
    lsh64 r2, 2
    add64 r2, r9
    add64 r2, {OFFC}
    stxw [r2+0], r0
    add64 r7, 1
    jlt r7, {N}, col
    add64 r6, 1
    jlt r6, {N}, row
    mov64 r0, 0
    exit
`, "N", n, "HDR", offload.HeaderSize, "OFFB", offload.HeaderSize+n*n, "OFFC", offload.HeaderSize+2*n*n)
}

// matmulFxCase is MATMUL_FX64 n×n×n with a fixed-point shift: the
// bytecode walks A's row and B's column with pointers, 8 instructions
// per multiply-accumulate, and shifts each sum arithmetically.
func matmulFxCase(n int, shift uint32) offloadCase {
	rng := rand.New(rand.NewPCG(uint64(n), 2))
	a, b := i64s(rng, n*n, 1<<24), i64s(rng, n*n, 1<<24)
	req := offload.EncodeRequest(offload.OpMatMulFx64, uint32(n), uint32(n), uint32(n), shift, a, b)
	src := fill(`
    mov64 r9, r1
    mov64 r6, 0
row:
    mov64 r7, 0
col:
    mov64 r0, 0
    mov64 r2, r6
    mul64 r2, {ROW}
    add64 r2, r9
    add64 r2, {OFFA}
    mov64 r4, r7
    lsh64 r4, 3
    add64 r4, r9
    add64 r4, {OFFB}
    mov64 r8, 0
dot:
    ldxdw r3, [r2+0]
    ldxdw r5, [r4+0]
    mul64 r3, r5
    add64 r0, r3
    add64 r2, 8
    add64 r4, {ROW}
    add64 r8, 1
    jlt r8, {N}, dot
    arsh64 r0, {SHIFT}
    mov64 r2, r6
    mul64 r2, {N}
    add64 r2, r7
    lsh64 r2, 3
    add64 r2, r9
    add64 r2, {OFFC}
    stxdw [r2+0], r0
    add64 r7, 1
    jlt r7, {N}, col
    add64 r6, 1
    jlt r6, {N}, row
    mov64 r0, 0
    exit
`, "N", n, "ROW", 8*n, "SHIFT", shift, "OFFA", offload.HeaderSize, "OFFB", offload.HeaderSize+8*n*n, "OFFC", len(req))
	return offloadCase{"MATMUL_FX64", fmt.Sprintf("%dx%dx%d shift %d", n, n, n, shift), req, 8 * n * n, src}
}

// reluCase is RELU over m×n random int64 values, half of them negative.
func reluCase(m, n int) offloadCase {
	rng := rand.New(rand.NewPCG(uint64(m*n), 3))
	req := offload.EncodeRequest(offload.OpReLU, uint32(m), 0, uint32(n), 0, i64s(rng, m*n, 1<<61), nil)
	src := fill(`
    mov64 r9, r1
    mov64 r6, 0
    mov64 r2, r9
    add64 r2, {HDR}
    mov64 r4, r9
    add64 r4, {OUT}
loop:
    ldxdw r3, [r2+0]
    jsgt r3, 0, keep
    mov64 r3, 0
keep:
    stxdw [r4+0], r3
    add64 r2, 8
    add64 r4, 8
    add64 r6, 1
    jlt r6, {COUNT}, loop
    mov64 r0, 0
    exit
`, "HDR", offload.HeaderSize, "OUT", len(req), "COUNT", m*n)
	return offloadCase{"RELU", fmt.Sprintf("%dx%d", m, n), req, 8 * m * n, src}
}

// argmaxCase is ARGMAX over m rows of n int64 values from a small range,
// so that rows have ties and the first index of the maximum matters.
func argmaxCase(m, n int) offloadCase {
	rng := rand.New(rand.NewPCG(uint64(m*n), 4))
	req := offload.EncodeRequest(offload.OpArgMax, uint32(m), 0, uint32(n), 0, i64s(rng, m*n, 64), nil)
	src := fill(`
    mov64 r9, r1
    mov64 r2, r9
    add64 r2, {HDR}
    mov64 r8, r9
    add64 r8, {OUT}
    mov64 r6, 0
row:
    ldxdw r4, [r2+0]
    mov64 r5, 0
    mov64 r7, 1
col:
    jge r7, {N}, done
    add64 r2, 8
    ldxdw r3, [r2+0]
    jsle r3, r4, next
    mov64 r4, r3
    mov64 r5, r7
next:
    add64 r7, 1
    ja col
done:
    add64 r2, 8
    stxw [r8+0], r5
    add64 r8, 4
    add64 r6, 1
    jlt r6, {M}, row
    mov64 r0, 0
    exit
`, "HDR", offload.HeaderSize, "OUT", len(req), "M", m, "N", n)
	return offloadCase{"ARGMAX", fmt.Sprintf("%dx%d", m, n), req, 4 * m, src}
}

// conv1DCase is CONV1D of n int64 inputs with a k-tap kernel and a
// fixed-point shift.
func conv1DCase(n, k int, shift uint32) offloadCase {
	rng := rand.New(rand.NewPCG(uint64(n*k), 5))
	req := offload.EncodeRequest(offload.OpConv1D, 0, uint32(k), uint32(n), shift, i64s(rng, n, 1<<24), i64s(rng, k, 1<<16))
	src := fill(`
    mov64 r9, r1
    mov64 r6, 0
    mov64 r8, r9
    add64 r8, {OUT}
outer:
    mov64 r0, 0
    mov64 r2, r6
    lsh64 r2, 3
    add64 r2, r9
    add64 r2, {HDR}
    mov64 r4, r9
    add64 r4, {OFFW}
    mov64 r7, 0
inner:
    ldxdw r3, [r2+0]
    ldxdw r5, [r4+0]
    mul64 r3, r5
    add64 r0, r3
    add64 r2, 8
    add64 r4, 8
    add64 r7, 1
    jlt r7, {K}, inner
    arsh64 r0, {SHIFT}
    stxdw [r8+0], r0
    add64 r8, 8
    add64 r6, 1
    jlt r6, {OUTN}, outer
    mov64 r0, 0
    exit
`, "HDR", offload.HeaderSize, "OFFW", offload.HeaderSize+8*n, "OUT", len(req), "K", k, "SHIFT", shift, "OUTN", n-k+1)
	return offloadCase{"CONV1D", fmt.Sprintf("n=%d k=%d shift %d", n, k, shift), req, 8 * (n - k + 1), src}
}

// poseidonCase is POSEIDON_MANY of n hashes of k inputs; the last hash
// has an input above the field modulus, so its status is 0. The baseline
// calls sol_poseidon (big-endian) once per hash with k slices built on
// the stack, and sets the status byte where it returns 0.
func poseidonCase(n, k int) offloadCase {
	rng := rand.New(rand.NewPCG(uint64(n*k), 6))
	in := make([]byte, 32*n*k)
	for i := range in {
		in[i] = byte(rng.Uint32())
	}
	for i := 0; i < len(in); i += 32 {
		in[i] &= 0x1f // below the modulus, 0x3064…
	}
	in[32*(n-1)*k] = 0xff
	req := offload.EncodeRequest(offload.OpPoseidonMany, 0, uint32(k), uint32(n), 0, in, nil)
	src := fill(`
    mov64 r9, r1
    mov64 r8, r9
    add64 r8, {HDR}
    mov64 r6, 0
hash:
    mov64 r2, r10
    sub64 r2, {SLICES}
    mov64 r7, 0
slice:
    stxdw [r2+0], r8
    stdw [r2+8], 32
    add64 r8, 32
    add64 r2, 16
    add64 r7, 1
    jlt r7, {K}, slice
    mov64 r5, r6
    mul64 r5, {RES}
    add64 r5, r9
    add64 r5, {OUT1}
    mov64 r1, {PARAMS}
    mov64 r2, {BE}
    mov64 r3, r10
    sub64 r3, {SLICES}
    mov64 r4, {K}
    syscall sol_poseidon
    jne r0, 0, next
    mov64 r2, r6
    mul64 r2, {RES}
    add64 r2, r9
    add64 r2, {OUT}
    stb [r2+0], 1
next:
    add64 r6, 1
    jlt r6, {N}, hash
    mov64 r0, 0
    exit
`, "HDR", offload.HeaderSize, "SLICES", 16*k, "K", k, "N", n, "RES", offload.PoseidonResultSize,
		"OUT", len(req), "OUT1", len(req)+1, "PARAMS", solcrypto.PoseidonBn254X5, "BE", solcrypto.PoseidonBigEndian)
	return offloadCase{"POSEIDON_MANY", fmt.Sprintf("%d hashes x %d inputs", n, k), req, offload.PoseidonResultSize * n, src}
}

// copyDW copies n bytes (a multiple of 8) from [src+so] to [dst+do].
func copyDW(dst string, do int, src string, so, n int) string {
	var b strings.Builder
	for i := 0; i < n; i += 8 {
		fmt.Fprintf(&b, "    ldxdw r0, [%s%+d]\n    stxdw [%s%+d], r0\n", src, so+i, dst, do+i)
	}
	return b.String()
}

// msmBN254Case is MSM_BN254 of n random points (one the identity) and
// full 256-bit scalars. The baseline is Solana's way: per point one
// sol_alt_bn128_group_op G1 multiplication (point‖scalar, big-endian,
// built on the stack) and one G1 addition into the running sum.
func msmBN254Case(n int) offloadCase {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	points, scalars := make([]byte, 64*n), make([]byte, 32*n)
	for i := range n {
		if i == 1 {
			continue // (0,0), the identity
		}
		var p bn254.G1Affine
		p.ScalarMultiplicationBase(new(big.Int).SetUint64(rng.Uint64() | 1))
		x, y := p.X.Bytes(), p.Y.Bytes()
		copy(points[64*i:], x[:])
		copy(points[64*i+32:], y[:])
	}
	for i := range scalars {
		scalars[i] = byte(rng.Uint32())
	}
	req := offload.EncodeRequest(offload.OpMSMBN254, 0, 0, uint32(n), 0, points, scalars)
	// Stack: mul input at -96 (point, scalar), add input at -224 (the
	// running sum at -224, the product at -160), add output at -288.
	src := fill(`
    mov64 r9, r1
    mov64 r7, r9
    add64 r7, {HDR}
    mov64 r8, r9
    add64 r8, {OFFS}
    mov64 r6, 0
point:
{COPYP}{COPYS}    mov64 r1, {MUL}
    mov64 r2, r10
    sub64 r2, 96
    mov64 r3, 96
    mov64 r4, r10
    sub64 r4, 160
    jne r6, 0, mul
    sub64 r4, 64
mul:
    syscall sol_alt_bn128_group_op
    jne r0, 0, bad
    jeq r6, 0, next
    mov64 r1, {ADD}
    mov64 r2, r10
    sub64 r2, 224
    mov64 r3, 128
    mov64 r4, r10
    sub64 r4, 288
    syscall sol_alt_bn128_group_op
    jne r0, 0, bad
{COPYSUM}next:
    add64 r7, 64
    add64 r8, 32
    add64 r6, 1
    jlt r6, {N}, point
    mov64 r2, r9
    add64 r2, {OUT}
{COPYOUT}    mov64 r0, 0
    exit
bad:
    mov64 r2, r9
    add64 r2, {OUT}
    add64 r6, 1
    stxw [r2+0], r6
    mov64 r0, 0
    exit
`, "COPYP", copyDW("r10", -96, "r7", 0, 64), "COPYS", copyDW("r10", -32, "r8", 0, 32),
		"COPYSUM", copyDW("r10", -224, "r10", -288, 64), "COPYOUT", copyDW("r2", 4, "r10", -224, 64),
		"HDR", offload.HeaderSize, "OFFS", offload.HeaderSize+64*n, "OUT", len(req), "N", n,
		"MUL", solcrypto.AltBN128G1Mul, "ADD", solcrypto.AltBN128G1Add)
	return offloadCase{"MSM_BN254", fmt.Sprintf("%d points", n), req, offload.MSMResultSize, src}
}

// blsBatchCase is BATCH_VERIFY_BLS of n signed 32-byte digests, the last
// one's message altered so that it fails. The baseline calls
// agora_bls_verify per record and writes 1 where it returns OK (0).
func blsBatchCase(n int) offloadCase {
	rng := rand.New(rand.NewPCG(uint64(n), 8))
	_, _, g1, _ := bls12381.Generators()
	recs := make([]byte, 0, n*offload.BLSRecordSize)
	for i := range n {
		sk := new(big.Int).SetUint64(rng.Uint64() | 1)
		var pk bls12381.G1Affine
		pk.ScalarMultiplication(&g1, sk)
		msg := make([]byte, 32)
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		h := blssig.HashToG2(msg, blssig.DST())
		var sig bls12381.G2Affine
		sig.ScalarMultiplication(&h, sk)
		if i == n-1 {
			msg[0] ^= 1
		}
		pkb, sigb := pk.Bytes(), sig.Bytes()
		recs = append(append(append(recs, pkb[:]...), sigb[:]...), msg...)
	}
	req := offload.EncodeRequest(offload.OpBatchVerifyBLS, 0, 0, uint32(n), 0, recs, nil)
	src := fill(`
    mov64 r9, r1
    mov64 r7, r9
    add64 r7, {HDR}
    mov64 r8, r9
    add64 r8, {OUT}
    mov64 r6, 0
rec:
    mov64 r1, r7
    mov64 r2, r7
    add64 r2, 48
    mov64 r3, r7
    add64 r3, 144
    mov64 r4, 32
    syscall agora_bls_verify
    jne r0, 0, next
    stb [r8+0], 1
next:
    add64 r7, {REC}
    add64 r8, 1
    add64 r6, 1
    jlt r6, {N}, rec
    mov64 r0, 0
    exit
`, "HDR", offload.HeaderSize, "OUT", len(req), "REC", offload.BLSRecordSize, "N", n)
	return offloadCase{"BATCH_VERIFY_BLS", fmt.Sprintf("%d signatures", n), req, n, src}
}
