package web_test

import (
	"bufio"
	"io"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/web"
)

// hijackEcho takes the connection over, answers 101, then echoes one line;
// the line may already be buffered with the request.
func hijackEcho(req *web.Request) (web.Response, error) {
	nc, r, err := req.Hijack()
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	if _, _, err := req.Hijack(); err != web.ErrHijacked {
		return nil, err
	}
	io.WriteString(nc, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		return nil, nil
	}
	io.WriteString(nc, "echo: "+line)
	return nil, nil
}

func checkHijackEcho(t *testing.T, addr string) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	// The line comes in the same write as the request: it is buffered by
	// the server and must reach the hijacker.
	io.WriteString(nc, "GET /up HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello\n")
	all, err := io.ReadAll(nc)
	if err != nil {
		t.Fatal(err)
	}
	got := string(all)
	if !strings.HasPrefix(got, "HTTP/1.1 101 ") || !strings.HasSuffix(got, "\r\n\r\necho: hello\n") {
		t.Fatalf("got %q", got)
	}
}

func TestHijack(t *testing.T) {
	app := web.NewApplication()
	app.Router.Get("/up", hijackEcho)
	srv := startApp(t, app, web.ServerOptions{})
	checkHijackEcho(t, srv.addr)
}

func TestHijackUnderNetHTTP(t *testing.T) {
	app := web.NewApplication()
	app.Router.Get("/up", hijackEcho)
	ts := httptest.NewServer(app)
	defer ts.Close()
	checkHijackEcho(t, ts.Listener.Addr().String())
}
