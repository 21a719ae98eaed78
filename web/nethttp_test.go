package web_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/testcert"
	"github.com/aiohttp-go/aiohttp/web"
)

// bridgeApp has routes that show what a handler sees and streams.
func bridgeApp(t *testing.T) *web.Application {
	app := newApp()
	app.Router.Get("/info", func(req *web.Request) (web.Response, error) {
		return web.Text(fmt.Sprintf("%s %s %s %s secure=%v host=%s q=%s h=%s remote=%v",
			req.Method(), req.Version(), req.Path(), req.Scheme(), req.Secure(), req.Host(),
			req.Query().Get("q"), req.Header().Get("X-Test"), req.Remote() != "")), nil
	})
	app.Router.Post("/echo", func(req *web.Request) (web.Response, error) {
		b, err := req.Bytes()
		if err != nil {
			return nil, err
		}
		return web.Bytes(b).SetCookie(web.Cookie{Name: "c", Value: "1", SameSite: web.SameSiteLax}), nil
	})
	app.Router.Get("/stream", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		for _, part := range []string{"one ", "two ", "three"} {
			resp.WriteString(part)
			if err := resp.Flush(); err != nil {
				return nil, err
			}
		}
		return resp, nil
	})
	app.Router.Get("/stream-checked/{code}", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		if err := resp.SetStatus(map[string]int{"200": 200, "204": 204, "304": 304}[req.MatchInfo().Get("code")]); err != nil {
			return nil, err
		}
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		if _, err := resp.WriteString("body"); err != nil {
			return nil, fmt.Errorf("a body write failed: %w", err)
		}
		return resp, nil
	})
	app.Router.Get("/no-content", func(*web.Request) (web.Response, error) {
		return web.Text("dropped").SetStatus(204), nil
	})
	app.Router.Get("/panic", func(*web.Request) (web.Response, error) { panic("bridged panic") })
	return app
}

