// Package hdr is a latency histogram in the manner of HdrHistogram: values
// fall into buckets whose width grows with the value (log-linear), so
// that every value is kept to within a fixed relative precision over the
// whole range of int64, and recording one takes a few nanoseconds. A
// load generator gives each worker its own Histogram and merges them at
// the end.
//
// The buckets of each power of two are made the first time a value falls
// in it (1 KiB each), so that a histogram holds only the ranges its
// values reach: latencies that span four orders of magnitude take about
// 14 powers of two. Once they exist, recording allocates nothing.
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

// groups covers every non-negative int64: group 0 holds the values below
// sub, one a bucket; group g > 0 the values in [sub<<(g-1), sub<<g), in
// sub buckets of width 1<<(g-1).
const groups = 64 - subBits

// Precision is the relative width of a bucket: a quantile is reported
// within Precision of the recorded value it stands for.
const Precision = 1.0 / sub

// Histogram counts int64 values (nanoseconds, say). The zero value is
// empty and ready. A Histogram is not safe for concurrent use.
type Histogram struct {
	total  uint64
	sum    int64 // of the values, for Mean
	max    int64
	min    int64
	counts [groups]*[sub]uint64 // nil: no value in that group yet
}

// bucket returns the group and the bucket within it of v >= 0.
func bucket(v int64) (group, i int) {
	if v < sub {
		return 0, int(v)
	}
	shift := bits.Len64(uint64(v)) - 1 - subBits // v>>shift is in [sub, 2*sub)
	return shift + 1, int(v>>shift) - sub
}

// highest returns the largest value of bucket i of group g.
func highest(g, i int) int64 {
	if g == 0 {
		return int64(i)
	}
	shift := g - 1
	return int64(sub+i)<<shift + (1<<shift - 1)
}

// Record counts v; a negative v counts as 0.
func (h *Histogram) Record(v int64) {
	v = max(v, 0)
	g, i := bucket(v)
	c := h.counts[g]
	if c == nil {
		c = new([sub]uint64)
		h.counts[g] = c
	}
	c[i]++
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
	for g, oc := range o.counts {
		if oc == nil {
			continue
		}
		c := h.counts[g]
		if c == nil {
			c = new([sub]uint64)
			h.counts[g] = c
		}
		for i, n := range oc {
			c[i] += n
		}
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
	for g, c := range h.counts {
		if c == nil {
			continue
		}
		for i, n := range c {
			if seen += n; seen >= rank {
				return min(max(highest(g, i), h.min), h.max)
			}
		}
	}
	return h.max
}
