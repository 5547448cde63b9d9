package offload

import "encoding/binary"

// Op is an operation code, the first field of a request.
type Op uint32

// Operations. A backend's ops bitmap has bit op set for each it runs.
const (
	OpMatMulI8   Op = 1 // C[m×n] int32 = A[m×k] int8 · B[k×n] int8
	OpMatMulFx64 Op = 2 // C[m×n] int64 = (A[m×k] int64 · B[k×n] int64) >> shift
	OpReLU       Op = 3 // y[m·n] int64 = max(x, 0)
	OpArgMax     Op = 4 // y[m] uint32 = first index of the largest of each row of x[m×n] int64
	OpConv1D     Op = 5 // y[n-k+1] int64 = (Σ_j x[i+j]·w[j]) >> shift, x[n], w[k]
	// OpBatchVerifyEd25519: y[n] u8 = 1 where record i's ed25519
	// signature verifies, else 0; n records of Ed25519RecordSize bytes.
	OpBatchVerifyEd25519 Op = 6
	// OpMSMBN254: Σ sᵢ·Pᵢ over BN254 G1 for n points (64 bytes each,
	// x‖y big-endian, (0,0) the identity, as alt_bn128 encodes them)
	// and n scalars (32 bytes big-endian, taken mod the group order).
	OpMSMBN254 Op = 7
	// OpPoseidonMany: n Poseidon hashes (sol_poseidon's: BN254 x5,
	// big-endian) of k inputs each (1 to 12, 32 bytes each, below the
	// field modulus); each result is a status byte (1 hashed, 0 an input
	// out of range) and the 32-byte hash (zero when the status is 0).
	OpPoseidonMany Op = 8
	// OpMSMBLS12381: Σ sᵢ·Pᵢ over BLS12-381 G1 for n points (96 bytes
	// each, x‖y big-endian, (0,0) the identity; each must be in the
	// prime-order subgroup) and n 32-byte big-endian scalars.
	OpMSMBLS12381 Op = 9
	// OpBatchVerifyBLS: y[n] u8 = 1 where record i's BLS12-381
	// signature verifies (the proof-of-possession scheme of
	// agora_bls_verify, same rules), else 0; n records of
	// BLSRecordSize bytes.
	OpBatchVerifyBLS Op = 10
)

// MSMBLSResultSize is an MSM_BLS12381 result: u32 status, then the
// 96-byte sum.
const MSMBLSResultSize = 100

// PoseidonResultSize is one POSEIDON_MANY result: status and hash.
const PoseidonResultSize = 33

// MaxPoseidonInputs bounds k, the inputs of one POSEIDON_MANY hash.
const MaxPoseidonInputs = 12

// MSMResultSize is an MSM result: u32 status (0, or 1 + the index of
// the first point not on the curve), then the sum (64 bytes; zero when
// status is not 0).
const MSMResultSize = 68

// Ed25519RecordSize is one BATCH_VERIFY_ED25519 record: public key (32),
// signature (64), message (32: a digest of what was signed, so records
// have one size).
const Ed25519RecordSize = 128

// BLSRecordSize is one BATCH_VERIFY_BLS record: compressed G1 public
// key (48), compressed G2 signature (96), message (32: a digest, as for
// ed25519).
const BLSRecordSize = 176

// MaxBatch bounds the records of one batch request (signatures, MSM
// points, Poseidon hashes).
const MaxBatch = 4096

// NumOps is one more than the largest operation code.
const NumOps = 11

var opNames = [NumOps]string{"", "MATMUL_I8", "MATMUL_FX64", "RELU", "ARGMAX", "CONV1D", "BATCH_VERIFY_ED25519", "MSM_BN254", "POSEIDON_MANY", "MSM_BLS12381", "BATCH_VERIFY_BLS"}

// String returns the operation's name, e.g. "MATMUL_I8".
func (o Op) String() string {
	if o < NumOps && opNames[o] != "" {
		return opNames[o]
	}
	return "Op(" + itoa(uint64(o)) + ")"
}

// Request layout: a 24-byte little-endian header, then the operands.
const (
	HeaderSize = 24
	offOp      = 0
	offM       = 4
	offK       = 8
	offN       = 12
	offShift   = 16
	// OffStatus is where submit writes a status code when it returns 0.
	OffStatus = 20
)

