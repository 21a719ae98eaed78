package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/demo"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// startApp serves app on 127.0.0.1:0 until the test ends and returns its
// base URL with the ws scheme.
func startApp(t *testing.T, app *web.Application) string {
	t.Helper()
	return "ws" + strings.TrimPrefix(aiotest.NewServer(t, app).URL, "http")
}

// runWS runs the ws command with stdin and returns its exit status,
// stdout and stderr, failing the test if it does not end within 20 s.
func runWS(t *testing.T, ctx context.Context, stdin io.Reader, stdout *apptest.SyncBuffer, args ...string) (int, string) {
	t.Helper()
	var stderr apptest.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- wsMain(ctx, args, stdin, stdout, &stderr) }()
	select {
	case code := <-done:
		return code, stderr.String()
	case <-time.After(20 * time.Second):
		t.Fatalf("aiohttp ws %q did not end; stdout %q, stderr %q", args, stdout.String(), stderr.String())
	}
	return 0, ""
}

func TestWSScripted(t *testing.T) {
	base := startApp(t, demo.NewApp())
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"send", []string{base + "/ws", "--send", "hello"}, "hello\n"},
		{"flags first", []string{"--send", "hello", "--count", "1", base + "/ws"}, "hello\n"},
		{"flags around", []string{"--timeout", "5s", base + "/ws", "--send", "héllo wörld"}, "héllo wörld\n"},
		{"http scheme", []string{"http" + strings.TrimPrefix(base, "ws") + "/ws", "--send", "x"}, "x\n"},
		{"compress", []string{base + "/ws", "--compress", "--send", strings.Repeat("z", 1000)}, strings.Repeat("z", 1000) + "\n"},
		{"protocol", []string{base + "/ws", "--protocol", "chat", "--protocol", "superchat", "--send", "p"}, "p\n"},
		{"count 0", []string{base + "/ws", "--send", "hello", "--count", "0"}, ""},
		{"after terminator", []string{"--send", "t", "--", base + "/ws"}, "t\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout apptest.SyncBuffer
			code, stderr := runWS(t, context.Background(), strings.NewReader(""), &stdout, tt.args...)
			if code != 0 || stdout.String() != tt.want || stderr != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want 0, %q, \"\"", code, stdout.String(), stderr, tt.want)
			}
		})
	}
}

// beatPongs is how many heartbeat pings /beat waits to see answered
// before it says so.
const beatPongs = 10

// pushApp serves /push, which sends a text and a binary message, then
// closes with code and reason; /silent, which sends nothing and waits for
// the client to close; and /beat, an echo whose heartbeat pings every
// 40 ms and drops a client that does not answer within 20 ms; it sends
// "10 pongs" once the client has answered ten of them.
func pushApp(code websocket.StatusCode, reason string) *web.Application {
	app := web.NewApplication()
	app.Router.Get("/push", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		ctx := req.Context()
		_ = sock.SendStr(ctx, "one")
		_ = sock.SendBytes(ctx, []byte{0, 1, 2, 3, 4})
		_ = sock.Close(ctx, code, reason)
		return ws, nil
	})
	app.Router.Get("/silent", func(req *web.Request) (web.Response, error) {
		ws := web.NewWebSocketResponse(web.WebSocketOptions{})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		for range sock.Messages(req.Context()) {
		}
		return ws, nil
	})
	app.Router.Get("/beat", func(req *web.Request) (web.Response, error) {
		// Without autoping the pongs come to the handler, which counts
		// them, and it answers pings itself. A pong is due within half
		// the heartbeat: 75 ms, which a loaded machine still meets.
		ws := web.NewWebSocketResponse(web.WebSocketOptions{Options: websocket.Options{
			Heartbeat: 150 * time.Millisecond, NoAutoping: true,
		}})
		sock, err := ws.Prepare(req)
		if err != nil {
			return nil, err
		}
		ctx := req.Context()
		pongs := 0
		for msg := range sock.Messages(ctx) {
			switch msg.Type {
			case websocket.MessageText:
				_ = sock.SendStr(ctx, msg.Text())
			case websocket.MessagePing:
				_ = sock.Pong(ctx, msg.Data)
			case websocket.MessagePong:
				if pongs++; pongs == beatPongs {
					_ = sock.SendStr(ctx, fmt.Sprintf("%d pongs", pongs))
				}
			}
		}
		return ws, nil
	})
	return app
}

