package web_test

import (
	"errors"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// The ETag and Last-Modified setters render aiohttp's formats, on body
// and stream responses, over the engine and under the net/http bridge.
func TestResponseETagLastModified(t *testing.T) {
	modified := time.Date(2015, 10, 21, 7, 28, 0, 500e6, time.FixedZone("CET", 3600))
	const wantDate = "Wed, 21 Oct 2015 06:28:00 GMT"
	app := newApp()
	for path, tag := range map[string]web.ETag{
		"/strong": {Value: "v1"},
		"/weak":   {Value: "v1", Weak: true},
		"/any":    {Value: "*", Weak: true},
		"/obs":    {Value: "é,!#~"},
	} {
		app.Router.Get(path, func(*web.Request) (web.Response, error) {
			resp := web.Text("x").SetLastModified(modified)
			if err := resp.SetETag(tag); err != nil {
				return nil, err
			}
			return resp, nil
		})
	}
	app.Router.Get("/stream", func(req *web.Request) (web.Response, error) {
		resp := web.NewStreamResponse()
		resp.SetLastModified(modified)
		if err := resp.SetETag(web.ETag{Value: "s", Weak: true}); err != nil {
			return nil, err
		}
		if err := resp.Prepare(req); err != nil {
			return nil, err
		}
		if err := resp.SetETag(web.ETag{Value: "late"}); !errors.Is(err, web.ErrAlreadyPrepared) {
			return nil, errors.New("SetETag after Prepare did not fail")
		}
		return resp, nil
	})
	want := map[string]string{"/strong": `"v1"`, "/weak": `W/"v1"`, "/any": "*", "/obs": `"é,!#~"`, "/stream": `W/"s"`}

	t.Run("engine", func(t *testing.T) {
		c := startApp(t, app, web.ServerOptions{}).dial(t)
		for path, etag := range want {
			r := c.get(path)
			if r.status != 200 || r.get("ETag") != etag || r.get("Last-Modified") != wantDate {
				t.Errorf("%s: %d ETag %q Last-Modified %q, want %q %q", path, r.status, r.get("ETag"), r.get("Last-Modified"), etag, wantDate)
			}
		}
	})
	t.Run("bridge", func(t *testing.T) {
		s := startBridged(t, app)
		for path, etag := range want {
			resp, _ := s.get(path)
			if resp.Header.Get("ETag") != etag || resp.Header.Get("Last-Modified") != wantDate {
				t.Errorf("%s: ETag %q Last-Modified %q", path, resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
			}
		}
	})
}

// An invalid entity tag is an ErrInvalidETag, as aiohttp raises
// ValueError, and leaves the field as it was; the getters give back what
// the setters set.
func TestResponseETagValidation(t *testing.T) {
	resp := web.Text("x")
	if _, ok := resp.ETag(); ok {
		t.Error("ETag() found a tag on a fresh response")
	}
	if _, ok := resp.LastModified(); ok {
		t.Error("LastModified() found a date on a fresh response")
	}
	if err := resp.SetETag(web.ETag{Value: "good", Weak: true}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"", `a"b`, `"quoted"`, "a b", "tab\there", "nul\x00", "del\x7f", "line\r\nX-Injected: 1"} {
		for _, weak := range []bool{false, true} {
			err := resp.SetETag(web.ETag{Value: v, Weak: weak})
			if !errors.Is(err, web.ErrInvalidETag) {
				t.Errorf("SetETag(%q, weak %v) = %v, want ErrInvalidETag", v, weak, err)
			}
			stream := web.NewStreamResponse()
			if err := stream.SetETag(web.ETag{Value: v, Weak: weak}); !errors.Is(err, web.ErrInvalidETag) {
				t.Errorf("stream SetETag(%q) = %v", v, err)
			}
		}
	}
	if got, ok := resp.ETag(); !ok || got != (web.ETag{Value: "good", Weak: true}) || resp.Header().Get("ETag") != `W/"good"` {
		t.Errorf("after refused values: %v %v %q", got, ok, resp.Header().Get("ETag"))
	}
	resp.Header().Set("ETag", `"a", "b"`)
	if got, ok := resp.ETag(); ok {
		t.Errorf("ETag() of a list = %v", got)
	}
	date := time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)
	if got, ok := resp.SetLastModified(date.Add(999 * time.Millisecond)).LastModified(); !ok || !got.Equal(date) {
		t.Errorf("LastModified() = %v %v, want %v (whole seconds)", got, ok, date)
	}
}

// What the setters send, a client sends back in If-None-Match and
// If-Modified-Since, and the request parsers read it as the response had
// it: a handler can answer 304 by comparing them.
func TestResponseValidatorsRoundTrip(t *testing.T) {
	modified := time.Date(2023, 5, 1, 12, 0, 0, 250e6, time.UTC)
	app := newApp()
	app.Router.Get("/{tag}", func(req *web.Request) (web.Response, error) {
		resp := web.Text("content").SetLastModified(modified)
		if err := resp.SetETag(web.ETag{Value: req.MatchInfo().Get("tag"), Weak: req.Query().Has("weak")}); err != nil {
			return nil, err
		}
		etag, _ := resp.ETag()
		lastModified, _ := resp.LastModified()
		for _, t := range req.IfNoneMatch() {
			if t.Value == etag.Value { // the weak comparison If-None-Match uses
				return nil, web.HTTPNotModified()
			}
		}
		if since, ok := req.IfModifiedSince(); ok && !lastModified.After(since) {
			return nil, web.HTTPNotModified()
		}
		return resp, nil
	})
	c := startApp(t, app, web.ServerOptions{}).dial(t)
	for _, path := range []string{"/v1", "/v1?weak", "/ab.c-d_~"} {
		first := c.get(path)
		if first.status != 200 {
			t.Fatalf("%s: %d", path, first.status)
		}
		if r := c.get(path, "If-None-Match: "+first.get("ETag")); r.status != 304 {
			t.Errorf("%s: If-None-Match %q got %d, want 304", path, first.get("ETag"), r.status)
		}
		if r := c.get(path, "If-None-Match: W/\"other\", "+first.get("ETag")); r.status != 304 {
			t.Errorf("%s: If-None-Match list got %d, want 304", path, r.status)
		}
		if r := c.get(path, "If-Modified-Since: "+first.get("Last-Modified")); r.status != 304 {
			t.Errorf("%s: If-Modified-Since %q got %d, want 304", path, first.get("Last-Modified"), r.status)
		}
		if r := c.get(path, `If-None-Match: "other"`); r.status != 200 {
			t.Errorf("%s: another tag got %d", path, r.status)
		}
	}
}
