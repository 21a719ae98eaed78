package aiotest_test

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/multipart"
	"github.com/aiohttp-go/aiohttp/sse"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// text returns the body of a response the client got, and closes it;
// a failure gives "error: " and the error, for the comparison to report.
func text(resp *aiohttp.Response, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	defer resp.Close()
	s, err := resp.Text()
	if err != nil {
		return "error: " + err.Error()
	}
	return s
}

// sessionApp logs a user in with a Secure, HttpOnly session cookie and
// greets the user the cookie names.
func sessionApp() *web.Application {
	app := web.NewApplication()
	app.Router.Post("/login", func(req *web.Request) (web.Response, error) {
		form, err := req.Post()
		if err != nil {
			return nil, err
		}
		return web.Text("logged in").SetCookie(web.Cookie{Name: "session", Value: form.Get("user"), Path: "/", Secure: true, HTTPOnly: true}), nil
	})
	app.Router.Get("/me", func(req *web.Request) (web.Response, error) {
		user := req.Cookie("session")
		if user == "" {
			return nil, web.HTTPUnauthorized()
		}
		return web.Text("you are " + user), nil
	})
	return app
}

func TestClientKeepsCookies(t *testing.T) {
	client := aiotest.NewClient(t, sessionApp())
	ctx := t.Context()
	if got := text(client.Post(ctx, "/login", aiohttp.Form{"user": "alice"})); got != "logged in" {
		t.Fatalf("login: %q", got)
	}
	if got := text(client.Get(ctx, "/me")); got != "you are alice" {
		t.Errorf("after login: %q", got)
	}
	if n := client.CookieJar().Len(); n != 1 {
		t.Errorf("the jar holds %d cookies, want 1", n)
	}

	// Another client of the same server is another user.
	other := client.Server.NewClient()
	resp, err := other.Get(ctx, "/me")
	if err != nil {
		t.Fatal(err)
	}
	resp.Close()
	if resp.Status != 401 {
		t.Errorf("a second client got %d, want 401: the jars are shared", resp.Status)
	}
}

func TestClientRequestOptions(t *testing.T) {
	app := web.NewApplication()
	app.Router.Any("/echo", func(req *web.Request) (web.Response, error) {
		body, err := req.Text()
		if err != nil {
			return nil, err
		}
		return web.Text(req.Method() + " " + req.PathQS() + " " + req.Header().Get("X-Test") + " " + body), nil
	})
	client := aiotest.NewClient(t, app, aiotest.WithSessionOptions(aiohttp.SessionOptions{
		Headers: aiohttp.Headers{"X-Test": "session"},
	}))
	ctx := t.Context()
	for _, tt := range []struct {
		got  func() (*aiohttp.Response, error)
		want string
	}{
		{func() (*aiohttp.Response, error) { return client.Get(ctx, "/echo", aiohttp.Params{"a": "1"}) }, "GET /echo?a=1 session "},
		{func() (*aiohttp.Response, error) { return client.Put(ctx, "echo", aiohttp.String("body")) }, "PUT /echo session body"},
		{func() (*aiohttp.Response, error) {
			return client.Request(ctx, "PATCH", "/echo", aiohttp.Header("X-Test", "request"))
		}, "PATCH /echo request "},
	} {
		if got := text(tt.got()); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	if err := client.Close(); err != nil {
		t.Fatal(err)
	}
	if err := client.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := client.Get(ctx, "/echo"); err == nil {
		t.Error("a closed client sent a request")
	}
}

func TestClientWSConnectEcho(t *testing.T) {
	app := web.NewApplication()
	app.Router.Get("/ws", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		ctx := req.Context()
		for msg := range sock.Messages(ctx) {
			if msg.Type != websocket.MessageText {
				break
			}
			if err := sock.SendStr(ctx, "echo: "+msg.Text()); err != nil {
				break
			}
		}
		return ws, nil
	})
	client := aiotest.NewClient(t, app)
	ctx := t.Context()
	ws, err := client.WSConnect(ctx, "/ws", aiohttp.WSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close(ctx, websocket.CloseOK, "")
	for _, msg := range []string{"hello", "世界"} {
		if err := ws.SendStr(ctx, msg); err != nil {
			t.Fatal(err)
		}
		got, err := ws.ReceiveText(ctx)
		if err != nil || got != "echo: "+msg {
			t.Errorf("ReceiveText = %q, %v", got, err)
		}
	}
	if err := ws.Close(ctx, websocket.CloseOK, ""); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestClientReadsServerSentEvents(t *testing.T) {
	app := web.NewApplication()
	app.Router.Get("/events", func(req *web.Request) (web.Response, error) {
		es := web.NewEventSourceResponse(web.EventSourceOptions{})
		if err := es.Prepare(req); err != nil {
			return nil, err
		}
		for i := 1; i <= 3; i++ {
			if err := es.SendEvent(sse.Event{ID: strconv.Itoa(i), Event: "tick", Data: "n=" + strconv.Itoa(i)}); err != nil {
				return nil, err
			}
		}
		return es, nil
	})
	client := aiotest.NewClient(t, app)
	resp, err := client.Get(t.Context(), "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Close()
	var got []string
	for ev, err := range resp.Events() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev.ID+" "+ev.Event+" "+ev.Data)
	}
	if want := "1 tick n=1|2 tick n=2|3 tick n=3"; strings.Join(got, "|") != want {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestClientUploadsMultipart(t *testing.T) {
	app := web.NewApplication()
	app.Router.Post("/upload", func(req *web.Request) (web.Response, error) {
		form, err := req.Post()
		if err != nil {
			return nil, err
		}
		files, err := req.Files()
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		b.WriteString("user=" + form.Get("user"))
		for _, f := range files {
			r, err := f.Open()
			if err != nil {
				return nil, err
			}
			content, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				return nil, err
			}
			b.WriteString(" " + f.Name + ":" + f.Filename + ":" + f.ContentType + ":" + strconv.Itoa(len(content)))
			if !bytes.Equal(content, bytes.Repeat([]byte("x"), len(content))) {
				b.WriteString(":corrupt")
			}
		}
		return web.Text(b.String()), nil
	})
	client := aiotest.NewClient(t, app)
	var form multipart.FormData
	form.AddField("user", "alice")
	form.AddFile("report", "report.txt", "text/plain", strings.NewReader(strings.Repeat("x", 100_000)))
	got := text(client.Post(t.Context(), "/upload", aiohttp.FormData(&form)))
	if want := "user=alice report:report.txt:text/plain:100000"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestClientOfSlowServerEndsWithTheTest(t *testing.T) {
	// A handler still running when the test ends is cancelled by the
	// server's bounded shutdown; the cleanup does not hang.
	app := web.NewApplication()
	app.Router.Get("/slow", func(req *web.Request) (web.Response, error) {
		<-req.Context().Done()
		return nil, req.Context().Err()
	})
	srv := aiotest.NewServer(t, app, aiotest.WithServerOptions(web.ServerOptions{ShutdownTimeout: 50 * time.Millisecond}))
	client := srv.NewClient()
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := client.Get(t.Context(), "/slow")
		if err == nil {
			resp.Close()
		}
	}()
	t.Cleanup(func() { <-done })
}

func BenchmarkClientGet(b *testing.B) {
	app := web.NewApplication()
	app.Router.Get("/", func(req *web.Request) (web.Response, error) { return req.Respond().SetText("ok"), nil })
	client := aiotest.NewClient(b, app)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Get(ctx, "/")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := resp.Bytes(); err != nil {
			b.Fatal(err)
		}
		resp.Close()
	}
}