// TestWSInteractiveAnswersPings keeps a connection open across ten
// heartbeat pings of the server, which drops clients that do not answer:
// once the server says it got ten pongs, a line still comes back.
func TestWSInteractiveAnswersPings(t *testing.T) {
	base := startApp(t, pushApp(websocket.CloseOK, ""))
	var stdout apptest.SyncBuffer
	code, stderr := runWSTyping(t, context.Background(), &stdout, base+"/beat", func(ctx context.Context, stdin io.Writer) {
		if stdout.WaitFor(ctx, fmt.Sprintf("%d pongs\n", beatPongs)) {
			_, _ = io.WriteString(stdin, "still here\n")
			stdout.WaitFor(ctx, "still here\n")
		}
	})
	want := fmt.Sprintf("%d pongs\nstill here\n", beatPongs)
	if code != 0 || stdout.String() != want || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, %q, \"\"", code, stdout.String(), stderr, want)
	}
}

// runWSTyping runs the ws command as runWS does, with a standard input
// that typist writes while the command runs; standard input ends when
// typist returns. typist's ctx ends, and its writes fail, once the
// command has ended.
func runWSTyping(t *testing.T, ctx context.Context, stdout *apptest.SyncBuffer, url string, typist func(ctx context.Context, stdin io.Writer)) (int, string) {
	t.Helper()
	pr, pw := io.Pipe()
	tctx, cancel := context.WithCancel(context.Background())
	typed := make(chan struct{})
	go func() {
		defer close(typed)
		defer pw.Close()
		typist(tctx, pw)
	}()
	code, stderr := runWS(t, ctx, pr, stdout, url)
	cancel()
	pr.Close()
	<-typed
	return code, stderr
}

func TestWSScriptedCountOnly(t *testing.T) {
	base := startApp(t, pushApp(websocket.CloseOK, ""))
	var stdout apptest.SyncBuffer
	code, stderr := runWS(t, context.Background(), strings.NewReader(""), &stdout, base+"/push", "--count", "2")
	if want := "one\n<binary 5 bytes>\n"; code != 0 || stdout.String() != want || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, %q, \"\"", code, stdout.String(), stderr, want)
	}
}

func TestWSScriptedServerClosesEarly(t *testing.T) {
	base := startApp(t, demo.NewApp())
	var stdout apptest.SyncBuffer
	code, stderr := runWS(t, context.Background(), strings.NewReader(""), &stdout, base+"/ws", "--send", "close")
	if code != 1 || stdout.String() != "" ||
		!strings.Contains(stderr, "closed by server: 1000\n") || !strings.Contains(stderr, "after 0 of 1 messages") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, the close code and the count", code, stdout.String(), stderr)
	}
}

func TestWSScriptedTimeout(t *testing.T) {
	base := startApp(t, pushApp(websocket.CloseOK, ""))
	var stdout apptest.SyncBuffer
	start := time.Now()
	code, stderr := runWS(t, context.Background(), strings.NewReader(""), &stdout, base+"/silent", "--send", "x", "--timeout", "200ms")
	if code != 1 || !strings.Contains(stderr, "timed out after 0 of 1 messages") {
		t.Errorf("exit %d, stderr %q; want 1 and a timeout", code, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestWSInteractive gives all of standard input at once, as a pipe does:
// the answers must still be printed before the command closes.
func TestWSInteractive(t *testing.T) {
	base := startApp(t, demo.NewApp())
	for _, compress := range []bool{false, true} {
		args := []string{base + "/ws"}
		if compress {
			args = append(args, "--compress")
		}
		var stdout apptest.SyncBuffer
		stdin := strings.NewReader("hello\nworld\n\nlast line without newline")
		code, stderr := runWS(t, context.Background(), stdin, &stdout, args...)
		want := "hello\nworld\n\nlast line without newline\n"
		if code != 0 || stdout.String() != want || stderr != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 0, %q, \"\"", args, code, stdout.String(), stderr, want)
		}
	}
}

// TestWSInteractiveCloseLine sends the demo's "close": the server closes,
// the command reports the code and exits 0, and later lines go nowhere.
func TestWSInteractiveCloseLine(t *testing.T) {
	base := startApp(t, demo.NewApp())
	var stdout apptest.SyncBuffer
	code, stderr := runWS(t, context.Background(), strings.NewReader("hello\nclose\nnever\n"), &stdout, base+"/ws")
	if code != 0 || stdout.String() != "hello\n" || stderr != "closed by server: 1000\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, \"hello\\n\", the close code", code, stdout.String(), stderr)
	}
}

