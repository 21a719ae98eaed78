package aiohttp_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aiohttp-go/aiohttp"
)

// serveNumbered answers GET /N with status 200 and reason "Reason N", an
// X-Id of N, a field whose name and value change with N, and fields that
// repeat from one response to the next: every string of one head differs
// from the last one on its connection somewhere, in its name, its value,
// or only in its length.
func serveNumbered(t *testing.T) string {
	return startRaw(t, serveRequests(func(r *http.Request) string {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		return fmt.Sprintf("HTTP/1.1 200 Reason %d\r\nServer: numbered\r\nX-Id: %d\r\nX-Pad-%d: %s\r\nContent-Length: 2\r\n\r\nok",
			n, n, n%3, strings.Repeat("v", n%5))
	})).URL
}

// The strings of a response stay the same after Session.With has reused
// the Response for later requests: as map keys, in slices, compared.
func TestSessionWithStringsNeverChange(t *testing.T) {
	base := serveNumbered(t)
	conn := aiohttp.NewTCPConnector(aiohttp.TCPConnectorOptions{Limit: 3})
	s := newSession(t, aiohttp.SessionOptions{BaseURL: base, Connector: conn})
	type kept struct {
		reason, id string
		items      []string
	}
	const workers, each = 6, 60
	got := make([][]kept, workers)
	byID := make([]map[string]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		byID[w] = map[string]int{}
		wg.Go(func() {
			for i := range each {
				n := w*each + i
				err := s.With(testCtx(t), "GET", "/"+strconv.Itoa(n), func(resp *aiohttp.Response) error {
					k := kept{reason: resp.Reason, id: resp.Header.Get("X-Id")}
					for key, v := range resp.Header.All() {
						k.items = append(k.items, key, v)
					}
					got[w] = append(got[w], k)
					byID[w][k.id] = n
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for w := range workers {
		if len(byID[w]) != len(got[w]) {
			t.Fatalf("worker %d: %d keys for %d responses", w, len(byID[w]), len(got[w]))
		}
		for i, k := range got[w] {
			n := w*each + i
			want := kept{
				reason: fmt.Sprintf("Reason %d", n),
				id:     strconv.Itoa(n),
				items: []string{"Server", "numbered", "X-Id", strconv.Itoa(n),
					fmt.Sprintf("X-Pad-%d", n%3), strings.Repeat("v", n%5), "Content-Length", "2"},
			}
			if k.reason != want.reason || k.id != want.id || fmt.Sprint(k.items) != fmt.Sprint(want.items) {
				t.Fatalf("response %d changed after later requests:\n got %q %q %q\nwant %q %q %q",
					n, k.reason, k.id, k.items, want.reason, want.id, want.items)
			}
			if byID[w][want.id] != n {
				t.Fatalf("map keyed by X-Id: %q gives %d, want %d", want.id, byID[w][want.id], n)
			}
		}
	}
}
