package aiohttp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

// Errors say what happened, with the numbers, in words a user reads, and
// still match the sentinels of their causes.
func TestErrorTexts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reply   string // what the server sends, then it closes; "" holds the connection open
		timeout aiohttp.ClientTimeout
		want    string // the error text after "aiohttp: GET <url>: "
		is      []error
	}{
		{
			name:  "not HTTP",
			reply: "SSH-2.0-OpenSSH_9.2\r\n",
			want:  `malformed response: bad status line: invalid HTTP version in "SSH-2.0-OpenSSH_9.2\r\n"`,
			is:    []error{aiohttp.ErrClientResponse, aiohttp.ErrBadStatusLine},
		},
		{
			name:  "short body",
			reply: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc",
			want:  "payload error: content length error: the connection closed after 3 of the 100 body bytes of its Content-Length",
			is:    []error{aiohttp.ErrClientPayload, aiohttp.ErrContentLength, io.ErrUnexpectedEOF},
		},
		{
			name:  "short chunk",
			reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n5\r\nab",
			want:  "payload error: transfer encoding error: the connection closed after 5 body bytes, 3 bytes short of the end of a chunk",
			is:    []error{aiohttp.ErrClientPayload, aiohttp.ErrTransferEncoding, io.ErrUnexpectedEOF},
		},
		{
			name:  "no last chunk",
			reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
			want:  "payload error: transfer encoding error: the connection closed after 3 body bytes, before its last chunk",
			is:    []error{aiohttp.ErrClientPayload, aiohttp.ErrTransferEncoding, io.ErrUnexpectedEOF},
		},
		{
			name:  "short head",
			reply: "HTTP/1.1 200 OK\r\nContent-Le",
			want:  "server disconnected: the server closed the connection inside the response head",
			is:    []error{aiohttp.ErrServerDisconnected, io.ErrUnexpectedEOF},
		},
		{
			name: "no answer",
			want: "server disconnected: the server closed the connection without a response",
			is:   []error{aiohttp.ErrServerDisconnected, io.EOF},
		},
		{
			name:    "silent server",
			reply:   "",
			timeout: aiohttp.ClientTimeout{SockRead: 50 * time.Millisecond},
			want:    "socket read timeout: the server sent nothing for 50ms (ClientTimeout.SockRead)",
			is:      []error{aiohttp.ErrSocketTimeout, os.ErrDeadlineExceeded},
		},
		{
			name:    "slow body",
			reply:   "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab",
			timeout: aiohttp.ClientTimeout{Total: 100 * time.Millisecond},
			want:    "timeout: the request did not finish within 100ms (ClientTimeout.Total)",
			is:      []error{aiohttp.ErrServerTimeout, context.DeadlineExceeded},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hold := tc.timeout != aiohttp.ClientTimeout{}
			srv := startRaw(t, func(s *rawServer, c net.Conn, br *bufio.Reader) {
				if _, ok := s.readHead(br); !ok {
					return
				}
				io.WriteString(c, tc.reply)
				if hold {
					io.Copy(io.Discard, br) // until the client or the test closes
				}
			})
			s := newSession(t, aiohttp.SessionOptions{Timeout: tc.timeout})
			resp, err := s.Get(testCtx(t), srv.URL+"/x")
			if err == nil {
				_, err = resp.Bytes()
				resp.Close()
			}
			if err == nil {
				t.Fatal("no error")
			}
			if want := "aiohttp: GET " + srv.URL + "/x: " + tc.want; err.Error() != want {
				t.Errorf("error text\n got %s\nwant %s", err, want)
			}
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false", err, target)
				}
			}
			if strings.Contains(err.Error(), "raw-read") || strings.Contains(err.Error(), "http1") {
				t.Errorf("an internal name in %q", err)
			}
		})
	}
}
