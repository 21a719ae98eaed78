package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/multipart"
)

// demoCase is one request sent to both python-httpbin and the demo.
type demoCase struct {
	method, path string
	opts         []aiohttp.RequestOption
	// headers are the response fields that must be equal (after the
	// servers' addresses are made the same).
	headers []string
	// form, when set, makes a fresh multipart body for each send.
	form func() *multipart.FormData
	// body says how the bodies compare: "json" field by field, "exact"
	// byte for byte, "lines" as JSON lines, "length" by length only, ""
	// not at all.
	body string
}

// demoCases are the requests TestDemoMatchesHTTPBin sends.
func demoCases() []demoCase {
	basic := aiohttp.BasicAuth{Login: "user", Password: "pass:wd"}
	noFollow := aiohttp.AllowRedirects(false)
	binary := []byte{0xff, 0xfe, 0x00, 'a', 0x80}
	return []demoCase{
		{method: "GET", path: "/get?a=1&b=2&b=3&sp=x+y", body: "json",
			opts: []aiohttp.RequestOption{aiohttp.Headers{"X-Custom": "v", "X-Forwarded-For": "10.0.0.1"}}},
		{method: "GET", path: "/get?show_env=1", body: "json",
			opts: []aiohttp.RequestOption{aiohttp.Headers{"Via": "1.1 proxy"}}},
		{method: "GET", path: "/headers", body: "json", opts: []aiohttp.RequestOption{aiohttp.Headers{"x-lower-case": "1", "X-API2KEY": "k"}}},
		{method: "GET", path: "/ip", body: "json"},
		{method: "GET", path: "/user-agent", body: "json"},
		{method: "POST", path: "/post?q=1", body: "json", opts: []aiohttp.RequestOption{aiohttp.Form{"name": "Jörg", "x": "a&b"}}},
		{method: "POST", path: "/post", body: "json", opts: []aiohttp.RequestOption{aiohttp.FormList{{Key: "k", Value: "1"}, {Key: "k", Value: "2"}}}},
		{method: "POST", path: "/post", body: "json", opts: []aiohttp.RequestOption{aiohttp.JSON(map[string]any{"a": []any{1, "x", nil}, "ü": true})}},
		{method: "POST", path: "/post", body: "json", opts: []aiohttp.RequestOption{aiohttp.String("plain text")}},
		{method: "POST", path: "/post", body: "json", opts: []aiohttp.RequestOption{aiohttp.Bytes(binary)}},
		{method: "POST", path: "/post", body: "json", form: func() *multipart.FormData {
			var f multipart.FormData
			f.SetBoundary("demo-and-httpbin-the-same")
			f.AddField("name", "Jörg")
			f.AddField("k", "1")
			f.AddField("k", "2")
			f.AddFile("file", "report.csv", "text/csv", strings.NewReader("a,b\n1,2\n"))
			f.AddFile("bin", "x.bin", "application/octet-stream", bytes.NewReader(binary))
			f.AddFile("many", "1.txt", "text/plain", strings.NewReader("one"))
			f.AddFile("many", "2.txt", "text/plain", strings.NewReader("two"))
			return &f
		}},
		{method: "PUT", path: "/anything/up", body: "json", form: func() *multipart.FormData {
			var f multipart.FormData
			f.SetBoundary("demo-and-httpbin-the-same")
			f.AddFile("f", "", "", strings.NewReader("no filename"))
			return &f
		}},
		{method: "PUT", path: "/put", body: "json", opts: []aiohttp.RequestOption{aiohttp.JSON([]int{1, 2})}},
		{method: "PATCH", path: "/patch", body: "json", opts: []aiohttp.RequestOption{aiohttp.String(`{"k": "v"}`)}},
		{method: "DELETE", path: "/delete", body: "json"},
		{method: "GET", path: "/anything/a/b?x=1", body: "json"},
		{method: "POST", path: "/anything", body: "json", opts: []aiohttp.RequestOption{aiohttp.Form{"f": "v"}}},
		{method: "GET", path: "/gzip", body: "json", headers: []string{"Content-Encoding", "Content-Type"}},
		{method: "GET", path: "/deflate", body: "json", headers: []string{"Content-Encoding"}},
		{method: "GET", path: "/brotli", body: "json", headers: []string{"Content-Encoding"}},
		{method: "GET", path: "/gzip", body: "json", headers: []string{"Content-Encoding"},
			opts: []aiohttp.RequestOption{aiohttp.Headers{"Accept-Encoding": "identity"}}},
		{method: "GET", path: "/base64/SFRUUEJJTiBpcyBhd2Vzb21l", body: "exact", headers: []string{"Content-Type"}},
		{method: "GET", path: "/response-headers?X-A=1&X-A=2&freeform=hi", body: "json", headers: []string{"X-A", "Freeform", "Content-Type"}},
		{method: "POST", path: "/response-headers?X-B=3", body: "json", headers: []string{"X-B"}},
		{method: "GET", path: "/basic-auth/user/pass:wd", body: "json", opts: []aiohttp.RequestOption{basic}},
		{method: "GET", path: "/basic-auth/user/other", headers: []string{"WWW-Authenticate"}, opts: []aiohttp.RequestOption{basic}},
		{method: "GET", path: "/hidden-basic-auth/user/other", opts: []aiohttp.RequestOption{basic}},
		{method: "GET", path: "/bearer", headers: []string{"WWW-Authenticate"}},
		{method: "GET", path: "/bearer", body: "json", opts: []aiohttp.RequestOption{aiohttp.Headers{"Authorization": "Bearer tok123"}}},
		{method: "GET", path: "/cookies", body: "json", opts: []aiohttp.RequestOption{aiohttp.Headers{"Cookie": "a=1; b=two; __utma=x"}}},
		{method: "GET", path: "/cookies/set?k=v&k2=v2", headers: []string{"Location", "Set-Cookie"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "GET", path: "/cookies/set/name/value", headers: []string{"Location", "Set-Cookie"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "GET", path: "/cookies/delete?k", headers: []string{"Location"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "GET", path: "/redirect/3", headers: []string{"Location"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "GET", path: "/redirect/1", headers: []string{"Location"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "GET", path: "/redirect/2?absolute=true", headers: []string{"Location"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "GET", path: "/redirect/3", body: "json"},
		{method: "GET", path: "/relative-redirect/2", headers: []string{"Location"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "GET", path: "/absolute-redirect/2", headers: []string{"Location"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "GET", path: "/absolute-redirect/1", headers: []string{"Location"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "POST", path: "/redirect-to?url=/get&status_code=307", headers: []string{"Location"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "GET", path: "/redirect-to?URL=http://example.com/x", headers: []string{"Location"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "GET", path: "/status/418", body: "exact", headers: []string{"X-More-Info"}},
		{method: "GET", path: "/status/401", headers: []string{"WWW-Authenticate"}},
		// gunicorn drops httpbin's Proxy-Authenticate (hop-by-hop in
		// WSGI); the demo sends it, as httpbin.org does.
		{method: "GET", path: "/status/407"},
		{method: "GET", path: "/status/406", body: "json"},
		{method: "POST", path: "/status/302", headers: []string{"Location"}, opts: []aiohttp.RequestOption{noFollow}},
		{method: "PUT", path: "/status/204"},
		{method: "GET", path: "/status/503"},
		{method: "GET", path: "/status/200:0,404:1"},
		{method: "GET", path: "/status/x"},
		{method: "GET", path: "/bytes/1000", body: "length", headers: []string{"Content-Type"}},
		{method: "GET", path: "/stream-bytes/3000?chunk_size=700", body: "length", headers: []string{"Content-Type"}},
		{method: "GET", path: "/stream/3", body: "lines"},
		{method: "GET", path: "/range/100", body: "exact", headers: []string{"ETag", "Accept-Ranges", "Content-Type"}},
		{method: "GET", path: "/range/100", body: "exact", headers: []string{"Content-Range", "Content-Length"},
			opts: []aiohttp.RequestOption{aiohttp.Headers{"Range": "bytes=10-19"}}},
		{method: "GET", path: "/range/100", body: "exact", headers: []string{"Content-Range"},
			opts: []aiohttp.RequestOption{aiohttp.Headers{"Range": "bytes=-5"}}},
		{method: "GET", path: "/range/100", body: "exact", headers: []string{"Content-Range"},
			opts: []aiohttp.RequestOption{aiohttp.Headers{"Range": "bytes=90-"}}},
		{method: "GET", path: "/range/100", headers: []string{"Content-Range"},
			opts: []aiohttp.RequestOption{aiohttp.Headers{"Range": "bytes=200-300"}}},
		{method: "GET", path: "/range/0"},
		{method: "GET", path: "/etag/abc", body: "json", headers: []string{"ETag"}},
		{method: "GET", path: "/etag/abc", headers: []string{"ETag"}, opts: []aiohttp.RequestOption{aiohttp.Headers{"If-None-Match": `"x", "abc"`}}},
		{method: "GET", path: "/etag/abc", opts: []aiohttp.RequestOption{aiohttp.Headers{"If-Match": `"x"`}}},
		{method: "GET", path: "/etag/abc", body: "json", opts: []aiohttp.RequestOption{aiohttp.Headers{"If-Match": `W/"abc"`}}},
		{method: "GET", path: "/cache", opts: []aiohttp.RequestOption{aiohttp.Headers{"If-None-Match": `"x"`}}},
		{method: "GET", path: "/cache", body: "json"},
		{method: "GET", path: "/cache/60", body: "json", headers: []string{"Cache-Control"}},
		{method: "GET", path: "/xml", headers: []string{"Content-Type"}},
		{method: "GET", path: "/html", headers: []string{"Content-Type"}},
		{method: "GET", path: "/drip?numbytes=5&duration=0.2&code=201", body: "exact", headers: []string{"Content-Length", "Content-Type"}},
		{method: "GET", path: "/drip?numbytes=0"},
		{method: "GET", path: "/delay/0.1?d=1", body: "json"},
		{method: "GET", path: "/uuid"},
	}
}

// TestDemoMatchesHTTPBin sends the same requests to python-httpbin
// (Debian's, under gunicorn) and to the demo of "aiohttp serve", and
// compares the answers: statuses, the response fields each case names,
// and the bodies, JSON field by field.
func TestDemoMatchesHTTPBin(t *testing.T) {
	bin := startHTTPBin(t)
	ours := startServer(t)
	binSession := newClientSession(t, aiohttp.SessionOptions{BaseURL: bin.URL})
	ourSession := newClientSession(t, aiohttp.SessionOptions{BaseURL: ours.URL})
	// Our address stands in for httpbin's in everything httpbin answers.
	same := strings.NewReplacer(bin.URL, ours.URL, bin.Host, ours.Addr)
	for _, c := range demoCases() {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			want := demoFetch(t, binSession, c)
			got := demoFetch(t, ourSession, c)
			if got.status != want.status {
				t.Errorf("status %d, httpbin's %d", got.status, want.status)
			}
			for _, h := range c.headers {
				w := same.Replace(strings.Join(want.header[h], "\n"))
				if g := strings.Join(got.header[h], "\n"); g != w {
					t.Errorf("%s: %q, httpbin's %q", h, g, w)
				}
			}
			switch c.body {
			case "json":
				var g, w any
				if err := json.Unmarshal(got.body, &g); err != nil {
					t.Fatalf("our body is not JSON: %v\n%s", err, got.body)
				}
				if err := json.Unmarshal([]byte(same.Replace(string(want.body))), &w); err != nil {
					t.Fatalf("httpbin's body is not JSON: %v\n%s", err, want.body)
				}
				for _, d := range jsonDiff("", g, w) {
					t.Error(d)
				}
			case "exact":
				if !bytes.Equal(got.body, want.body) {
					t.Errorf("body %q, httpbin's %q", got.body, want.body)
				}
			case "lines":
				g, w := bytes.Split(bytes.TrimSpace(got.body), []byte("\n")), bytes.Split(bytes.TrimSpace(want.body), []byte("\n"))
				if len(g) != len(w) {
					t.Fatalf("%d lines, httpbin's %d", len(g), len(w))
				}
				for i := range g {
					var gv, wv any
					if json.Unmarshal(g[i], &gv) != nil || json.Unmarshal([]byte(same.Replace(string(w[i]))), &wv) != nil {
						t.Fatalf("line %d is not JSON: %s | %s", i, g[i], w[i])
					}
					for _, d := range jsonDiff(fmt.Sprintf("line %d", i), gv, wv) {
						t.Error(d)
					}
				}
			case "length":
				if len(got.body) != len(want.body) {
					t.Errorf("%d bytes, httpbin's %d", len(got.body), len(want.body))
				}
			}
		})
	}
}

// demoAnswer is what demoFetch keeps of a response.
type demoAnswer struct {
	status int
	header map[string][]string
	body   []byte
}

// demoFetch sends c with s and reads the whole answer.
func demoFetch(t *testing.T, s *aiohttp.Session, c demoCase) demoAnswer {
	t.Helper()
	opts := c.opts
	if c.form != nil {
		opts = append(slices.Clip(opts), aiohttp.FormData(c.form()))
	}
	resp, err := s.Request(testContext(t), c.method, c.path, opts...)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Close()
	body, err := resp.Bytes()
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", c.method, c.path, err)
	}
	a := demoAnswer{status: resp.Status, header: map[string][]string{}, body: body}
	for k, v := range resp.Header.All() {
		k = canonicalHeader(k)
		a.header[k] = append(a.header[k], v)
	}
	for _, vs := range a.header {
		sort.Strings(vs)
	}
	return a
}

// jsonDiff lists where got and want, decoded JSON values, differ.
func jsonDiff(path string, got, want any) []string {
	g, gok := got.(map[string]any)
	w, wok := want.(map[string]any)
	if !gok || !wok {
		if !reflect.DeepEqual(got, want) {
			return []string{fmt.Sprintf("%s: %#v, httpbin's %#v", path, got, want)}
		}
		return nil
	}
	var diffs []string
	keys := make([]string, 0, len(g)+len(w))
	for k := range g {
		keys = append(keys, k)
	}
	for k := range w {
		if _, ok := g[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		gv, inG := g[k]
		wv, inW := w[k]
		switch {
		case !inG:
			diffs = append(diffs, fmt.Sprintf("%s.%s: missing, httpbin's %#v", path, k, wv))
		case !inW:
			diffs = append(diffs, fmt.Sprintf("%s.%s: %#v, not in httpbin's", path, k, gv))
		default:
			diffs = append(diffs, jsonDiff(path+"."+k, gv, wv)...)
		}
	}
	return diffs
}
