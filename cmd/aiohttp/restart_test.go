package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
)

// serveProcess is an "aiohttp serve" running as a process of its own, so
// that it can get SIGTERM.
type serveProcess struct {
	cmd  *exec.Cmd
	out  *apptest.SyncBuffer
	done chan error
}

// startServeProcess starts cmd, a command running the built "aiohttp
// serve", and waits for its banner.
func startServeProcess(t *testing.T, cmd *exec.Cmd) *serveProcess {
	t.Helper()
	p := &serveProcess{cmd: cmd, out: new(apptest.SyncBuffer), done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { p.stop(t) })
	waitBanner(t, p.out, `Running on (http://\S+) `)
	return p
}

// stop sends SIGTERM and waits for a clean exit.
func (p *serveProcess) stop(t *testing.T) {
	t.Helper()
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("serve exited with %v:\n%s", err, p.out.String())
		}
	case <-time.After(20 * time.Second):
		p.cmd.Process.Kill()
		t.Errorf("serve did not stop within 20s of SIGTERM:\n%s", p.out.String())
	}
}

// served counts the requests p logged for path.
func (p *serveProcess) served(path string) int {
	return strings.Count(p.out.String(), `"GET `+path+` HTTP/1.1" 200`)
}

// TestServeRestartReusePort restarts "aiohttp serve --reuse-port" under
// load, as an operator does: a new serve B starts on the port, the old A
// gets SIGTERM. Eight keep-alive clients sending GETs all along see no
// failed request, and B serves some of them.
func TestServeRestartReusePort(t *testing.T) {
	bin := buildCommand(t)
	port := strconv.Itoa(aiotest.UnusedPort(t))
	args := []string{"serve", "--reuse-port", "--port", port, "--access-log"}
	a := startServeProcess(t, exec.Command(bin, args...))
	url := "http://127.0.0.1:" + port + "/get"

	session, err := aiohttp.NewSession(aiohttp.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	ctx, stopLoad := context.WithCancel(context.Background())
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				resp, err := session.Get(context.Background(), url)
				if err == nil {
					if _, err = resp.Bytes(); err == nil {
						err = resp.RaiseForStatus()
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				ok.Add(1)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	b := startServeProcess(t, exec.Command(bin, args...))
	time.Sleep(300 * time.Millisecond)
	before := ok.Load()
	a.stop(t)
	time.Sleep(500 * time.Millisecond)
	stopLoad()
	wg.Wait()

	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d requests failed across the restart; the first: %v", n, n+ok.Load(), firstErr.Load())
	}
	if ok.Load() == before {
		t.Errorf("no request succeeded after A stopped (%d before)", before)
	}
	if a.served("/get") == 0 || b.served("/get") == 0 {
		t.Errorf("A served %d requests and B %d; want both some", a.served("/get"), b.served("/get"))
	}
	t.Logf("%d requests: %d served by A, %d by B", ok.Load(), a.served("/get"), b.served("/get"))
}

// TestServeSocketActivation starts "aiohttp serve" as systemd does with
// socket activation: the listening socket is descriptor 3, LISTEN_FDS=1
// and LISTEN_PID its process id. It serves there instead of --port, and a
// request sent while no serve runs waits in the socket's backlog for the
// next one: a restart that refuses nothing.
func TestServeSocketActivation(t *testing.T) {
	bin := buildCommand(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	base := "http://" + ln.Addr().String()
	activated := func() *exec.Cmd {
		// LISTEN_PID must be the pid of serve itself: the shell sets it to
		// its own, then becomes serve.
		cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ exec "$0" serve --port 1 --access-log`, bin)
		cmd.Env = append(os.Environ(), "LISTEN_FDS=1", "LISTEN_FDNAMES=http")
		cmd.ExtraFiles = []*os.File{f}
		return cmd
	}

	first := startServeProcess(t, activated())
	if got := waitHealthy(t, base); got != "OK" {
		t.Errorf("GET /health = %q, want OK", got)
	}
	if !strings.Contains(first.out.String(), "Running on "+base+" ") {
		t.Errorf("banner does not name the inherited socket %s:\n%s", base, first.out.String())
	}
	first.stop(t)

	// Nothing serves now, but the socket is open: the request waits.
	answer := make(chan string, 1)
	go func() { answer <- getHealth(base) }()
	time.Sleep(200 * time.Millisecond)
	second := startServeProcess(t, activated())
	select {
	case got := <-answer:
		if got != "OK" {
			t.Errorf("GET /health sent between the two serves: %s", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("GET /health sent between the two serves got no answer")
	}
	second.stop(t)
	if second.served("/health") != 1 {
		t.Errorf("the second serve did not answer the waiting request:\n%s", second.out.String())
	}
}

// TestServeSocketActivationOtherPID: LISTEN_FDS meant for another process
// (LISTEN_PID names it) is left alone, and serve listens on --port.
func TestServeSocketActivationOtherPID(t *testing.T) {
	bin := buildCommand(t)
	port := strconv.Itoa(aiotest.UnusedPort(t))
	cmd := exec.Command(bin, "serve", "--port", port)
	cmd.Env = append(os.Environ(), "LISTEN_FDS=1", "LISTEN_PID=1")
	p := startServeProcess(t, cmd)
	if !strings.Contains(p.out.String(), "Running on http://127.0.0.1:"+port+" ") {
		t.Errorf("serve did not listen on --port %s:\n%s", port, p.out.String())
	}
}

// getHealth returns the body of GET base/health on a new connection, or
// the error.
func getHealth(base string) string {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	resp, err := client.Get(base + "/health")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err.Error()
	}
	return string(body)
}
