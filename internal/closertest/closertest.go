// Package closertest checks, for the tests of the module's packages, the
// promise that every Close, Cleanup and Shutdown may be called twice, from
// any goroutine: no call panics or blocks, each returns what its doc
// comment says, and whenever one returns the resource is closed.
package closertest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// Bound is how long a call may take before it counts as blocked. The
// checks run on the real clock: a goroutine blocked on a mutex is not
// durably blocked, so a testing/synctest bubble would not notice a call
// that never returns.
const Bound = 10 * time.Second

// Case is one closer under test.
type Case struct {
	Name string
	// Open makes a fresh resource and returns its closer and a report of
	// whether the resource is closed: "" when it is, else what is still
	// open.
	Open func(t *testing.T) (closer func() error, closed func() string)
	// First is what the first call returns, Again what every later call
	// returns; results are compared with errors.Is.
	First, Again error
}

// Run runs two subtests per case: "twice" calls the closer two times in a
// row, "concurrently" calls it from 8 goroutines at once on a fresh
// resource. Every call must return within Bound with First or Again
// (exactly one of them with First when the two differ), and find the
// resource closed when it returns. Run the tests with -race.
func Run(t *testing.T, cases []Case) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name+"/twice", func(t *testing.T) {
			closer, closed := tc.Open(t)
			for i, want := range []error{tc.First, tc.Again} {
				if err := CallAll(t, 1, closer)[0]; !errors.Is(err, want) {
					t.Fatalf("call %d returned %v, want %v", i+1, err, want)
				}
				if open := closed(); open != "" {
					t.Fatalf("after call %d: %s", i+1, open)
				}
			}
		})
		t.Run(tc.Name+"/concurrently", func(t *testing.T) {
			closer, closed := tc.Open(t)
			checked := func() error {
				err := closer()
				if open := closed(); open != "" {
					t.Errorf("a call returned %v before the end: %s", err, open)
				}
				return err
			}
			firsts := 0
			for _, err := range CallAll(t, 8, checked) {
				switch {
				case errors.Is(err, tc.First):
					firsts++
				case !errors.Is(err, tc.Again):
					t.Errorf("a call returned %v, want %v or %v", err, tc.First, tc.Again)
				}
			}
			if tc.First != tc.Again && firsts != 1 {
				t.Errorf("%d calls returned %v, want one", firsts, tc.First)
			}
		})
	}
}

// CallAll starts n calls of fn at once and returns their results, failing
// the test when one of them does not return within Bound.
func CallAll(t testing.TB, n int, fn func() error) []error {
	t.Helper()
	results := make(chan error, n)
	var start sync.WaitGroup
	start.Add(1)
	for range n {
		go func() {
			start.Wait()
			results <- fn()
		}()
	}
	start.Done()
	ctx, cancel := context.WithTimeout(context.Background(), Bound)
	defer cancel()
	errs := make([]error, 0, n)
	for range n {
		select {
		case err := <-results:
			errs = append(errs, err)
		case <-ctx.Done():
			t.Fatalf("%d of %d calls still blocked after %v", n-len(errs), n, Bound)
		}
	}
	return errs
}
