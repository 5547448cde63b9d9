package bench

import "testing"

// The lanes benchmark's programs give the same result and CU at one,
// two and four lanes; the span is shorter than the total where children
// ran side by side.
func TestBenchLanes(t *testing.T) {
	rows, err := BenchLanes([]int{1, 2, 4}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		if r.CU == 0 || r.CUSpan == 0 || r.CUSpan >= r.CU || r.Ns <= 0 {
			t.Errorf("%+v", r)
		}
		t.Logf("%-24s lanes %d: %9.0f ns, %7d CU, span %7d (%.2fx), wall %.2fx", r.Name, r.Lanes, r.Ns, r.CU, r.CUSpan, r.SpanSpeedup, r.Speedup)
	}
	if r := rows[3]; r.SpanSpeedup < 6 {
		t.Errorf("monte carlo over 8 children: span speedup %.2f", r.SpanSpeedup)
	}
}

// BenchmarkLanesWorkloads times the lanes benchmark's programs serially
// and on two lanes.
func BenchmarkLanesWorkloads(b *testing.B) {
	for b.Loop() {
		if _, err := BenchLanes([]int{1, 2}, 3); err != nil {
			b.Fatal(err)
		}
	}
}
