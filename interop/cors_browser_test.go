//go:build unix

package interop

import (
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/web/cors"
)

// corsBrowserPage calls the API whose URL is in its "api" query parameter,
// another origin, with fetch: a simple GET with credentials, a POST that
// needs a preflight, then requests CORS refuses (a method, a header, an
// origin, a route without CORS). Each outcome goes into #log.
const corsBrowserPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>pending</title></head>
<body><pre id="log"></pre>
<script>
"use strict";
function log(line) { document.getElementById("log").textContent += line + "\n"; }
const api = new URLSearchParams(location.search).get("api");
async function step(name, path, init) {
  try {
    const r = await fetch(api + path, init);
    const body = await r.text();
    log(name + " status=" + r.status + " custom=" + r.headers.get("X-Custom") + " other=" + r.headers.get("X-Other") + " body=" + body);
  } catch (e) {
    log(name + " blocked");
  }
}
(async () => {
  await step("simple", "/items", {credentials: "include"});
  await step("preflighted", "/items", {method: "POST", credentials: "include",
    headers: {"Content-Type": "application/json", "X-Token": "t"}, body: "{}"});
  await step("method", "/items", {method: "PUT", body: "x"});
  await step("header", "/items", {method: "POST", headers: {"X-Evil": "1"}, body: "x"});
  await step("origin", "/elsewhere", {});
  await step("private", "/private", {});
  document.title = "done";
  fetch("/ws-browser-done", {method: "POST", body: "done"}).catch(() => {});
})();
</script>
<iframe src="/ws-browser-hold"></iframe>
</body></html>
`

// TestBrowserCORS: headless Chromium, on a page of one origin, calls an
// API of another through package cors: what the configuration allows
// goes through (credentials, a preflighted POST, exposed headers only),
// what it refuses is blocked by the browser, and a refused preflight
// keeps the request itself from being sent.
func TestBrowserCORS(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		missingPeer(t, "chromium not found (%v); install it: %s", err, chromiumHint)
	}
	pageAddr := startBrowserServer(t, web.NewApplication(), corsBrowserPage)
	pageOrigin := "http://" + pageAddr

	var posts, puts atomic.Int32
	handler := func(n *atomic.Int32) web.Handler {
		return func(req *web.Request) (web.Response, error) {
			if n != nil {
				n.Add(1)
			}
			resp := web.Text(req.Method() + " ok")
			resp.Header().Set("X-Custom", "exposed")
			resp.Header().Set("X-Other", "hidden")
			return resp, nil
		}
	}
	api := web.NewApplication()
	c := cors.Setup(api, nil)
	allowed := cors.Origins{pageOrigin: {
		AllowCredentials: true,
		AllowHeaders:     []string{"Content-Type", "X-Token"},
		ExposeHeaders:    []string{"X-Custom"},
	}}
	c.Add(api.Router.Get("/items", handler(nil)), allowed)
	c.Add(api.Router.Post("/items", handler(&posts)), allowed)
	api.Router.Put("/items", handler(&puts)) // no CORS for PUT
	c.Add(api.Router.Get("/elsewhere", handler(nil)), cors.Origins{"https://elsewhere.example": {}})
	api.Router.Get("/private", handler(nil))
	apiURL := serveApp(t, api).URL

	dom, stderr, err := runBrowser(t, pageOrigin+browserPagePath+"?api="+url.QueryEscape(apiURL))
	if err != nil {
		t.Fatalf("chromium: %v\nstdout:\n%s\nstderr:\n%s", err, dom, stderr)
	}
	_, log, _ := strings.Cut(dom, `<pre id="log">`)
	log, _, _ = strings.Cut(log, "</pre>")
	want := strings.Join([]string{
		"simple status=200 custom=exposed other=null body=GET ok",
		"preflighted status=200 custom=exposed other=null body=POST ok",
		"method blocked",
		"header blocked",
		"origin blocked",
		"private blocked",
	}, "\n") + "\n"
	if log != want || !strings.Contains(dom, "<title>done</title>") {
		t.Fatalf("page log:\n%s\nwant:\n%s\nDOM:\n%s\nstderr:\n%s", log, want, dom, stderr)
	}
	if posts.Load() != 1 || puts.Load() != 0 {
		t.Errorf("the API got %d POSTs and %d PUTs, want 1 and 0: a refused preflight must stop the request", posts.Load(), puts.Load())
	}
}
