package hdr

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Every value lands in a bucket whose largest value is at least it and
// within Precision of it, and the bucket before holds smaller values.
func TestBuckets(t *testing.T) {
	check := func(v int64) {
		g, i := bucket(v)
		if g < 0 || g >= groups || i < 0 || i >= sub {
			t.Fatalf("bucket(%d) = %d, %d, out of range", v, g, i)
		}
		hi := highest(g, i)
		if hi < v || float64(hi-v) > Precision*float64(v) {
			t.Fatalf("value %d: bucket %d/%d ends at %d", v, g, i, hi)
		}
		pg, pi := g, i-1 // the bucket before
		if pi < 0 {
			pg, pi = g-1, sub-1
		}
		if pg >= 0 && highest(pg, pi) >= v {
			t.Fatalf("value %d: the bucket before its own ends at %d", v, highest(pg, pi))
		}
	}
	for v := int64(0); v < 1<<16; v++ {
		check(v)
	}
	for shift := 0; shift < 63; shift++ {
		for _, d := range []int64{-1, 0, 1} {
			if v := int64(1)<<shift + d; v >= 0 {
				check(v)
			}
		}
	}
	check(math.MaxInt64)
	for range 100000 {
		check(rand.Int64())
	}
}

// nearestRank is the exact quantile of sorted values by the nearest-rank
// definition Quantile follows.
func nearestRank(sorted []int64, q float64) int64 {
	rank := int(math.Ceil(q*float64(len(sorted)) - 1e-9))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// Quantiles of latencies spread over six orders of magnitude are the
// exact ones to within the bucket precision, never below them; Max and
// Min are exact; Merge of per-worker histograms equals one histogram.
func TestQuantileAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var all Histogram
	parts := make([]Histogram, 4)
	values := make([]int64, 200001)
	for i := range values {
		// Log-uniform from 1 µs to 1 s, in nanoseconds.
		v := int64(math.Exp(r.Float64()*math.Log(1e6)) * 1e3)
		values[i] = v
		all.Record(v)
		parts[i%len(parts)].Record(v)
	}
	var merged Histogram
	for i := range parts {
		merged.Merge(&parts[i])
	}
	slices.Sort(values)
	for _, q := range []float64{0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1} {
		want := nearestRank(values, q)
		got := all.Quantile(q)
		if got < want || float64(got-want) > Precision*float64(want) {
			t.Errorf("Quantile(%v) = %d, want %d to within %.2f%%", q, got, want, Precision*100)
		}
		if m := merged.Quantile(q); m != got {
			t.Errorf("merged Quantile(%v) = %d, one histogram's %d", q, m, got)
		}
	}
	if all.Count() != uint64(len(values)) || merged.Count() != all.Count() {
		t.Errorf("Count = %d, merged %d, want %d", all.Count(), merged.Count(), len(values))
	}
	if all.Max() != values[len(values)-1] || merged.Max() != all.Max() {
		t.Errorf("Max = %d, merged %d, want %d", all.Max(), merged.Max(), values[len(values)-1])
	}
	var sum float64
	for _, v := range values {
		sum += float64(v)
	}
	if mean := sum / float64(len(values)); math.Abs(all.Mean()-mean) > 1e-6*mean || merged.Mean() != all.Mean() {
		t.Errorf("Mean = %v, merged %v, want %v", all.Mean(), merged.Mean(), mean)
	}
	if all.Min() != values[0] || merged.Min() != all.Min() {
		t.Errorf("Min = %d, merged %d, want %d", all.Min(), merged.Min(), values[0])
	}
}

// Small histograms: exact values below 128, the quantile of one value is
// that value, an empty one reports 0, negatives count as 0.
func TestQuantileSmall(t *testing.T) {
	var h Histogram
	if h.Quantile(0.5) != 0 || h.Max() != 0 || h.Count() != 0 || h.Mean() != 0 {
		t.Errorf("empty: Quantile %d, Max %d, Count %d, Mean %v", h.Quantile(0.5), h.Max(), h.Count(), h.Mean())
	}
	h.Record(1_000_003)
	for _, q := range []float64{0, 0.5, 1} {
		if got := h.Quantile(q); got != 1_000_003 {
			t.Errorf("one value: Quantile(%v) = %d, want it exactly (clamped to Max)", q, got)
		}
	}
	var s Histogram
	for v := int64(1); v <= 100; v++ {
		s.Record(v)
	}
	s.Record(-5)
	for q, want := range map[float64]int64{0.5: 50, 0.9: 90, 0.99: 99, 1: 100, 0: 0} {
		if got := s.Quantile(q); got != want {
			t.Errorf("0..100: Quantile(%v) = %d, want %d", q, got, want)
		}
	}
	if s.Min() != 0 {
		t.Errorf("Min = %d after recording -5, want 0", s.Min())
	}
}

// Record allocates once for each power of two its values first reach,
// and never after.
func TestRecordAllocatesNothing(t *testing.T) {
	h := new(Histogram)
	next := func() func() {
		v := int64(12345)
		return func() { h.Record(v); v = v*7919%100_000_000 + 1000 }
	}
	if n := testing.AllocsPerRun(1000, next()); n > 0.1 {
		t.Errorf("Record allocates %v times a value, want next to none", n)
	}
	if n := testing.AllocsPerRun(1000, next()); n != 0 {
		t.Errorf("Record allocates %v times once its ranges exist, want 0", n)
	}
	var empty Histogram
	if n := testing.AllocsPerRun(10, func() { empty.Quantile(0.5); h.Quantile(0.99) }); n != 0 {
		t.Errorf("Quantile allocates %v times, want 0", n)
	}
}

func BenchmarkRecord(b *testing.B) {
	h := new(Histogram)
	b.ReportAllocs()
	v := int64(100_000)
	for b.Loop() {
		h.Record(v)
		v = v*31%50_000_000 + 1000
	}
}
