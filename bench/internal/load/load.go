// Package load makes the requests of the client benchmarks: n of them,
// from conc workers, each checked for its status and body length.
package load

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Run calls get n times from conc workers and returns the number of
// failed calls and the first failure. A call fails with an error, a status
// other than 200, or, when size is not negative, a body of another length.
func Run(get func() (status, bodyLen int, err error), n, conc, size int) (int64, error) {
	var next, errs atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				status, got, err := get()
				if err == nil && status != 200 {
					err = fmt.Errorf("status %d", status)
				}
				if err == nil && size >= 0 && got != size {
					err = fmt.Errorf("%d body bytes, want %d", got, size)
				}
				if err != nil {
					errs.Add(1)
					once.Do(func() { first = err })
				}
			}
		})
	}
	wg.Wait()
	return errs.Load(), first
}
