package aiohttp

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// isDone reports whether ch is closed.
func isDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestRequestContextDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c requestContext
		c.init(context.Background(), time.Second, true)
		if dl, ok := c.Deadline(); !ok || !dl.Equal(time.Now().Add(time.Second)) {
			t.Fatalf("Deadline = %v, %v", dl, ok)
		}
		time.Sleep(time.Second - time.Nanosecond)
		if c.Err() != nil {
			t.Fatalf("Err before the deadline: %v", c.Err())
		}
		done := c.Done()
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if !isDone(done) || !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("at the deadline: done %v, Err %v", isDone(done), c.Err())
		}
	})
}

// A paused deadline does not run out, and moves later by the pause.
func TestRequestContextPause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		parent, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		var c requestContext
		c.init(parent, time.Second, true)
		done := c.Done() // the timer runs
		c.pause()
		if dl, _ := c.Deadline(); !dl.Equal(time.Now().Add(time.Hour)) {
			t.Errorf("paused: Deadline = %v, want the caller's", dl)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if isDone(done) || c.Err() != nil {
			t.Fatalf("a paused deadline ran out: %v", c.Err())
		}
		c.resume(true, 2*time.Second)
		if dl, _ := c.Deadline(); !dl.Equal(time.Now().Add(time.Second)) {
			t.Errorf("resumed: Deadline = %v, want 1s from now", dl)
		}
		time.Sleep(time.Second - time.Nanosecond)
		synctest.Wait()
		if isDone(done) {
			t.Fatal("done before the moved deadline")
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if !isDone(done) || !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("at the moved deadline: %v", c.Err())
		}
	})
}

// Once Err reports the deadline, it stays, whatever moves after.
func TestRequestContextErrSticks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c requestContext
		c.init(context.Background(), time.Second, true)
		time.Sleep(time.Second)
		if !errors.Is(c.Err(), context.DeadlineExceeded) {
			t.Fatalf("Err = %v", c.Err())
		}
		c.resume(c.pause(), time.Hour)
		if !errors.Is(c.Err(), context.DeadlineExceeded) || !isDone(c.Done()) {
			t.Fatalf("after a resume: Err %v", c.Err())
		}
	})
}

func TestRequestContextParentAndEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		type key struct{}
		parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
		var c requestContext
		c.init(parent, time.Minute, true)
		if c.Value(key{}) != "v" {
			t.Error("the caller's values are lost")
		}
		done := c.Done()
		cancel()
		synctest.Wait()
		if !isDone(done) || !errors.Is(c.Err(), context.Canceled) {
			t.Fatalf("caller cancelled: %v", c.Err())
		}

		// Ended: done at once, armed or not.
		for _, armed := range []bool{true, false} {
			var e requestContext
			e.init(context.Background(), time.Minute, true)
			if armed {
				e.Done()
			}
			e.end()
			if !isDone(e.Done()) || !errors.Is(e.Err(), context.Canceled) {
				t.Errorf("armed %v: ended, Err %v", armed, e.Err())
			}
		}

		// Without a total timeout: the caller's deadline, and no timer.
		var n requestContext
		n.init(context.Background(), 0, true)
		if _, ok := n.Deadline(); ok || n.Err() != nil {
			t.Error("a deadline without a total timeout")
		}
		n.Done()
		n.end()
		if !errors.Is(n.Err(), context.Canceled) {
			t.Errorf("ended without a total timeout: %v", n.Err())
		}
	})
}
