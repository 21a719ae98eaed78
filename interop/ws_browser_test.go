//go:build unix

package interop

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/web"
)

// chromiumPath is Debian's chromium, the browser of the browser test.
const chromiumPath = "/usr/bin/chromium"

// chromiumHint installs it.
const chromiumHint = "apt-get install chromium"

// browserTimeout bounds the browser process.
const browserTimeout = 60 * time.Second

// browserHoldTimeout bounds the server's hold of the page's load event.
const browserHoldTimeout = 20 * time.Second

// browserPagePath is the test page the browser loads.
const browserPagePath = "/ws-browser.html"

// The routes of the page's own server besides the demo's.
const (
	browserHoldPath = "/ws-browser-hold" // answers once the page is done
	browserDonePath = "/ws-browser-done" // the page says it is done
)

// browserPage opens a WebSocket to the demo's /ws on the host it came
// from, sends a text and a binary message, and writes what comes back,
// the negotiated extensions and the close event into #log, one line each;
// then closes with 1000, which the demo answers.
//
// The page's load event, after which --dump-dom prints the DOM, waits for
// an iframe from browserHoldPath, which the server answers only after the
// page posted to browserDonePath from its close handler: the DOM is
// dumped once the exchange is over. (--virtual-time-budget does not do:
// it counts no WebSocket as pending, and the hold fetch that would make up
// for it also stops the delivery of the close event.)
const browserPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>pending</title></head>
<body><pre id="log"></pre>
<script>
"use strict";
function log(line) { document.getElementById("log").textContent += line + "\n"; }
const ws = new WebSocket("ws://" + location.host + "/ws");
ws.binaryType = "arraybuffer";
let echoes = 0;
ws.onopen = () => {
  log("open extensions=" + ws.extensions);
  ws.send("hello from chromium");
  ws.send(new Uint8Array([0, 1, 2, 255]));
};
ws.onmessage = (e) => {
  if (typeof e.data === "string") {
    log("text=" + e.data);
  } else {
    log("binary=" + Array.from(new Uint8Array(e.data)).join(","));
  }
  if (++echoes === 2) ws.close(1000, "bye from chromium");
};
ws.onerror = () => log("error");
ws.onclose = (e) => {
  log("close code=" + e.code + " clean=" + e.wasClean);
  document.title = "done";
  fetch("/ws-browser-done", {method: "POST", body: "done"}).catch(() => {});
};
</script>
<iframe src="/ws-browser-hold"></iframe>
</body></html>
`

// startBrowserServer serves app plus page (on browserPagePath) and its
// hold and done routes on 127.0.0.1:0 until the test ends, and returns
// its address.
func startBrowserServer(t *testing.T, app *web.Application, page string) string {
	t.Helper()
	app.Router.Get(browserPagePath, func(*web.Request) (web.Response, error) {
		return web.Text(page).SetContentType("text/html"), nil
	})
	done := make(chan struct{})
	var once sync.Once
	app.Router.Post(browserDonePath, func(*web.Request) (web.Response, error) {
		once.Do(func() { close(done) })
		return web.Text("ok"), nil
	})
	app.Router.Get(browserHoldPath, func(req *web.Request) (web.Response, error) {
		select {
		case <-done:
		case <-req.Context().Done():
		case <-time.After(browserHoldTimeout):
		}
		return web.Text("released"), nil
	})
	return serveApp(t, app).Addr
}

// TestBrowserWebSocket: headless Chromium (Debian chromium) loads a page
// from our server whose script talks to the demo's /ws with the browser's
// own WebSocket: the text and binary echoes, permessage-deflate as
// Chromium negotiates it with our server, and a clean close 1000. The
// dumped DOM carries the results.
func TestBrowserWebSocket(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		missingPeer(t, "chromium not found (%v); install it: %s", err, chromiumHint)
	}
	addr := startBrowserServer(t, demo.NewApp(), browserPage)
	dom, stderr, err := runBrowser(t, "http://"+addr+browserPagePath)
	if err != nil {
		t.Fatalf("chromium: %v\nstdout:\n%s\nstderr:\n%s", err, dom, stderr)
	}
	for _, want := range []string{
		"open extensions=permessage-deflate",
		"text=hello from chromium",
		"binary=0,1,2,255",
		"close code=1000 clean=true",
		"<title>done</title>",
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the dumped DOM lacks %q", want)
		}
	}
	if strings.Contains(dom, "error\n") {
		t.Errorf("the page saw a WebSocket error")
	}
	if t.Failed() {
		t.Fatalf("DOM:\n%s\nstderr:\n%s", dom, stderr)
	}
	if _, log, ok := strings.Cut(dom, `<pre id="log">`); ok {
		log, _, _ = strings.Cut(log, "</pre>")
		t.Logf("page log:\n%s", strings.TrimSpace(log))
	}
}

// runBrowser runs headless Chromium on url with --dump-dom and returns
// the DOM it prints once the page has loaded. The
// browser, with its own processes, is killed when it outlives
// browserTimeout.
func runBrowser(t *testing.T, url string) (stdout, stderr string, err error) {
	t.Helper()
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromiumPath,
		"--headless",
		"--no-sandbox",
		"--disable-gpu",
		"--disable-quic",
		"--no-first-run",
		"--no-default-browser-check",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--disable-extensions",
		"--disable-dev-shm-usage",
		"--no-proxy-server",
		"--user-data-dir="+filepath.Join(home, "profile"),
		"--dump-dom",
		url,
	)
	cmd.Env = append(peerEnv(),
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_CACHE_HOME="+filepath.Join(home, "cache"),
	)
	// Its own process group, so that the renderer and helper processes
	// go with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	err = cmd.Run()
	if cmd.Process != nil {
		// Helpers left behind by a browser that exited.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	if ctx.Err() != nil {
		err = errors.Join(errors.New("chromium timed out after "+browserTimeout.String()), err)
	}
	return out.String(), errOut.String(), err
}
