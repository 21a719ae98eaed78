package aiohttp_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/klauspost/compress/gzip"
)

func TestHTTPClient(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("unzipped"))
	zw.Close()
	base := serveApp(t, func(app *web.Application) {
		echoApp(app)
		app.Router.Get("/gzip", func(*web.Request) (web.Response, error) {
			return web.Bytes(gz.Bytes()).SetHeader("Content-Encoding", "gzip"), nil
		})
		app.Router.Get("/ua", func(r *web.Request) (web.Response, error) {
			return web.Text(r.Header().Get("User-Agent")), nil
		})
	})
	var traced []string
	s := newSession(t, aiohttp.SessionOptions{TraceConfigs: []*aiohttp.TraceConfig{{
		OnRequestStart: func(_ context.Context, p aiohttp.TraceRequest) { traced = append(traced, p.URL.Path) },
	}}})
	c := s.HTTPClient()
	c.Timeout = testTimeout

	resp, err := c.Get(base + "/ua")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Status != "200 OK" || string(body) != aiohttp.DefaultUserAgent || resp.ProtoMinor != 1 {
		t.Errorf("GET: %s %q", resp.Status, body)
	}
	if n := len(aiohttp.DefaultUserAgent); resp.Header.Get("Content-Length") != strconv.Itoa(n) || resp.ContentLength != int64(n) {
		t.Errorf("header %v, length %d", resp.Header, resp.ContentLength)
	}

	// Redirects are http.Client's: it follows them, hop by hop.
	resp, err = c.Post(base+"/r/307", "text/plain", strings.NewReader("posted"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(string(body), "POST posted |") || !strings.Contains(string(body), "|ct=text/plain|") {
		t.Errorf("POST through a 307: %q", body)
	}
	if len(traced) != 3 || traced[1] != "/r/307" || traced[2] != "/echo" {
		t.Errorf("traced %v", traced)
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err = c.Get(base + "/r/302")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "/echo" {
		t.Errorf("redirect not handed over: %d", resp.StatusCode)
	}

	// Decoded as the session decodes, unless the caller asked for an encoding.
	resp, err = c.Get(base + "/gzip")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "unzipped" || !resp.Uncompressed || resp.Header.Get("Content-Encoding") != "" || resp.ContentLength != -1 {
		t.Errorf("gzip: %q %v", body, resp.Header)
	}
	req, _ := http.NewRequest("GET", base+"/gzip", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, gz.Bytes()) || resp.Uncompressed {
		t.Errorf("raw gzip asked: got %q", body)
	}

	// Context and errors.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", base+"/ua", nil)
	if _, err := c.Do(req); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	s.Close()
	if _, err := c.Get(base + "/ua"); !errors.Is(err, aiohttp.ErrSessionClosed) {
		t.Errorf("closed session: %v", err)
	}
}