// Status codes submit writes at OffStatus of a request it returns 0 for.
const (
	StatusOK        = 0 // never written: submit returned a task id
	StatusQueueFull = 1 // the run already holds MaxTasks tasks
)

// MaxDim bounds every dimension of a request (m, k, n).
const MaxDim = 512

// MaxTasks bounds the tasks one run may submit (done and cancelled ones
// included), so that a run's table stays bounded.
const MaxTasks = 256

// Request is a decoded request. The operand slices alias the guest bytes
// they were decoded from.
type Request struct {
	Op      Op
	M, K, N uint32
	Shift   uint32
	A, B    []byte // operands, little-endian as the layout says
}

// Units is the request's amount of work, which its price is linear in:
// multiply-accumulates for MATMUL and CONV1D, elements for RELU and ARGMAX.
func (r *Request) Units() uint64 {
	m, k, n := uint64(r.M), uint64(r.K), uint64(r.N)
	switch r.Op {
	case OpMatMulI8, OpMatMulFx64:
		return m * k * n
	case OpReLU, OpArgMax:
		return m * n
	case OpConv1D:
		return (n - k + 1) * k
	case OpBatchVerifyEd25519, OpMSMBN254, OpMSMBLS12381, OpBatchVerifyBLS:
		return n
	case OpPoseidonMany:
		// sol_poseidon's price per hash, so that units are CU
		return n * (61*k*k + 542)
	}
	return 0
}

// ResultSize is the length in bytes of the request's result.
func (r *Request) ResultSize() uint64 {
	m, k, n := uint64(r.M), uint64(r.K), uint64(r.N)
	switch r.Op {
	case OpMatMulI8:
		return 4 * m * n
	case OpMatMulFx64, OpReLU:
		return 8 * m * n
	case OpArgMax:
		return 4 * m
	case OpConv1D:
		return 8 * (n - k + 1)
	case OpBatchVerifyEd25519, OpBatchVerifyBLS:
		return n
	case OpMSMBN254:
		return MSMResultSize
	case OpMSMBLS12381:
		return MSMBLSResultSize
	case OpPoseidonMany:
		return PoseidonResultSize * n
	}
	return 0
}