func readAll(t *testing.T, resp *http.Response, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestApplicationAsHTTPHandler(t *testing.T) {
	logged := new(apptest.SyncBuffer)
	ts := httptest.NewUnstartedServer(bridgeApp(t))
	ts.Config.ErrorLog = log.New(logged, "", 0)
	ts.Start()
	t.Cleanup(ts.Close)
	client := ts.Client()

	req, _ := http.NewRequest("GET", ts.URL+"/info?q=go", nil)
	req.Header.Set("X-Test", "yes")
	resp, err := client.Do(req)
	if got := readAll(t, resp, err); got != "GET HTTP/1.1 /info http secure=false host="+strings.TrimPrefix(ts.URL, "http://")+" q=go h=yes remote=true" {
		t.Errorf("info: %q", got)
	}
	resp, err = client.Post(ts.URL+"/echo", "text/plain", strings.NewReader("bridged body"))
	if got := readAll(t, resp, err); got != "bridged body" || resp.Header.Get("Set-Cookie") != "c=1; Path=/; SameSite=Lax" {
		t.Errorf("echo: %q %v", got, resp.Header)
	}
	resp, err = client.Get(ts.URL + "/stream")
	if got := readAll(t, resp, err); got != "one two three" {
		t.Errorf("stream: %q", got)
	}
	resp, err = client.Head(ts.URL + "/info")
	if got := readAll(t, resp, err); got != "" || resp.ContentLength <= 0 {
		t.Errorf("HEAD: %q, Content-Length %d", got, resp.ContentLength)
	}
	// As on the engine, a streamed body is dropped without an error where
	// none may be sent.
	for _, path := range []string{"/stream-checked/200", "/stream-checked/204", "/stream-checked/304"} {
		resp, err = client.Head(ts.URL + path)
		readAll(t, resp, err)
		if !strings.HasSuffix(path, strconv.Itoa(resp.StatusCode)) {
			t.Errorf("HEAD %s: %d", path, resp.StatusCode)
		}
		if path != "/stream-checked/200" {
			resp, err = client.Get(ts.URL + path)
			if got := readAll(t, resp, err); !strings.HasSuffix(path, strconv.Itoa(resp.StatusCode)) || got != "" {
				t.Errorf("GET %s: %d %q", path, resp.StatusCode, got)
			}
		}
	}
	if got := logged.String(); got != "" {
		t.Errorf("net/http complained: %s", got)
	}
	resp, err = client.Get(ts.URL + "/no-content")
	if got := readAll(t, resp, err); resp.StatusCode != 204 || got != "" || resp.Header.Get("Content-Type") != "" {
		t.Errorf("204: %q %v", got, resp.Header)
	}
	resp, err = client.Get(ts.URL + "/missing")
	if got := readAll(t, resp, err); resp.StatusCode != 404 || got != "404: Not Found" {
		t.Errorf("404: %d %q", resp.StatusCode, got)
	}
	resp, err = client.Post(ts.URL+"/info", "", nil)
	if readAll(t, resp, err); resp.StatusCode != 405 || resp.Header.Get("Allow") == "" {
		t.Errorf("405: %d %v", resp.StatusCode, resp.Header)
	}
	resp, err = client.Get(ts.URL + "/panic")
	if readAll(t, resp, err); resp.StatusCode != 500 {
		t.Errorf("panic: %d", resp.StatusCode)
	}
}

// Under net/http, a handler's context ends when the client goes away.
func TestApplicationAsHTTPHandlerContext(t *testing.T) {
	started := make(chan struct{})
	ended := make(chan error, 1)
	app := newApp()
	app.Router.Get("/wait", func(req *web.Request) (web.Response, error) {
		close(started)
		select {
		case <-req.Context().Done():
			ended <- req.Context().Err()
		case <-time.After(ioTimeout):
			ended <- errors.New("not cancelled")
		}
		return web.Text("late"), nil
	})
	ts := httptest.NewServer(app)
	t.Cleanup(ts.Close)
	c := dialRaw(t, "tcp", ts.Listener.Addr().String())
	c.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started
	c.nc.Close()
	if err := recv(t, ended, "the handler"); !errors.Is(err, context.Canceled) {
		t.Errorf("ctx.Err() = %v", err)
	}
}

func TestApplicationUnderHTTP2TLS(t *testing.T) {
	ts := httptest.NewUnstartedServer(bridgeApp(t))
	ts.EnableHTTP2 = true
	ts.StartTLS()
	t.Cleanup(ts.Close)
	client := ts.Client()

	resp, err := client.Get(ts.URL + "/info")
	got := readAll(t, resp, err)
	if resp.ProtoMajor != 2 {
		t.Fatalf("served over %s", resp.Proto)
	}
	if !strings.HasPrefix(got, "GET HTTP/2.0 /info https secure=true") {
		t.Errorf("info: %q", got)
	}
	resp, err = client.Post(ts.URL+"/echo", "text/plain", strings.NewReader("h2 body"))
	if got := readAll(t, resp, err); got != "h2 body" {
		t.Errorf("echo: %q", got)
	}
	resp, err = client.Get(ts.URL + "/stream")
	if got := readAll(t, resp, err); got != "one two three" {
		t.Errorf("stream: %q", got)
	}
}

func TestWrapHandler(t *testing.T) {
	next := make(chan struct{})
	app := newApp()
	app.Router.Get("/debug/pprof/{tail:.*}", web.WrapHandler(http.HandlerFunc(pprof.Index)))
	app.Router.Get("/flush", web.WrapHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "first")
		w.(http.Flusher).Flush()
		select {
		case <-next:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "second")
	})))
	app.Router.Any("/std/{tail:.*}", web.WrapHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Std", "1")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)+len(r.URL.Path)+1))
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "%s %s", r.URL.Path, body)
		if r.Host != "bridge.test" || r.URL.RawQuery != "a=1" || r.Header.Get("X-In") != "in" || r.RemoteAddr == "" || r.Method != "PUT" {
			panic(fmt.Sprintf("bad request: %+v", r))
		}
	})))
	app.Router.Get("/silent", web.WrapHandler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /mux/hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.PathValue("name"))
	})
	app.Router.Any("/mux/{tail:.*}", web.WrapHandler(mux))
	s := startApp(t, app, web.ServerOptions{})

	resp, body := s.get("/debug/pprof/")
	if resp.StatusCode != 200 || !strings.Contains(body, "Types of profiles available") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("pprof index: %d %v %.100q", resp.StatusCode, resp.Header, body)
	}
	resp, body = s.get("/debug/pprof/goroutine?debug=1")
	if resp.StatusCode != 200 || !strings.Contains(body, "goroutine profile:") {
		t.Errorf("pprof goroutine: %d %.100q", resp.StatusCode, body)
	}
	resp, body = s.do("HEAD", "/debug/pprof/", nil)
	if resp.StatusCode != 200 || body != "" {
		t.Errorf("pprof HEAD: %d %q", resp.StatusCode, body)
	}

	resp, body = s.do("PUT", "/std/x?a=1", strings.NewReader("payload"), "X-In", "in", "Host", "bridge.test")
	if resp.StatusCode != 201 || body != "/std/x payload" || resp.Header.Get("X-Std") != "1" || resp.ContentLength != int64(len(body)) {
		t.Errorf("std handler: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, body = s.get("/silent")
	if resp.StatusCode != 200 || body != "" || resp.ContentLength != 0 {
		t.Errorf("silent handler: %d %q %d", resp.StatusCode, body, resp.ContentLength)
	}
	if _, body = s.get("/mux/hello/gopher"); body != "hello gopher" {
		t.Errorf("ServeMux: %q", body)
	}

	// http.Flusher: the first part arrives before the handler goes on.
	c := s.dial(t)
	c.send("GET /flush HTTP/1.1\r\nHost: x\r\n\r\n")
	r := c.readHead()
	if r.get("Transfer-Encoding") != "chunked" {
		t.Fatalf("flushed response head %q", r.head)
	}
	if got := string(c.readChunk()); got != "first" {
		t.Fatalf("first chunk %q", got)
	}
	close(next)
	if got := string(c.readChunk()); got != "second" {
		t.Fatalf("second chunk %q", got)
	}
	if c.readChunk() != nil {
		t.Fatal("no last chunk")
	}
}

// startTLSSite serves bridgeApp on a TLS site and returns its address.
func startTLSSite(t *testing.T, cert tls.Certificate, opts web.ServerOptions) string {
	t.Helper()
	runner := web.NewAppRunner(bridgeApp(t), opts)
	ctx := context.Background()
	if err := runner.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { runner.Cleanup(context.Background()) })
	site := web.NewTCPSite(runner, "127.0.0.1", aiotest.UnusedPort(t), web.SiteOptions{TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}})
	if err := site.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(site.URL(), "https://127.0.0.1:") {
		t.Errorf("URL = %q", site.URL())
	}
	return site.Addr().String()
}

