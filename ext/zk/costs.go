package zk

import "math/bits"

// Prices in CU, per the rule of docs/costs.md: base + per-input·n + per-commitment·c,
// where n is the number of public inputs and c the number of BSB22
// commitments of the key (0 for nearly every key).
//
// They come from the CPU time of Verify — everything the syscall does but
// map guest memory: structural checks, decoding of the compressed key and
// proof (point decompression and subgroup checks included), verification —
// at Agave's 33 ns per CU, each term rounded up to a whole CU. The
// measurement (2026-11-27, AMD EPYC, 2 cores shared with other work, Go
// 1.26.8, gnark v0.16.0, gnark-crypto v0.21.0) was
//
//	go test ./ext/zk -run '^$' -bench 'BenchmarkScaling|BenchmarkCommitments' \
//	    -cpu 1 -count 8 -benchtime 200ms
//
// with one CPU, so that gnark's internal goroutines add their time rather
// than hide it, and timed by process CPU time (cpu-ns/op), which the other
// load on the machine does not inflate as it does the wall clock. Base and
// per-input are a least-squares fit of the median times at n = 1, 16, 64,
// 256 and 1024; per-commitment is the median time of one commitment over
// none, the dearest commitment (see MaxCommitments). Fitted, in ns:
//
//	                       base    per input   per commitment
//	groth16 bn254       1,094,743      5,563         620,132
//	groth16 bls12-381   2,071,711     47,521       1,148,567
//	plonk bn254         1,773,489        265          92,140
//	plonk bls12-381     3,726,808        117         296,954
//
// At 33 ns/CU the price of every measured size is 0.97–1.03× its time;
// with commitments it is 1.0–1.5× (the most at four, see MaxCommitments).
// Groth16 on BLS12-381 pays 1,441 CU per input because each input's K
// point of the key is decompressed and subgroup-checked; at that rate a
// transaction's 1.4M CU covers about 928 inputs. BenchmarkVerify re-times the embedded cases of BenchCases, and
// `agora bench costs` checks the table against its own measurement.
const (
	CostGroth16BN254Base          = 33_175
	CostGroth16BN254PerInput      = 169
	CostGroth16BN254PerCommitment = 18_792

	CostGroth16BLS12381Base          = 62_780
	CostGroth16BLS12381PerInput      = 1_441
	CostGroth16BLS12381PerCommitment = 34_806

	CostPlonkBN254Base          = 53_743
	CostPlonkBN254PerInput      = 9
	CostPlonkBN254PerCommitment = 2_793

	CostPlonkBLS12381Base          = 112_934
	CostPlonkBLS12381PerInput      = 4
	CostPlonkBLS12381PerCommitment = 8_999
)

// price is one row of the table: base + perInput·n + perCommitment·c.
type price struct{ base, perInput, perCommitment uint64 }

func priceOf(s Scheme, c Curve) price {
	switch {
	case s == Groth16 && c == CurveBN254:
		return price{CostGroth16BN254Base, CostGroth16BN254PerInput, CostGroth16BN254PerCommitment}
	case s == Groth16:
		return price{CostGroth16BLS12381Base, CostGroth16BLS12381PerInput, CostGroth16BLS12381PerCommitment}
	case c == CurveBN254:
		return price{CostPlonkBN254Base, CostPlonkBN254PerInput, CostPlonkBN254PerCommitment}
	default:
		return price{CostPlonkBLS12381Base, CostPlonkBLS12381PerInput, CostPlonkBLS12381PerCommitment}
	}
}

// Price is what a verification of scheme s on curve c with n public inputs
// and a key with commitments BSB22 commitments costs, in CU. It saturates
// instead of overflowing (the limits keep real calls far below that).
func Price(s Scheme, c Curve, n, commitments uint64) uint64 {
	p := priceOf(s, c)
	return satAdd(p.base, satAdd(satMul(p.perInput, n), satMul(p.perCommitment, commitments)))
}

// Cost is one row of the price list: a syscall, or one operation of it.
// The fields are those of solcrypto.Cost, so tools print both alike.
type Cost struct {
	Syscall string // syscall name
	Op      string // the curve, with its id (r1); the commitment rows are extra terms of the same call
	Base    uint64 // constant part of the price, in CU
	PerUnit uint64 // CU per Unit
	Unit    string // what PerUnit counts
	Formula string // the whole price
}

// Costs returns the price list of both syscalls, in a stable order: for
// each syscall and curve, a row for base + per-input·n, then a row for the
// per-commitment term (base 0).
func Costs() []Cost {
	var out []Cost
	for _, s := range []Scheme{Groth16, Plonk} {
		name := NameGroth16Verify
		if s == Plonk {
			name = NamePlonkVerify
		}
		for _, c := range []Curve{CurveBN254, CurveBLS12381} {
			p := priceOf(s, c)
			id := " (" + itoa(uint64(c)) + ")"
			formula := itoa(p.base) + " + " + itoa(p.perInput) + "·n + " + itoa(p.perCommitment) + "·c"
			out = append(out,
				Cost{name, c.String() + id, p.base, p.perInput, "public input (n ≤ " + itoa(MaxPublicInputs) + ")", formula},
				Cost{name, c.String() + " commitments" + id, 0, p.perCommitment, "BSB22 commitment of the key (c ≤ " + itoa(MaxCommitments) + ")", formula},
			)
		}
	}
	return out
}

func itoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	// Thousands separators, as solcrypto's formulas write them.
	s := string(b[i:])
	for j := len(s) - 3; j > 0; j -= 3 {
		s = s[:j] + "," + s[j:]
	}
	return s
}

func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return 1<<64 - 1
	}
	return lo
}

func satAdd(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return 1<<64 - 1
	}
	return s
}