// DecodeRequest checks b against the layout of its operation and returns
// the request. maxDim bounds each dimension. It never panics, and keeps no
// reference to anything but b.
func DecodeRequest(b []byte, maxDim uint32) (*Request, error) {
	if len(b) < HeaderSize {
		return nil, errorf(KindBadRequest, "request of %d bytes, the header alone is %d", len(b), HeaderSize)
	}
	u := func(off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }
	r := &Request{Op: Op(u(offOp)), M: u(offM), K: u(offK), N: u(offN), Shift: u(offShift)}
	if st := u(OffStatus); st != 0 {
		return nil, errorf(KindBadRequest, "status field at offset %d is %d, must be 0 on submit", OffStatus, st)
	}
	nLimit := maxDim
	if r.Op == OpBatchVerifyEd25519 || r.Op == OpMSMBN254 || r.Op == OpPoseidonMany || r.Op == OpMSMBLS12381 || r.Op == OpBatchVerifyBLS {
		nLimit = MaxBatch // n counts records, not a matrix dimension
	}
	for _, d := range []struct {
		name  string
		v     uint32
		off   int
		limit uint32
	}{{"m", r.M, offM, maxDim}, {"k", r.K, offK, maxDim}, {"n", r.N, offN, nLimit}} {
		if d.v > d.limit {
			return nil, errorf(KindDimsTooLarge, "%s = %d at offset %d, the backend takes at most %d", d.name, d.v, d.off, d.limit)
		}
	}
	var sizeA, sizeB uint64
	m, k, n := uint64(r.M), uint64(r.K), uint64(r.N)
	zero := func(name string, v uint32, off int) error {
		if v != 0 {
			return errorf(KindBadRequest, "%s = %d at offset %d, must be 0 for %s", name, v, off, r.Op)
		}
		return nil
	}
	positive := func(name string, v uint32, off int) error {
		if v == 0 {
			return errorf(KindBadRequest, "%s = 0 at offset %d, %s needs at least 1", name, off, r.Op)
		}
		return nil
	}
	var err error
	switch r.Op {
	case OpMatMulI8:
		err = firstErr(positive("m", r.M, offM), positive("k", r.K, offK), positive("n", r.N, offN), zero("shift", r.Shift, offShift))
		sizeA, sizeB = m*k, k*n
	case OpMatMulFx64:
		err = firstErr(positive("m", r.M, offM), positive("k", r.K, offK), positive("n", r.N, offN))
		if err == nil && r.Shift > 63 {
			err = errorf(KindBadRequest, "shift = %d at offset %d, at most 63", r.Shift, offShift)
		}
		sizeA, sizeB = 8*m*k, 8*k*n
	case OpReLU:
		err = firstErr(positive("m", r.M, offM), zero("k", r.K, offK), positive("n", r.N, offN), zero("shift", r.Shift, offShift))
		sizeA = 8 * m * n
	case OpArgMax:
		err = firstErr(positive("m", r.M, offM), zero("k", r.K, offK), positive("n", r.N, offN), zero("shift", r.Shift, offShift))
		sizeA = 8 * m * n
	case OpConv1D:
		err = firstErr(zero("m", r.M, offM), positive("k", r.K, offK), positive("n", r.N, offN))
		if err == nil && r.K > r.N {
			err = errorf(KindBadRequest, "kernel k = %d longer than input n = %d", r.K, r.N)
		}
		if err == nil && r.Shift > 63 {
			err = errorf(KindBadRequest, "shift = %d at offset %d, at most 63", r.Shift, offShift)
		}
		sizeA, sizeB = 8*n, 8*k
	case OpBatchVerifyEd25519:
		err = firstErr(zero("m", r.M, offM), zero("k", r.K, offK), positive("n", r.N, offN), zero("shift", r.Shift, offShift))
		sizeA = Ed25519RecordSize * n
	case OpBatchVerifyBLS:
		err = firstErr(zero("m", r.M, offM), zero("k", r.K, offK), positive("n", r.N, offN), zero("shift", r.Shift, offShift))
		sizeA = BLSRecordSize * n
	case OpMSMBN254:
		err = firstErr(zero("m", r.M, offM), zero("k", r.K, offK), positive("n", r.N, offN), zero("shift", r.Shift, offShift))
		sizeA, sizeB = 64*n, 32*n
	case OpMSMBLS12381:
		err = firstErr(zero("m", r.M, offM), zero("k", r.K, offK), positive("n", r.N, offN), zero("shift", r.Shift, offShift))
		sizeA, sizeB = 96*n, 32*n
	case OpPoseidonMany:
		err = firstErr(zero("m", r.M, offM), positive("k", r.K, offK), positive("n", r.N, offN), zero("shift", r.Shift, offShift))
		if err == nil && r.K > MaxPoseidonInputs {
			err = errorf(KindDimsTooLarge, "k = %d at offset %d, a Poseidon hash takes at most %d inputs", r.K, offK, MaxPoseidonInputs)
		}
		sizeA = 32 * k * n
	default:
		return nil, errorf(KindUnsupportedOp, "operation %d at offset %d", uint32(r.Op), offOp)
	}
	if err != nil {
		return nil, err
	}
	if want := HeaderSize + sizeA + sizeB; uint64(len(b)) != want {
		return nil, errorf(KindBadRequest, "%s request of %d bytes, its dimensions need %d", r.Op, len(b), want)
	}
	r.A = b[HeaderSize : HeaderSize+sizeA]
	r.B = b[HeaderSize+sizeA:]
	return r, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// EncodeRequest returns the bytes of a request with operands a and b
// (already little-endian), for hosts and tests.
func EncodeRequest(op Op, m, k, n, shift uint32, a, b []byte) []byte {
	out := make([]byte, HeaderSize, HeaderSize+len(a)+len(b))
	binary.LittleEndian.PutUint32(out[offOp:], uint32(op))
	binary.LittleEndian.PutUint32(out[offM:], m)
	binary.LittleEndian.PutUint32(out[offK:], k)
	binary.LittleEndian.PutUint32(out[offN:], n)
	binary.LittleEndian.PutUint32(out[offShift:], shift)
	out = append(out, a...)
	return append(out, b...)
}

func itoa(v uint64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(buf[i:])
		}
	}
}