// The TLS site serves HTTP/1.1 and HTTP/2 on one port, chosen by ALPN.
func TestTLSSiteHTTP1AndH2(t *testing.T) {
	cert, pool := testcert.New(t)
	addr := startTLSSite(t, cert, web.ServerOptions{})

	for _, proto := range []string{"h2", "http/1.1"} {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{proto}})
		if err != nil {
			t.Fatal(err)
		}
		if got := conn.ConnectionState().NegotiatedProtocol; got != proto {
			t.Errorf("ALPN %s: negotiated %q", proto, got)
		}
		conn.Close()
	}

	h1 := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		TLSNextProto:    map[string]func(string, *tls.Conn) http.RoundTripper{}, // HTTP/1.1 only
	}, Timeout: ioTimeout}
	defer h1.CloseIdleConnections()
	resp, err := h1.Get("https://" + addr + "/info")
	if got := readAll(t, resp, err); resp.ProtoMajor != 1 || !strings.HasPrefix(got, "GET HTTP/1.1 /info https secure=true") {
		t.Errorf("HTTP/1.1 over TLS: %s %q", resp.Proto, got)
	}

	h2t := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, Protocols: new(http.Protocols)}
	h2t.Protocols.SetHTTP2(true) // HTTP/2 only
	defer h2t.CloseIdleConnections()
	h2 := &http.Client{Transport: h2t, Timeout: ioTimeout}
	resp, err = h2.Get("https://" + addr + "/info")
	if got := readAll(t, resp, err); resp.ProtoMajor != 2 || !strings.HasPrefix(got, "GET HTTP/2.0 /info https secure=true") {
		t.Errorf("h2: %s %q", resp.Proto, got)
	}
	resp, err = h2.Post("https://"+addr+"/echo", "text/plain", strings.NewReader("over h2"))
	if got := readAll(t, resp, err); got != "over h2" {
		t.Errorf("h2 echo: %q", got)
	}
}

func TestTLSSiteWithoutHTTP2(t *testing.T) {
	cert, pool := testcert.New(t)
	addr := startTLSSite(t, cert, web.ServerOptions{DisableHTTP2: true})
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if got := conn.ConnectionState().NegotiatedProtocol; got != "http/1.1" {
		t.Errorf("negotiated %q with HTTP/2 disabled", got)
	}
}

// h2cTransport speaks HTTP/2 over plain TCP by prior knowledge.
func h2cTransport() *http.Transport {
	tr := &http.Transport{Protocols: new(http.Protocols)}
	tr.Protocols.SetUnencryptedHTTP2(true)
	return tr
}

