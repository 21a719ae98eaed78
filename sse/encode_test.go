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

func TestAppendEvent(t *testing.T) {
	tests := []struct {
		ev   sse.Event
		want string
	}{
		{sse.Event{Data: "x"}, "data: x\n\n"},
		{sse.Event{}, "data: \n\n"},
		{sse.Event{ID: "1", Event: "e", Data: "a\nb\r\nc\rd", Retry: 1500 * time.Millisecond}, "id: 1\nevent: e\ndata: a\ndata: b\ndata: c\ndata: d\nretry: 1500\n\n"},
		{sse.Event{Data: "trailing\n"}, "data: trailing\ndata: \n\n"},
		{sse.Event{Data: " lead"}, "data:  lead\n\n"},
		{sse.Event{Data: "x", Retry: time.Microsecond}, "data: x\n\n"},
	}
	for _, tt := range tests {
		got, err := sse.AppendEvent([]byte("old"), tt.ev)
		if err != nil || string(got) != "old"+tt.want {
			t.Errorf("%+v: %q, %v; want %q", tt.ev, got, err, tt.want)
		}
	}
}

func TestAppendEventInvalid(t *testing.T) {
	for _, ev := range []sse.Event{
		{ID: "a\nid: b"}, {ID: "a\r"}, {ID: "a\x00"},
		{Event: "x\ndata: injected"}, {Event: "\r"},
		{Retry: -time.Second},
	} {
		got, err := sse.AppendEvent([]byte("old"), ev)
		if !errors.Is(err, sse.ErrInvalidEvent) || string(got) != "old" {
			t.Errorf("%+v: %q, %v", ev, got, err)
		}
	}
	var buf bytes.Buffer
	if err := sse.NewEncoder(&buf).Encode(sse.Event{ID: "\n"}); !errors.Is(err, sse.ErrInvalidEvent) || buf.Len() != 0 {
		t.Errorf("Encode: %v, wrote %q", err, buf.String())
	}
}

func TestAppendComment(t *testing.T) {
	if got := string(sse.AppendComment(nil, "ping")); got != ": ping\n" {
		t.Errorf("%q", got)
	}
	if got := string(sse.AppendComment(nil, "a\r\nb")); got != ": a\n: b\n" {
		t.Errorf("%q", got)
	}
}

// TestRoundTrip: what the encoder writes, the reader reads back, the data's
// line breaks as "\n"; comments in between change nothing.
func TestRoundTrip(t *testing.T) {
	evs := []sse.Event{
		{ID: "1", Event: "a", Data: "one"},
		{ID: "2", Data: "two\nlines", Retry: time.Second},
		{Data: "no id: the last one stays"},
		{ID: "3", Event: "日本", Data: "ü\r\nx"},
	}
	var buf bytes.Buffer
	enc := sse.NewEncoder(&buf)
	for _, ev := range evs {
		if err := enc.Encode(ev); err != nil {
			t.Fatal(err)
		}
		if err := enc.Comment("ping"); err != nil {
			t.Fatal(err)
		}
	}
	r := sse.NewReader(&buf, sse.ReaderOptions{})
	want := []sse.Event{
		{ID: "1", Event: "a", Data: "one"},
		{ID: "2", Event: "message", Data: "two\nlines", Retry: time.Second},
		{ID: "2", Event: "message", Data: "no id: the last one stays"},
		{ID: "3", Event: "日本", Data: "ü\nx"},
	}
	for _, w := range want {
		got, err := r.Next()
		if err != nil || got != w {
			t.Fatalf("got %+v, %v; want %+v", got, err, w)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

// TestEncoderOneWrite: each event is one Write, so that a stream's
// events never interleave.
func TestEncoderOneWrite(t *testing.T) {
	var w countingWriter
	enc := sse.NewEncoder(&w)
	_ = enc.Encode(sse.Event{ID: "1", Event: "x", Data: strings.Repeat("line\n", 1000)})
	_ = enc.Comment("a\nb")
	if w.writes != 2 {
		t.Errorf("%d writes, want 2", w.writes)
	}
}

type countingWriter struct{ writes int }

func (w *countingWriter) Write(p []byte) (int, error) { w.writes++; return len(p), nil }

func TestEncoderAllocs(t *testing.T) {
	enc := sse.NewEncoder(io.Discard)
	ev := sse.Event{ID: "42", Event: "tick", Data: "a\nb", Retry: time.Second}
	allocs := testing.AllocsPerRun(1000, func() { _ = enc.Encode(ev) })
	if allocs != 0 {
		t.Errorf("%v allocations per event, want 0", allocs)
	}
}
