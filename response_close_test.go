package aiohttp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

// closeDuringRead reads the body of a GET of url on s in one goroutine,
// and closes the response from two others once the read holds the body
// (its first chunk arrived); it returns the read's error.
func closeDuringRead(t *testing.T, s *aiohttp.Session, url string, chunkSeen chan struct{}) error {
	t.Helper()
	resp, err := s.Get(testCtx(t), url)
	if err != nil {
		t.Fatal(err)
	}
	readErr := make(chan error, 1)
	go func() {
		_, err := resp.Bytes()
		readErr <- err
	}()
	<-chunkSeen // the read is under way, waiting for the rest
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if err := resp.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	wg.Wait()
	select {
	case err := <-readErr:
		resp.Close()
		return err
	case <-time.After(testTimeout):
		t.Fatal("Close did not end the read")
		return nil
	}
}

// firstChunkSignal returns a trace config that closes the channel it
// returns when the first chunk of a response body arrives.
func firstChunkSignal() (*aiohttp.TraceConfig, chan struct{}) {
	seen := make(chan struct{})
	var once sync.Once
	return &aiohttp.TraceConfig{
		OnResponseChunkReceived: func(context.Context, aiohttp.TraceChunk) { once.Do(func() { close(seen) }) },
	}, seen
}

func TestResponseCloseEndsReadInProgress(t *testing.T) {
	hungUp := make(chan struct{})
	srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
		if s.readRequest(br) == nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nthe first bytes")
		// The rest never comes: the client must hang up.
		if _, err := br.ReadByte(); err != nil {
			close(hungUp)
		}
	})
	trace, seen := firstChunkSignal()
	s := newSession(t, aiohttp.SessionOptions{TraceConfigs: []*aiohttp.TraceConfig{trace}})
	err := closeDuringRead(t, s, srv.URL+"/", seen)
	wantErrKind(t, err, aiohttp.ErrClientConnection)
	if errors.Is(err, aiohttp.ErrServerTimeout) {
		t.Errorf("the read ended by Close reports a timeout: %v", err)
	}
	<-hungUp // the connection was closed, not pooled
	if st := s.Connector().(*aiohttp.TCPConnector).Stats(); st.Open != 0 || st.InUse != 0 {
		t.Errorf("after Close: %+v", st)
	}
}

func TestResponseCloseEndsReadInProgressHTTP2(t *testing.T) {
	base := serveTLSApp(t, func(app *web.Application) {
		app.Router.Get("/part", func(r *web.Request) (web.Response, error) {
			resp := web.NewStreamResponse()
			resp.SetContentLength(1000000)
			if err := resp.Prepare(r); err != nil {
				return nil, err
			}
			resp.Write([]byte("the first bytes"))
			resp.Flush()
			<-r.Context().Done()
			return nil, r.Context().Err()
		})
	})
	trace, seen := firstChunkSignal()
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{TLS: aiohttp.TLSOptions{InsecureSkipVerify: true}})
	s := newSession(t, aiohttp.SessionOptions{Connector: conn, TraceConfigs: []*aiohttp.TraceConfig{trace}})
	err := closeDuringRead(t, s, base+"/part", seen)
	wantErrKind(t, err, aiohttp.ErrClientConnection)
	if errors.Is(err, aiohttp.ErrServerTimeout) {
		t.Errorf("the read ended by Close reports a timeout: %v", err)
	}
}

// Close from another goroutine while nothing reads, then reads from the
// first: the reads fail as after any Close.
func TestResponseCloseFromAnotherGoroutine(t *testing.T) {
	base := serveApp(t, echoApp)
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base})
	resp, err := s.Get(testCtx(t), "/echo")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp.Close()
	}()
	<-done
	if _, err := resp.Content().ReadN(10); !errors.Is(err, aiohttp.ErrClientConnection) {
		t.Errorf("read after Close: %v", err)
	}
	if err := resp.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	// The connection was drained and pooled: the next request reuses it.
	get(t, s, "/echo")
	if st := s.Connector().(*aiohttp.TCPConnector).Stats(); st.Open != 1 {
		t.Errorf("connections: %+v", st)
	}
}