func TestWSInteractiveEmptyInput(t *testing.T) {
	base := startApp(t, demo.NewApp())
	var stdout apptest.SyncBuffer
	code, stderr := runWS(t, context.Background(), strings.NewReader(""), &stdout, base+"/ws")
	if code != 0 || stdout.String() != "" || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and no output", code, stdout.String(), stderr)
	}
}

func TestWSInteractiveServerCloses(t *testing.T) {
	base := startApp(t, demo.NewApp())
	pr, pw := io.Pipe()
	defer pw.Close()
	var stdout apptest.SyncBuffer
	go func() { _, _ = io.WriteString(pw, "hello\nclose\n") }()
	code, stderr := runWS(t, context.Background(), pr, &stdout, base+"/ws")
	if code != 0 || stdout.String() != "hello\n" || stderr != "closed by server: 1000\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, \"hello\\n\", the close code", code, stdout.String(), stderr)
	}
}

func TestWSInteractiveServerClosesWithError(t *testing.T) {
	base := startApp(t, pushApp(websocket.ClosePolicyViolation, "go away"))
	pr, pw := io.Pipe()
	defer pw.Close()
	var stdout apptest.SyncBuffer
	code, stderr := runWS(t, context.Background(), pr, &stdout, base+"/push")
	if code != 1 || stdout.String() != "one\n<binary 5 bytes>\n" || stderr != "closed by server: 1008 go away\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, two messages, the close code", code, stdout.String(), stderr)
	}
}

func TestWSInteractiveCancel(t *testing.T) {
	base := startApp(t, demo.NewApp())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout apptest.SyncBuffer
	code, stderr := runWSTyping(t, ctx, &stdout, base+"/ws", func(tctx context.Context, stdin io.Writer) {
		_, _ = io.WriteString(stdin, "hi\n")
		if stdout.WaitFor(tctx, "hi\n") {
			cancel()
		}
		<-tctx.Done() // standard input stays open
	})
	if code != 0 || stdout.String() != "hi\n" || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, \"hi\\n\", \"\"", code, stdout.String(), stderr)
	}
}

func TestWSConnectFailures(t *testing.T) {
	base := startApp(t, demo.NewApp())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := "ws://" + ln.Addr().String() + "/ws"
	ln.Close()
	tests := []struct {
		name, url, want string
	}{
		{"404", base + "/no/such/path", "404"},
		{"not a websocket", base + "/health", "200"},
		{"bad URL", "ws://[::1/ws", "aiohttp ws: "},
		{"bad scheme", "ftp://127.0.0.1/ws", "aiohttp ws: "},
		{"refused", closedPort, "aiohttp ws: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, args := range [][]string{{tt.url}, {tt.url, "--send", "x"}} {
				var stdout apptest.SyncBuffer
				code, stderr := runWS(t, context.Background(), strings.NewReader("x\n"), &stdout, args...)
				if code != 1 || stdout.String() != "" || !strings.Contains(stderr, tt.want) {
					t.Errorf("%q: exit %d, stdout %q, stderr %q; want 1 and %q", args, code, stdout.String(), stderr, tt.want)
				}
			}
		})
	}
}

func TestWSUsage(t *testing.T) {
	runUsageCases(t, []usageCase{
		{args: []string{"ws"}, code: 2, wantStderr: "missing URL"},
		{args: []string{"ws", "ws://a/", "ws://b/"}, code: 2, wantStderr: `unexpected argument "ws://b/"`},
		{args: []string{"ws", "ws://a/", "--count", "-1"}, code: 2, wantStderr: "--count -1 is negative"},
		{args: []string{"ws", "ws://a/", "--count", "x"}, code: 2, wantStderr: `invalid value "x" for flag -count`},
		{args: []string{"ws", "ws://a/", "--timeout", "soon"}, code: 2, wantStderr: `invalid value "soon" for flag -timeout`},
		{args: []string{"ws", "ws://a/", "--timeout", "-1s"}, code: 2, wantStderr: "is negative"},
		{args: []string{"ws", "--nope", "ws://a/"}, code: 2, wantStderr: "flag provided but not defined: -nope"},
		{args: []string{"ws", "ws://a/", "--send"}, code: 2, wantStderr: "flag needs an argument: -send"},
		{args: []string{"ws", "-h"}, code: 0, wantStdout: "usage: aiohttp ws URL"},
		{args: []string{"help", "ws"}, code: 0, wantStdout: "--send TEXT"},
		{args: []string{"-h"}, code: 0, wantStdout: "ws      talk to a WebSocket server"},
	})
}
