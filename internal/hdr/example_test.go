package hdr_test

import (
	"fmt"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/hdr"
)

// Each worker records into its own Histogram; the totals are merged at
// the end. A quantile is the top of its bucket: the median of 1..1000 µs,
// 500 µs, reads 501.759 µs, within Precision (1/128).
func Example() {
	workers := make([]hdr.Histogram, 2)
	for i := range 1000 {
		workers[i%2].Record(int64(time.Duration(i+1) * time.Microsecond))
	}
	var all hdr.Histogram
	for i := range workers {
		all.Merge(&workers[i])
	}
	fmt.Println(all.Count(), time.Duration(all.Quantile(0.5)), time.Duration(all.Quantile(0.99)), time.Duration(all.Max()))
	// Output: 1000 501.759µs 991.231µs 1ms
}