func TestH2CPriorKnowledge(t *testing.T) {
	s := startApp(t, bridgeApp(t), web.ServerOptions{})
	tr := h2cTransport()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: ioTimeout}
	resp, err := client.Get(s.url + "/info?q=h2c")
	if got := readAll(t, resp, err); resp.ProtoMajor != 2 || !strings.HasPrefix(got, "GET HTTP/2.0 /info http secure=false") || !strings.Contains(got, "q=h2c") {
		t.Errorf("h2c: %s %q", resp.Proto, got)
	}
	resp, err = client.Post(s.url+"/echo", "text/plain", strings.NewReader(strings.Repeat("h2c ", 10_000)))
	if got := readAll(t, resp, err); got != strings.Repeat("h2c ", 10_000) {
		t.Errorf("h2c echo: %d bytes", len(got))
	}
	// The same port still speaks HTTP/1.1.
	if r := s.dial(t).get("/info"); !strings.HasPrefix(string(r.body), "GET HTTP/1.1") {
		t.Errorf("HTTP/1.1 beside h2c: %q", r.body)
	}
}

func TestH2CDisabled(t *testing.T) {
	s := startApp(t, bridgeApp(t), web.ServerOptions{DisableHTTP2: true})
	c := s.dial(t)
	c.send(http2.ClientPreface)
	r := c.readResponse("GET")
	if r.status != 505 {
		t.Errorf("HTTP/2 preface with HTTP/2 disabled: %q", r.head)
	}
	c.expectClosed()
}

// An "Upgrade: h2c" request gets 101, then its response as HTTP/2 stream
// 1 on the same connection.
func TestH2CUpgrade(t *testing.T) {
	s := startApp(t, bridgeApp(t), web.ServerOptions{})
	c := s.dial(t)
	var settings bytes.Buffer
	if err := http2.NewFramer(&settings, nil).WriteSettings(http2.Setting{ID: http2.SettingInitialWindowSize, Val: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	payload := settings.Bytes()[9:] // the settings frame's payload, without its header
	c.send("GET /info?q=up HTTP/1.1\r\nHost: up.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n" +
		"HTTP2-Settings: " + base64.RawURLEncoding.EncodeToString(payload) + "\r\n\r\n")
	r := c.readHead()
	if r.status != 101 || !strings.EqualFold(r.get("Upgrade"), "h2c") {
		t.Fatalf("upgrade answer %q", r.head)
	}
	c.send(http2.ClientPreface)
	fr := http2.NewFramer(c.nc, c.br)
	dec := hpack.NewDecoder(4096, nil)
	if err := fr.WriteSettings(); err != nil {
		t.Fatal(err)
	}
	// Stream 1 answers the request that asked for the upgrade, which
	// arrived over HTTP/1.1.
	status, body := readH2Response(t, c, fr, dec, 1)
	if status != "200" || !strings.HasPrefix(body, "GET HTTP/1.1 /info http secure=false host=up.test q=up") {
		t.Errorf("stream 1: %s %q", status, body)
	}
	// The next request is HTTP/2 from the start.
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":authority", "up.test"}, {":path", "/info?q=three"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 3, BlockFragment: block.Bytes(), EndStream: true, EndHeaders: true}); err != nil {
		t.Fatal(err)
	}
	status, body = readH2Response(t, c, fr, dec, 3)
	if status != "200" || !strings.HasPrefix(body, "GET HTTP/2.0 /info http secure=false host=up.test q=three") {
		t.Errorf("stream 3: %s %q", status, body)
	}
}

// readH2Response reads frames until stream id ends, acknowledging
// settings, and returns its :status and body; dec is the connection's
// header decoder.
func readH2Response(t *testing.T, c *rawConn, fr *http2.Framer, dec *hpack.Decoder, id uint32) (status, body string) {
	t.Helper()
	var b strings.Builder
	for {
		c.deadline()
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("reading frames: %v", err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				if err := fr.WriteSettingsAck(); err != nil {
					t.Fatal(err)
				}
			}
		case *http2.HeadersFrame:
			if f.StreamID != id {
				continue
			}
			fields, err := dec.DecodeFull(f.HeaderBlockFragment())
			if err != nil {
				t.Fatal(err)
			}
			for _, hf := range fields {
				if hf.Name == ":status" {
					status = hf.Value
				}
			}
			if f.StreamEnded() {
				return status, b.String()
			}
		case *http2.DataFrame:
			if f.StreamID != id {
				continue
			}
			b.Write(f.Data())
			if f.StreamEnded() {
				return status, b.String()
			}
		case *http2.GoAwayFrame:
			t.Fatalf("GOAWAY %v", f.ErrCode)
		case *http2.RSTStreamFrame:
			t.Fatalf("RST_STREAM %v", f.ErrCode)
		}
	}
}
