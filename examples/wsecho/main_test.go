package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/aiotest"
	"github.com/aiohttp-go/aiohttp/internal/apptest"
	"github.com/aiohttp-go/aiohttp/internal/demo"
)

// waitFor waits up to 10 s until b holds want.
func waitFor(t *testing.T, b *apptest.SyncBuffer, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if !b.WaitFor(ctx, want) || b.String() != want {
		t.Errorf("server log = %q, want %q", b.String(), want)
	}
}

func TestClientAgainstServer(t *testing.T) {
	var log apptest.SyncBuffer
	srv := aiotest.NewServer(t, newApp(&log))
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"

	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-url", url, "hello", "你好", ""}, &out, &errOut)
	if code != 0 || errOut.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	apptest.CompareLines(t, out.String(),
		"connected to "+url,
		"> hello",
		"< hello",
		"> 你好",
		"< 你好",
		"> ",
		"< ",
		"> close",
		"closed by server: 1000",
	)
	waitFor(t, &log, "websocket connection opened\nwebsocket connection closed (1000)\n")
}

func TestClientBinary(t *testing.T) {
	var log apptest.SyncBuffer
	srv := aiotest.NewServer(t, newApp(&log))
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/ws"

	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"-url", url, "-binary", "abc", strings.Repeat("x", 70000)}, &out, &errOut)
	if code != 0 || errOut.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	apptest.CompareLines(t, out.String(),
		"connected to "+url,
		"> <binary 3 bytes>",
		"< <binary 3 bytes>",
		"> <binary 70000 bytes>",
		"< <binary 70000 bytes>",
		"> close",
		"closed by server: 1000",
	)
}

// TestClientDefaultMessages runs the client with no arguments against the
// demo server's /ws, which it must work with too.
func TestClientDefaultMessages(t *testing.T) {
	srv := aiotest.NewServer(t, demo.NewApp())
	url := srv.URL + "/ws" // http URLs work too, as in aiohttp
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"-mode", "client", "-url", url}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	apptest.CompareLines(t, out.String(),
		"connected to "+url,
		"> hello",
		"< hello",
		"> world",
		"< world",
		"> close",
		"closed by server: 1000",
	)
}

// TestServerMode runs both modes through the command line, the server on
// a real port, and stops the server by ending its context.
func TestServerMode(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	var srvOut, srvErr apptest.SyncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"-mode", "server", "-addr", addr}, &srvOut, &srvErr) }()
	defer func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("server exit %d, stderr %q", code, srvErr.String())
			}
		case <-time.After(20 * time.Second):
			t.Error("server did not stop")
		}
	}()

	url := "ws://" + addr + "/ws"
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if !srvOut.WaitFor(wctx, "Running on") {
		t.Fatalf("the server did not start: stdout %q, stderr %q", srvOut.String(), srvErr.String())
	}
	var out, errOut bytes.Buffer
	if code := run(ctx, []string{"-url", url, "ping"}, &out, &errOut); code != 0 {
		t.Errorf("client exit %d, stderr %q", code, errOut.String())
	}
	apptest.CompareLines(t, out.String(),
		"connected to "+url,
		"> ping",
		"< ping",
		"> close",
		"closed by server: 1000",
	)
	srvOut.WaitFor(wctx, "websocket connection closed (1000)")
	if s := srvOut.String(); !strings.Contains(s, "websocket connection opened\n") || !strings.Contains(s, "websocket connection closed (1000)\n") {
		t.Errorf("server output %q lacks the connection log", s)
	}
}

func TestClientFailures(t *testing.T) {
	srv := aiotest.NewServer(t, newApp(&apptest.SyncBuffer{}))
	for _, url := range []string{srv.URL + "/nope", "ws://[::1/ws"} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), []string{"-url", url}, &out, &errOut); code != 1 || !strings.HasPrefix(errOut.String(), "wsecho: ") {
			t.Errorf("%s: exit %d, stderr %q; want 1 and an error", url, code, errOut.String())
		}
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-mode", "proxy"}, 2, `-mode must be server or client, not "proxy"`},
		{[]string{"-mode", "server", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"-nope"}, 2, "flag provided but not defined: -nope"},
		{[]string{"-h"}, 0, "usage: wsecho -mode server"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tt.args, &out, &errOut)
		if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, errOut.String(), tt.code, tt.want)
		}
	}
}
