package offload

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkCalibration measures the CPU backend on one worker, the time
// the prices of CPUPrices derive from (units per CU = 33 ns / ns per
// unit), next to the two-worker run for the multicore gain. It reports
// ns/unit and the price's implied ns/unit.
func BenchmarkCalibration(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 9))
	cases := []struct {
		name string
		req  []byte
	}{
		{"MATMUL_I8/128", EncodeRequest(OpMatMulI8, 128, 128, 128, 0, i8s(r, 128*128), i8s(r, 128*128))},
		{"MATMUL_FX64/64", EncodeRequest(OpMatMulFx64, 64, 64, 64, 16, i8s(r, 8*64*64), i8s(r, 8*64*64))},
		{"RELU/4096", EncodeRequest(OpReLU, 64, 0, 64, 0, i8s(r, 8*4096), nil)},
		{"ARGMAX/4096", EncodeRequest(OpArgMax, 64, 0, 64, 0, i8s(r, 8*4096), nil)},
		{"CONV1D/512x16", EncodeRequest(OpConv1D, 0, 16, 512, 4, i8s(r, 8*512), i8s(r, 8*16))},
		{"POSEIDON_MANY/16x2", EncodeRequest(OpPoseidonMany, 0, 2, 16, 0, poseidonInputs(r, 32), nil)},
		{"MSM_BN254/1", msmRequest(r, 1)},
		{"MSM_BN254/64", msmRequest(r, 64)},
		{"MSM_BLS12381/1", msmBLSRequest(r, 1)},
		{"MSM_BLS12381/64", msmBLSRequest(r, 64)},
		{"BATCH_VERIFY_ED25519/16", EncodeRequest(OpBatchVerifyEd25519, 0, 0, 16, 0, i8s(r, 16*Ed25519RecordSize), nil)},
		{"BATCH_VERIFY_BLS/8", EncodeRequest(OpBatchVerifyBLS, 0, 0, 8, 0, blsRecords(r, 8, false), nil)},
	}
	for _, c := range cases {
		req, err := DecodeRequest(c.req, MaxDim)
		if err != nil {
			b.Fatal(err)
		}
		p, _ := PriceOf(NewCPU(1), req.Op)
		for _, w := range []int{1, 2} {
			cpu := NewCPU(w)
			b.Run(c.name+"/workers="+itoa(uint64(w)), func(b *testing.B) {
				for b.Loop() {
					cpu.Run(req)
				}
				ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(req.Units())
				b.ReportMetric(ns, "ns/unit")
				priced := float64(p.CUPerUnit)
				if p.UnitsPerCU > 0 {
					priced += 1 / float64(p.UnitsPerCU)
				}
				b.ReportMetric(NsPerCU*priced, "priced-ns/unit")
			})
		}
	}
}
