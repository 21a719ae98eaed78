//go:build unix

package interop

import (
	"os"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/internal/demo"
)

// sseBrowserPage reads the demo's /sse with the browser's EventSource:
// two events, the end of the stream, the reconnection 50 ms later (the
// stream's retry) with Last-Event-ID, from which the demo counts on; then
// the stream of sseRichPath with a typed, multi-line event. Each event,
// open and error goes into #log, one line each. It posts to
// browserDonePath when done, which releases the hold of the load event
// (see browserPage).
const sseBrowserPage = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>pending</title></head>
<body><pre id="log"></pre>
<script>
"use strict";
function log(line) { document.getElementById("log").textContent += line + "\n"; }
function done() {
  document.title = "done";
  fetch("/ws-browser-done", {method: "POST", body: "done"}).catch(() => {});
}
function rich() {
  const r = new EventSource("/sse-rich");
  r.addEventListener("update", (e) => log("update id=" + e.lastEventId + " data=" + JSON.stringify(e.data)));
  r.onmessage = (e) => {
    log("message id=" + e.lastEventId + " data=" + e.data);
    if (e.lastEventId === "b") { r.close(); done(); }
  };
  r.onerror = () => { log("rich error"); r.close(); done(); };
}
const es = new EventSource("/sse?count=2&interval=10&retry=50");
let opens = 0, n = 0;
es.onopen = () => log("open " + (++opens));
es.onmessage = (e) => {
  log("message id=" + e.lastEventId + " data=" + e.data);
  if (++n === 4) { es.close(); rich(); }
};
es.onerror = () => {
  log("error readyState=" + es.readyState);
  if (opens > 2) { es.close(); done(); }
};
</script>
<iframe src="/ws-browser-hold"></iframe>
</body></html>
`

// TestBrowserEventSource: headless Chromium's EventSource reads our event
// streams, reconnects after the end of one as the stream's retry says,
// sends Last-Event-ID (the demo's IDs go on from it), and gets event
// types, multi-line data and UTF-8 right.
func TestBrowserEventSource(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		missingPeer(t, "chromium not found (%v); install it: %s", err, chromiumHint)
	}
	app := demo.NewApp()
	addSSERoutes(app)
	addr := startBrowserServer(t, app, sseBrowserPage)
	dom, stderr, err := runBrowser(t, "http://"+addr+browserPagePath)
	if err != nil {
		t.Fatalf("chromium: %v\nstdout:\n%s\nstderr:\n%s", err, dom, stderr)
	}
	_, log, _ := strings.Cut(dom, `<pre id="log">`)
	log, _, _ = strings.Cut(log, "</pre>")
	want := strings.Join([]string{
		"open 1",
		"message id=1 data=event 1",
		"message id=2 data=event 2",
		"error readyState=0", // the stream ended: reconnecting
		"open 2",
		"message id=3 data=event 3",
		"message id=4 data=event 4",
		"message id=a data=first",
		`update id=a data="line1\nline2"`,
		"message id=b data=ünïcode ✓",
	}, "\n") + "\n"
	if log != want || !strings.Contains(dom, "<title>done</title>") {
		t.Fatalf("page log:\n%s\nwant:\n%s\nDOM:\n%s\nstderr:\n%s", log, want, dom, stderr)
	}
}
