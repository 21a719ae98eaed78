package sse_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aiohttp-go/aiohttp/sse"
)

// FuzzReader reads arbitrary streams whole and one byte at a time, and
// compares both with a plain transcription of the spec's algorithm, which
// splits the whole stream into lines first.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		"data: a\n\n",
		"\ufeffid: 1\r\nevent: e\r\ndata: x\r\ndata: y\r\n\r\n",
		"data\rdata:\r\r:comment\nretry: 10\nid: \x00\n\n",
		"id: 7\n\ndata: a\r\n\r\ndata: b",
		"retry: 123456789012345678901234\ndata: x\n\n",
		"\xef\xbb\n\n\xef\xbb\xbf\xef\xbb\xbfdata: x\n\n",
		"data: " + strings.Repeat("z", 200) + "\n\n",
	} {
		f.Add(s)
	}
	opts := sse.ReaderOptions{MaxLineSize: 100, MaxEventSize: 300}
	f.Fuzz(func(t *testing.T, stream string) {
		want, wantID, wantErr := reference(stream, opts)
		for _, oneByte := range []bool{false, true} {
			got, r, err := readAll(stream, oneByte, opts)
			if wantErr == nil && err != io.EOF || wantErr != nil && !errors.Is(err, wantErr) {
				t.Fatalf("one byte %v: error %v, want %v", oneByte, err, wantErr)
			}
			if wantErr != nil {
				got = got[:min(len(got), len(want))] // the reference stops at the first bad line
			}
			if len(got) != len(want) {
				t.Fatalf("one byte %v: %d events, want %d:\n%q\n%q", oneByte, len(got), len(want), got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("one byte %v: event %d: %+v, want %+v", oneByte, i, got[i], want[i])
				}
			}
			if wantErr == nil && r.LastEventID() != wantID {
				t.Fatalf("last event ID %q", r.LastEventID())
			}
		}
	})
}

// reference is the spec's algorithm over the whole stream at once: the
// events, the last event ID after them, and the limit error if any.
func reference(stream string, opts sse.ReaderOptions) ([]sse.Event, string, error) {
	stream = strings.TrimPrefix(stream, "\ufeff")
	// Lines end with CRLF, LF or CR; what follows the last line end is
	// not a line.
	var lines []string
	for {
		i := strings.IndexAny(stream, "\r\n")
		if i < 0 {
			if len(stream) > opts.MaxLineSize {
				return nil, "", sse.ErrLineTooLong
			}
			break
		}
		lines = append(lines, stream[:i])
		if stream[i] == '\r' && i+1 < len(stream) && stream[i+1] == '\n' {
			i++
		}
		stream = stream[i+1:]
	}
	var evs []sse.Event
	var data, typ, idBuf, last string
	var retry time.Duration
	for _, line := range lines {
		if len(line) > opts.MaxLineSize {
			return evs, last, sse.ErrLineTooLong
		}
		if line == "" {
			last = idBuf
			if data == "" {
				typ, retry = "", 0
				continue
			}
			ev := sse.Event{ID: last, Event: typ, Data: strings.TrimSuffix(data, "\n"), Retry: retry}
			if ev.Event == "" {
				ev.Event = "message"
			}
			evs = append(evs, ev)
			data, typ, retry = "", "", 0
			continue
		}
		if line[0] == ':' {
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch name {
		case "event":
			typ = value
		case "data":
			data += value + "\n"
			if len(data)-1 > opts.MaxEventSize {
				return evs, last, sse.ErrEventTooLarge
			}
		case "id":
			if !strings.Contains(value, "\x00") {
				idBuf = value
			}
		case "retry":
			if value != "" && strings.Trim(value, "0123456789") == "" {
				var n int64
				for _, c := range value {
					if n < 1<<62/10 {
						n = n*10 + int64(c-'0')
					}
				}
				retry = time.Duration(min(n, int64(1<<63-1)/int64(time.Millisecond))) * time.Millisecond
			}
		}
	}
	return evs, last, nil
}

// FuzzRoundTrip: any valid event the encoder writes reads back the same,
// its data's line breaks as "\n".
func FuzzRoundTrip(f *testing.F) {
	f.Add("1", "type", "data\nmore", int64(1000))
	f.Add("", "", "", int64(0))
	f.Add("x", "y", "a\r\n\rb\n", int64(5))
	f.Fuzz(func(t *testing.T, id, typ, data string, retryMS int64) {
		ev := sse.Event{ID: id, Event: typ, Data: data, Retry: time.Duration(retryMS) * time.Millisecond}
		b, err := sse.AppendEvent(nil, ev)
		if err != nil {
			if !errors.Is(err, sse.ErrInvalidEvent) {
				t.Fatalf("error %v", err)
			}
			return
		}
		got, err := sse.NewReader(bytes.NewReader(b), sse.ReaderOptions{}).Next()
		if err != nil {
			t.Fatal(err)
		}
		want := ev
		if want.Event == "" {
			want.Event = "message"
		}
		want.Data = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(want.Data)
		if want.Retry > 0 {
			want.Retry = want.Retry.Truncate(time.Millisecond)
		} else {
			want.Retry = 0
		}
		if got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
}
