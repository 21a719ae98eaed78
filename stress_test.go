package aiohttp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

// pattern returns n bytes that depend on n and on their position, so that
// a body mixed up with another request's shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + n)
	}
	return b
}

// stressApp serves bodies of every framing: /bytes/{n} with a length,
// /chunked/{n} in uneven chunks, /empty without a body, /echo the request
// body, /slow after a pause.
func stressApp(app *web.Application) {
	size := func(r *web.Request) int {
		n, _ := strconv.Atoi(r.MatchInfo().Get("n"))
		return n
	}
	app.Router.Get("/bytes/{n}", func(r *web.Request) (web.Response, error) {
		return web.Bytes(pattern(size(r))), nil
	})
	app.Router.Get("/chunked/{n}", func(r *web.Request) (web.Response, error) {
		body := pattern(size(r))
		resp := web.NewStreamResponse()
		if err := resp.Prepare(r); err != nil {
			return nil, err
		}
		for piece := 1; len(body) > 0; piece = piece*3 + 1 {
			k := min(piece, len(body))
			if _, err := resp.Write(body[:k]); err != nil {
				return nil, err
			}
			if err := resp.Flush(); err != nil {
				return nil, err
			}
			body = body[k:]
		}
		return resp, nil
	})
	app.Router.Get("/empty", func(*web.Request) (web.Response, error) {
		return web.NewResponse(204), nil
	})
	app.Router.Post("/echo", func(r *web.Request) (web.Response, error) {
		b, err := r.Bytes()
		if err != nil {
			return nil, err
		}
		return web.Bytes(b), nil
	})
	app.Router.Get("/slow", func(r *web.Request) (web.Response, error) {
		select {
		case <-time.After(30 * time.Millisecond):
			return web.Text("late"), nil
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	})
}

// TestSessionStress runs goroutines sharing a few pooled connections
// through a random mix of what users do — bodies of every framing read
// whole, streamed, in part or not at all, bodies sent from memory and
// streams, Session.With, cancellations mid-request — and checks every
// body byte for byte: a connection handed on too early, or a response
// reading another's bytes, shows as a wrong body, a race or a leak.
func TestSessionStress(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	t.Run("http1", func(t *testing.T) {
		stress(t, serveApp(t, stressApp), aiohttp.TCPConnectorOptions{Limit: 4})
	})
	t.Run("http2", func(t *testing.T) {
		stress(t, serveTLSApp(t, stressApp), aiohttp.TCPConnectorOptions{Limit: 4, TLS: aiohttp.TLSOptions{InsecureSkipVerify: true}})
	})
}

// stress runs the workers against the server at base.
func stress(t *testing.T, base string, opts aiohttp.TCPConnectorOptions) {
	conn := aiohttp.NewTCPConnector(opts)
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Connector: conn, Timeout: aiohttp.ClientTimeout{Total: 10 * time.Second}})
	const workers, ops = 8, 120
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range ops {
				if err := stressOp(s, rng); err != nil {
					t.Errorf("worker %d, op %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if st := conn.Stats(); st.InUse != 0 {
		t.Errorf("%d connections still in use after every response was done: %+v", st.InUse, st)
	}
}

// stressOp does one random thing with s and checks what came back.
func stressOp(s *aiohttp.Session, rng *rand.Rand) error {
	ctx := context.Background()
	n := []int{0, 1, 13, 4 << 10, 70 << 10}[rng.IntN(5)]
	want := pattern(n)
	check := func(got []byte, err error) error {
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("body of %d bytes differs from the %d sent", len(got), n)
		}
		return nil
	}
	switch rng.IntN(8) {
	case 0: // whole body, length-framed
		resp, err := s.Get(ctx, "bytes/"+strconv.Itoa(n))
		if err != nil {
			return err
		}
		defer resp.Close()
		return check(resp.Bytes())
	case 1: // streamed in pieces, chunked
		resp, err := s.Get(ctx, "chunked/"+strconv.Itoa(n))
		if err != nil {
			return err
		}
		defer resp.Close()
		var got []byte
		for piece, err := range resp.Content().IterAny() {
			if err != nil {
				return err
			}
			got = append(got, piece...)
		}
		return check(got, nil)
	case 2: // Session.With, recycled memory
		return s.With(ctx, "GET", "chunked/"+strconv.Itoa(n), func(resp *aiohttp.Response) error {
			return check(resp.Bytes())
		})
	case 3: // a body sent from memory or streamed, echoed
		body := aiohttp.Bytes(want)
		if rng.IntN(2) == 0 {
			body = aiohttp.Body(io.MultiReader(bytes.NewReader(want)))
		}
		resp, err := s.Post(ctx, "echo", body)
		if err != nil {
			return err
		}
		defer resp.Close()
		return check(resp.Bytes())
	case 4: // closed unread, or after a part
		resp, err := s.Get(ctx, []string{"bytes/", "chunked/"}[rng.IntN(2)]+strconv.Itoa(n))
		if err != nil {
			return err
		}
		if k := rng.IntN(n + 1); k > 0 {
			got, err := resp.Content().ReadExactly(k)
			if err != nil {
				return err
			}
			if !bytes.Equal(got, want[:k]) {
				return fmt.Errorf("the first %d bytes differ", k)
			}
		}
		return resp.Close()
	case 5: // no body at all
		resp, err := s.Get(ctx, "empty")
		if err != nil {
			return err
		}
		resp.Close()
		if resp.Status != 204 {
			return fmt.Errorf("status %d", resp.Status)
		}
		return nil
	case 6: // cancelled while waiting for the answer, or not
		cctx, cancel := context.WithTimeout(ctx, time.Duration(rng.IntN(50))*time.Millisecond)
		defer cancel()
		resp, err := s.Get(cctx, "slow")
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) && errors.Is(err, aiohttp.ErrServerTimeout) {
				return nil
			}
			return err
		}
		defer resp.Close()
		text, err := resp.Text()
		if err != nil && errors.Is(err, context.DeadlineExceeded) {
			return nil // the context ended while the body came
		}
		if err == nil && text != "late" {
			return fmt.Errorf("slow answered %q", text)
		}
		return err
	default: // a body read twice through Read
		resp, err := s.Get(ctx, "bytes/"+strconv.Itoa(n))
		if err != nil {
			return err
		}
		defer resp.Close()
		if err := check(resp.Bytes()); err != nil {
			return err
		}
		return check(resp.Bytes())
	}
}
