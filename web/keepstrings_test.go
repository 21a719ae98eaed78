package web_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// keptStrings collects the strings handlers and the access logger got,
// keyed by what they should be.
type keptStrings struct {
	mu   sync.Mutex
	kept map[string]string // want → got, the got strings kept as handed out
	keys map[string]int    // strings handed out, used as map keys
}

func (k *keptStrings) keep(want, got string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.kept[want+" ("+fmt.Sprint(len(k.kept))+")"] = got
	k.keys[got]++
}

// keepRequest keeps every string the request hands out.
func (k *keptStrings) keepRequest(req *web.Request, id string) {
	k.keep("/keep/"+id, req.Path())
	k.keep("/keep/"+id, req.RawPath())
	k.keep("q="+id+"&r=x"+id, req.QueryString())
	k.keep("/keep/"+id+"?q="+id+"&r=x"+id, req.PathQS())
	k.keep("/keep/"+id+"?q="+id+"&r=x"+id, req.Target())
	k.keep("h"+id+".example", req.Host())
	k.keep("http://h"+id+".example/keep/"+id+"?q="+id+"&r=x"+id, req.URL().String())
	k.keep(id, req.Query().Get("q"))
	k.keep("x"+id, req.Query().Get("r"))
	k.keep(id, req.Header().Get("X-Id"))
	sent := sentFields(id)
	i := 0
	for name, value := range req.Header().All() {
		if i < len(sent) {
			k.keep(sent[i][0], name)
			k.keep(sent[i][1], value)
		}
		i++
	}
	k.keep(id, req.Cookie("c"))
	k.keep(id, req.MatchInfo().Get("id"))
	for name, value := range req.MatchInfo().All() {
		k.keep("id", name)
		k.keep(id, value)
	}
	k.keep("application/x-www-form-urlencoded", req.ContentType())
	k.keep(charset(id), req.Charset())
	for _, tag := range req.IfNoneMatch() {
		k.keep(id, tag.Value)
	}
	for _, elem := range req.Forwarded() {
		k.keep("f"+id, elem["for"])
	}
	k.keep("127.0.0.1", req.Remote())
}

// sentFields are the header fields of the request with id.
func sentFields(id string) [][2]string {
	return [][2]string{
		{"Host", "h" + id + ".example"}, {"X-Id", id}, {"Cookie", "c=" + id}, {"If-None-Match", `"` + id + `"`},
		{"Forwarded", "for=f" + id}, {"Content-Type", "application/x-www-form-urlencoded; charset=" + charset(id)},
		{"Content-Length", "6"},
	}
}

// charset is the charset of the request with id: they differ from one
// request to the next.
func charset(id string) string { return "iso-8859-" + string('1'+id[3]%9) }

// keepLogger keeps what the access logger is given.
type keepLogger struct {
	k     *keptStrings
	count chan struct{}
}

func (l *keepLogger) Log(req *web.Request, resp web.SentResponse, _ time.Duration) {
	id := req.Header().Get("X-Id")
	l.k.keep("/keep/"+id, req.Path())
	l.k.keep("/keep/"+id+"?q="+id+"&r=x"+id, req.Target())
	l.k.keep(id, resp.Header().Get("X-Echo"))
	l.k.keep("R"+id, resp.Reason())
	l.count <- struct{}{}
}

// Nothing the server hands out changes afterwards: strings kept from
// requests served one after the other on one keep-alive connection, whose
// read buffer each next request reuses, still hold their values once many
// more requests went by, and so do the map keys made of them (run with
// -race).
func TestKeptStringsNeverChange(t *testing.T) {
	k := &keptStrings{kept: map[string]string{}, keys: map[string]int{}}
	logger := &keepLogger{k: k, count: make(chan struct{}, 1)}
	app := newApp()
	app.Router.Post("/keep/{id}", func(req *web.Request) (web.Response, error) {
		id := req.MatchInfo().Get("id")
		k.keepRequest(req, id)
		clone, err := req.Clone(web.CloneOptions{})
		if err != nil {
			return nil, err
		}
		k.keepRequest(clone, id)
		form, err := req.Post()
		if err != nil {
			return nil, err
		}
		k.keep(id, form.Get("f"))
		body, err := req.Text()
		if err != nil {
			return nil, err
		}
		k.keep("f="+id, body)
		return web.Text("ok").SetStatus(200, "R"+id).SetHeader("X-Echo", id), nil
	})
	s := startApp(t, app, web.ServerOptions{AccessLogger: logger})
	c := s.dial(t)
	const n = 300
	for i := range n {
		id := fmt.Sprintf("%04d", i+1)
		var head strings.Builder
		for _, f := range sentFields(id) {
			head.WriteString(f[0] + ": " + f[1] + "\r\n")
		}
		c.send("POST /keep/" + id + "?q=" + id + "&r=x" + id + " HTTP/1.1\r\n" + head.String() + "\r\nf=" + id)
		if r := c.readResponse("POST"); r.status != 200 {
			t.Fatalf("request %d: %q %q", i, r.head, r.body)
		}
		recv(t, logger.count, "the access log call")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	changed := 0
	for want, got := range k.kept {
		if want, _, _ = strings.Cut(want, " ("); got != want {
			if changed++; changed <= 10 {
				t.Errorf("kept %q, now %q", want, got)
			}
		}
	}
	if changed > 0 {
		t.Errorf("%d of %d kept strings changed", changed, len(k.kept))
	}
	lost := 0
	for want := range k.kept {
		want, _, _ = strings.Cut(want, " (")
		if _, ok := k.keys[want]; !ok {
			if lost++; lost <= 10 {
				t.Errorf("map key %q is no longer found", want)
			}
		}
	}
}
