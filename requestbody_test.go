package aiohttp_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/web"
)

// signedApp serves /signed, which answers 403 unless X-Body-SHA256 is the
// SHA-256 of the body received, and else describes the body; and
// /r/307, a redirect to it.
func signedApp(app *web.Application) {
	echoApp(app)
	app.Router.Any("/signed", func(r *web.Request) (web.Response, error) {
		body, err := r.Bytes()
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		if r.Header().Get("X-Body-SHA256") != hex.EncodeToString(sum[:]) {
			return web.NewResponse(403), nil
		}
		h := r.Header()
		return web.Text(r.Method() + " " + string(body) + "|ct=" + h.Get("Content-Type") +
			"|cl=" + h.Get("Content-Length") + "|te=" + h.Get("Transfer-Encoding")), nil
	})
}

// signBody is a middleware that signs the body it reads with Body into
// the X-Body-SHA256 header field.
func signBody(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
	h := sha256.New()
	body, err := req.Body()
	if err != nil {
		return nil, err
	}
	if body != nil {
		if _, err := io.Copy(h, body); err != nil {
			return nil, err
		}
	}
	req.Header.Set("X-Body-SHA256", hex.EncodeToString(h.Sum(nil)))
	return next(req)
}

func TestMiddlewareSignsBody(t *testing.T) {
	base := serveApp(t, signedApp)
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{signBody}})
	tests := []struct {
		name, path string
		body       aiohttp.RequestOption
		want       string
	}{
		{"string", "/signed", aiohttp.String("hello"), "POST hello|ct=text/plain; charset=utf-8|cl=5|te="},
		{"json", "/signed", aiohttp.JSON(map[string]int{"a": 1}), `POST {"a":1}|ct=application/json|cl=7|te=`},
		{"form", "/signed", aiohttp.Form{"a": "1 2"}, "POST a=1+2|ct=application/x-www-form-urlencoded|cl=5|te="},
		{"seekable stream", "/signed", aiohttp.Body(bytes.NewReader([]byte("seek"))), "POST seek|ct=application/octet-stream|cl=4|te="},
		{"one-shot stream", "/signed", aiohttp.Body(io.MultiReader(strings.NewReader("once"))), "POST once|ct=application/octet-stream|cl=|te=chunked"},
		// The stream Body read into memory can follow a 307 redirect.
		{"one-shot stream redirected", "/r/307?to=/signed", aiohttp.Body(io.MultiReader(strings.NewReader("again"))), "POST again|ct=application/octet-stream|cl=5|te="},
		{"no body", "/signed", nil, "POST |ct=|cl=0|te="},
	}
	for _, tt := range tests {
		var opts []aiohttp.RequestOption
		if tt.body != nil {
			opts = append(opts, tt.body)
		}
		resp, err := s.Post(testCtx(t), tt.path, opts...)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if body := readBody(t, resp); resp.Status != 200 || body != tt.want {
			t.Errorf("%s: %d %q, want %q", tt.name, resp.Status, body, tt.want)
		}
	}
}

// A middleware replaces the body: the header fields that describe it
// follow, and the server gets the new one.
func TestMiddlewareSetBody(t *testing.T) {
	base := serveApp(t, signedApp)
	type envelope struct {
		Payload string `json:"payload"`
	}
	wrap := func(req *aiohttp.ClientRequest, next aiohttp.Handler) (*aiohttp.Response, error) {
		body, err := req.Body()
		if err != nil {
			return nil, err
		}
		var b []byte
		if body != nil {
			if b, err = io.ReadAll(body); err != nil {
				return nil, err
			}
		}
		var replacement aiohttp.BodyOption
		switch req.Header.Get("X-Wrap") {
		case "json":
			replacement = aiohttp.JSON(envelope{Payload: string(b)})
		case "stream":
			replacement = aiohttp.Body(io.MultiReader(strings.NewReader("<"), bytes.NewReader(b), strings.NewReader(">")))
		default:
			replacement = aiohttp.Bytes(append([]byte("wrapped:"), b...))
		}
		if err := req.SetBody(replacement); err != nil {
			return nil, err
		}
		return next(req)
	}
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Middlewares: []aiohttp.Middleware{wrap, signBody}})
	envelopeJSON, _ := json.Marshal(envelope{Payload: "abc"})
	tests := []struct {
		name   string
		method string
		opts   []aiohttp.RequestOption
		want   string
	}{
		{"json", "POST", []aiohttp.RequestOption{aiohttp.String("abc"), aiohttp.Header("X-Wrap", "json")},
			"POST " + string(envelopeJSON) + "|ct=application/json|cl=17|te="},
		{"stream of unknown length", "PUT", []aiohttp.RequestOption{aiohttp.Bytes([]byte("abc")), aiohttp.Header("X-Wrap", "stream")},
			"PUT <abc>|ct=application/octet-stream|cl=|te=chunked"},
		{"the caller's Content-Type stays", "POST", []aiohttp.RequestOption{aiohttp.String("abc"), aiohttp.Headers{"Content-Type": "text/x-mine"}},
			"POST wrapped:abc|ct=text/x-mine|cl=11|te="},
		{"a body for a GET", "GET", nil, "GET wrapped:|ct=application/octet-stream|cl=8|te="},
	}
	for _, tt := range tests {
		resp, err := s.Request(testCtx(t), tt.method, "/signed", tt.opts...)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if body := readBody(t, resp); resp.Status != 200 || body != tt.want {
			t.Errorf("%s: %d %q, want %q", tt.name, resp.Status, body, tt.want)
		}
	}
}
