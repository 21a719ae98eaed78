// Package hdr is a latency histogram in the manner of HdrHistogram: values
// fall into buckets whose width grows with the value (log-linear), so
// that every value is kept to within a fixed relative precision over the
// whole range of int64, in a fixed array, and recording one allocates
// nothing and takes a few nanoseconds. A load generator gives each worker
// its own Histogram and merges them at the end.
package hdr

import (
	"math"
	"math/bits"
)

// subBits sets the precision: each power of two is split into
// 1<<subBits buckets, so a bucket is at most 1/128 of its values wide.
const subBits = 7

// sub is the number of buckets a power of two is split into.
const sub = 1 << subBits

// buckets covers every non-negative int64: the values below sub one a
// bucket, then sub buckets for each power of two from sub up to 1<<62.
const buckets = (64 - subBits) * sub

// Precision is the relative width of a bucket: a quantile is reported
// within Precision of the recorded value it stands for.
const Precision = 1.0 / sub

// Histogram counts int64 values (nanoseconds, say). The zero value is
// empty and ready; it is about 58 KiB, so keep it behind a pointer. A
// Histogram is not safe for concurrent use.
type Histogram struct {
	// The totals first: Record updates them and one count, so that they
	// share a cache line with the struct that holds the Histogram.
	total  uint64
	sum    int64 // of the values, for Mean
	max    int64
	min    int64
	counts [buckets]uint64
}

// index returns the bucket of v >= 0.
func index(v int64) int {
	if v < sub {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - 1 - subBits // v>>shift is in [sub, 2*sub)
	return (shift+1)*sub + int(v>>shift) - sub
}

// highest returns the largest value of bucket i.
func highest(i int) int64 {
	if i < sub {
		return int64(i)
	}
	shift := i/sub - 1
	low := int64(sub+i%sub) << shift
	return low + (1<<shift - 1)
}

// Record counts v; a negative v counts as 0.
func (h *Histogram) Record(v int64) {
	v = max(v, 0)
	h.counts[index(v)]++
	if h.total == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.total++
	h.sum += v
}

// Count returns how many values were recorded.
func (h *Histogram) Count() uint64 { return h.total }

// Max returns the largest value recorded, exactly; 0 when empty.
func (h *Histogram) Max() int64 { return h.max }

// Min returns the smallest value recorded, exactly; 0 when empty.
func (h *Histogram) Min() int64 { return h.min }

// Mean returns the mean of the values recorded, exactly; 0 when empty.
func (h *Histogram) Mean() float64 {
	if h.total == 0 {
		return 0
	}
	return float64(h.sum) / float64(h.total)
}

// Merge adds the values recorded in o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.total == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.total == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.total += o.total
	h.sum += o.sum
}

// Quantile returns the value below or at which the fraction q (0 to 1)
// of the recorded values lie: the largest value of the bucket that holds
// the value of that rank, so never less than it and at most Precision
// more, and never more than Max. It returns 0 when h is empty.
func (h *Histogram) Quantile(q float64) int64 {
	if h.total == 0 {
		return 0
	}
	// The nearest rank: ceil(q*total), the epsilon keeping 0.99*100 at 99.
	rank := uint64(math.Ceil(q*float64(h.total) - 1e-9))
	rank = min(max(rank, 1), h.total)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(max(highest(i), h.min), h.max)
		}
	}
	return h.max
}
