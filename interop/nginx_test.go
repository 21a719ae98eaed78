package interop

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/redistest"
)

var nginxPeer peer

// needNginx returns nginx's path (Debian puts it in /usr/sbin), or skips.
func needNginx(t testing.TB) string {
	t.Helper()
	path, err := nginxPeer.lookup(func() (string, error) {
		if p, err := exec.LookPath("nginx"); err == nil {
			return p, nil
		}
		return exec.LookPath("/usr/sbin/nginx")
	})
	if err != nil {
		missingPeer(t, "nginx not found (%v); install it: apt-get install nginx", err)
	}
	return path
}

// buildServe builds the aiohttp command once per test.
func buildServe(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "aiohttp")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/aiohttp").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startServe runs "aiohttp serve" with args until the test ends and
// returns its base URL once it listens.
func startServe(t *testing.T, bin string, args ...string) string {
	t.Helper()
	port := aiotest.UnusedPort(t)
	var out apptest.SyncBuffer
	cmd := exec.Command(bin, append([]string{"serve", "--port", fmt.Sprint(port)}, args...)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if !out.WaitFor(ctx, "Running on") {
		t.Fatalf("serve %v did not start:\n%s", args, out.String())
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

// nginxConf balances over the upstreams round-robin, WebSockets and
// Server-Sent Events included, as docs/deployment.md shows.
const nginxConf = `worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path %[1]s/tmp/body;
	proxy_temp_path %[1]s/tmp/proxy;
	fastcgi_temp_path %[1]s/tmp/fastcgi;
	uwsgi_temp_path %[1]s/tmp/uwsgi;
	scgi_temp_path %[1]s/tmp/scgi;
	map $http_upgrade $connection_upgrade { default upgrade; '' close; }
	upstream aiohttp { server %[2]s; server %[3]s; keepalive 16; }
	server {
		listen 127.0.0.1:%[4]d;
		location / {
			proxy_pass http://aiohttp;
			proxy_http_version 1.1;
			proxy_set_header Host $host;
			proxy_set_header Upgrade $http_upgrade;
			proxy_set_header Connection $connection_upgrade;
			proxy_set_header X-Forwarded-For $remote_addr;
			proxy_set_header X-Real-IP $remote_addr;
			proxy_buffering off;
			proxy_read_timeout 1h;
		}
	}
}
`

// startNginx runs nginx in front of the two upstreams until the test
// ends and returns its base URL.
func startNginx(t *testing.T, a, b string) string {
	t.Helper()
	bin := needNginx(t)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	port := aiotest.UnusedPort(t)
	conf := filepath.Join(dir, "nginx.conf")
	strip := func(u string) string { return strings.TrimPrefix(u, "http://") }
	os.WriteFile(conf, fmt.Appendf(nil, nginxConf, dir, strip(a), strip(b), port), 0o644)
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-g", "daemon off;")
	var out apptest.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.Dial("tcp", strip(base)); err == nil {
			c.Close()
			return base
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not start:\n%s\n%s", out.String(), log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTwoInstancesBehindNginx runs two "aiohttp serve --redis" instances
// behind nginx, round-robin: a session made through one is known to the
// other, chat messages reach WebSocket and SSE clients of both, and the
// rate limit of /limited holds across both.
func TestTwoInstancesBehindNginx(t *testing.T) {
	needNginx(t)
	redisSrv := redistest.Start(t)
	bin := buildServe(t)
	a := startServe(t, bin, "--redis", redisSrv.URL(0))
	b := startServe(t, bin, "--redis", redisSrv.URL(0))
	lb := startNginx(t, a, b)

	// Sessions: log in through nginx, then visit through it: the visits
	// alternate between the instances and count on.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := client.Post(lb+"/session/login?user=alice", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	for want := 1.0; want <= 4; want++ {
		resp, err := client.Get(lb + "/session")
		if err != nil {
			t.Fatal(err)
		}
		var info struct {
			Visits float64 `json:"visits"`
			User   string  `json:"user"`
		}
		json.NewDecoder(resp.Body).Decode(&info)
		resp.Body.Close()
		if info.Visits != want || info.User != "alice" {
			t.Fatalf("visit %v: %+v", want, info)
		}
	}

	// Rate limit: ten a minute for a client, whichever instance answers.
	codes := map[int]int{}
	for range 16 {
		resp, err := client.Get(lb + "/limited")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes[resp.StatusCode]++
	}
	if codes[200] != 10 || codes[429] != 6 {
		t.Errorf("16 requests to /limited through nginx: %v, want 10 × 200 and 6 × 429", codes)
	}

	// Chat: a WebSocket client on a, an SSE client on b, one more
	// WebSocket client through nginx; a POST through nginx reaches all.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	wsA := dialChat(t, ctx, a)
	wsLB := dialChat(t, ctx, lb)
	events := chatEvents(t, ctx, b+"/chat/events")
	for _, via := range []string{lb, a, b} {
		msg := "hello via " + via
		resp, err := http.Post(via+"/chat", "text/plain", strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for name, ws := range map[string]*aiohttp.ClientWebSocket{"a": wsA, "nginx": wsLB} {
			got, err := ws.ReceiveText(ctx)
			for err == nil && strings.HasPrefix(got, "joined") { // the other client's
				got, err = ws.ReceiveText(ctx)
			}
			if err != nil || got != msg {
				t.Fatalf("WebSocket client on %s got %q, %v; want %q", name, got, err, msg)
			}
		}
		select {
		case got := <-events:
			if got != msg {
				t.Fatalf("SSE client on b got %q, want %q", got, msg)
			}
		case <-ctx.Done():
			t.Fatalf("SSE client on b got nothing for %q", msg)
		}
	}
}

// dialChat joins base's /chat with our client.
func dialChat(t *testing.T, ctx context.Context, base string) *aiohttp.ClientWebSocket {
	t.Helper()
	ws := wsDial(t, strings.Replace(base, "http", "ws", 1)+"/chat", aiohttp.WSOptions{})
	// The handler subscribed once it reads: a message of ours coming back
	// proves it.
	ws.SendStr(ctx, "joined "+base)
	if got, err := ws.ReceiveText(ctx); err != nil || got != "joined "+base {
		t.Fatalf("join through %s: %q, %v", base, got, err)
	}
	return ws
}

// chatEvents reads the data lines of an SSE stream.
func chatEvents(t *testing.T, ctx context.Context, url string) <-chan string {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				lines <- d
			}
		}
	}()
	return lines
}
