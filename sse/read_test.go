package sse_test

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aiohttp-go/aiohttp/sse"
)

// readAll reads every event of stream, through a reader that returns one
// byte at a time when oneByte is set, and the error that ended it.
func readAll(stream string, oneByte bool, opts sse.ReaderOptions) ([]sse.Event, *sse.Reader, error) {
	var src io.Reader = strings.NewReader(stream)
	if oneByte {
		src = iotest.OneByteReader(src)
	}
	r := sse.NewReader(src, opts)
	var evs []sse.Event
	for {
		ev, err := r.Next()
		if err != nil {
			return evs, r, err
		}
		evs = append(evs, ev)
	}
}

func msg(id, data string) sse.Event { return sse.Event{ID: id, Event: "message", Data: data} }

// TestReaderSpecExamples runs the examples of the WHATWG spec, §9.2.6,
// and the rules of §9.2.6's algorithm one at a time.
func TestReaderSpecExamples(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []sse.Event
		lastID string
	}{
		{"three messages",
			"data: This is the first message.\n\ndata: This is the second message, it\ndata: has two lines.\n\ndata: This is the third message.\n\n",
			[]sse.Event{msg("", "This is the first message."), msg("", "This is the second message, it\nhas two lines."), msg("", "This is the third message.")}, ""},
		{"event types",
			"event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n",
			[]sse.Event{{Event: "add", Data: "73857293"}, {Event: "remove", Data: "2153"}, {Event: "add", Data: "113411"}}, ""},
		{"stock ticker",
			"data: YHOO\ndata: +2\ndata: 10\n\n",
			[]sse.Event{msg("", "YHOO\n+2\n10")}, ""},
		{"ids and a cut stream",
			": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n",
			[]sse.Event{msg("1", "first event"), msg("", "second event")}, ""},
		{"empty data",
			"data\n\ndata\ndata\n\ndata:",
			[]sse.Event{msg("", ""), msg("", "\n")}, ""},
		{"one space dropped",
			"data:test\n\ndata: test\n\n",
			[]sse.Event{msg("", "test"), msg("", "test")}, ""},
		{"CRLF", "id: a\r\ndata: x\r\n\r\ndata: y\r\n\r\n", []sse.Event{msg("a", "x"), msg("a", "y")}, "a"},
		{"CR", "id: a\rdata: x\r\rdata: y\r\r", []sse.Event{msg("a", "x"), msg("a", "y")}, "a"},
		{"CR then LF is one line end", "data: x\r\n\rdata: y\n\r\n", []sse.Event{msg("", "x"), msg("", "y")}, ""},
		{"BOM", "\ufeffdata: x\n\n", []sse.Event{msg("", "x")}, ""},
		{"second BOM kept", "\ufeff\ufeffdata: x\n\n\ufeffdata: y\n\n", []sse.Event{}, ""},
		{"id persists", "id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n", []sse.Event{msg("1", "a"), msg("1", "b"), msg("2", "c")}, "2"},
		{"id without data still counts", "data: a\n\nid: 5\n\ndata: b\n\n", []sse.Event{msg("", "a"), msg("5", "b")}, "5"},
		{"id with NUL ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", []sse.Event{msg("1", "a"), msg("1", "b")}, "1"},
		{"id of a cut event not taken", "id: 1\ndata: a\n\nid: 2\ndata: b\n", []sse.Event{msg("1", "a")}, "1"},
		{"unknown fields and comments", "foo: bar\n:comment\ndata: a\nData: no\n\n", []sse.Event{msg("", "a")}, ""},
		{"event type resets", "event: x\n\ndata: a\n\n", []sse.Event{msg("", "a")}, ""},
		{"colons in value", "data: a: b:c\n\n", []sse.Event{msg("", "a: b:c")}, ""},
		{"no blank line at all", "data: a", []sse.Event{}, ""},
		{"empty stream", "", []sse.Event{}, ""},
	}
	for _, tt := range tests {
		for _, oneByte := range []bool{false, true} {
			got, r, err := readAll(tt.stream, oneByte, sse.ReaderOptions{})
			if err != io.EOF {
				t.Errorf("%s: error %v, want io.EOF", tt.name, err)
			}
			if tt.name == "second BOM kept" {
				// The second BOM makes the field name "\ufeffdata", unknown;
				// a BOM later in the stream too.
				if len(got) != 0 {
					t.Errorf("%s: %q", tt.name, got)
				}
				continue
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s (one byte at a time: %v):\n got %q\nwant %q", tt.name, oneByte, got, tt.want)
			}
			if r.LastEventID() != tt.lastID {
				t.Errorf("%s: LastEventID %q, want %q", tt.name, r.LastEventID(), tt.lastID)
			}
		}
	}
}

func TestReaderRetry(t *testing.T) {
	stream := "retry: 1500\ndata: a\n\nretry: 15x\ndata: b\n\nretry:\ndata: c\n\nretry: -1\n\nretry:  200\n\nretry: 99999999999999999999999\n\n"
	got, r, err := readAll(stream, false, sse.ReaderOptions{})
	if err != io.EOF || len(got) != 3 {
		t.Fatalf("%q, %v", got, err)
	}
	if got[0].Retry != 1500*time.Millisecond || got[1].Retry != 0 || got[2].Retry != 0 {
		t.Errorf("retries %v %v %v", got[0].Retry, got[1].Retry, got[2].Retry)
	}
	// " 200" after the one space dropped is " 200": not digits only. The
	// huge value saturates.
	if r.Retry() < 1000*time.Hour {
		t.Errorf("Retry() = %v, want the saturated value", r.Retry())
	}
	_, r, _ = readAll("retry: 2000\n\n", false, sse.ReaderOptions{})
	if r.Retry() != 2*time.Second {
		t.Errorf("a retry without data: Retry() = %v", r.Retry())
	}
}

func TestReaderSetLastEventID(t *testing.T) {
	r := sse.NewReader(strings.NewReader("data: a\n\nid\ndata: b\n\n"), sse.ReaderOptions{})
	r.SetLastEventID("41")
	ev, err := r.Next()
	if err != nil || ev.ID != "41" || r.LastEventID() != "41" {
		t.Fatalf("%+v, %v", ev, err)
	}
	ev, _ = r.Next()
	if ev.ID != "" || r.LastEventID() != "" {
		t.Fatalf("id reset: %+v, %q", ev, r.LastEventID())
	}
}

func TestReaderLimits(t *testing.T) {
	opts := sse.ReaderOptions{MaxLineSize: 16, MaxEventSize: 20}
	for _, oneByte := range []bool{false, true} {
		// A line of exactly the limit passes, with every line end.
		for _, end := range []string{"\n", "\r", "\r\n"} {
			got, _, err := readAll("data: 0123456789"+end+end, oneByte, opts)
			if err != io.EOF || len(got) != 1 {
				t.Errorf("line at the limit (%q): %q, %v", end, got, err)
			}
		}
		_, _, err := readAll("data: 0123456789a\n\n", oneByte, opts)
		if !errors.Is(err, sse.ErrLineTooLong) {
			t.Errorf("line past the limit: %v", err)
		}
		_, _, err = readAll(strings.Repeat("x", 1000), oneByte, opts)
		if !errors.Is(err, sse.ErrLineTooLong) {
			t.Errorf("endless line: %v", err)
		}
		_, _, err = readAll("data: 0123456789\ndata: 0123456789\n\n", oneByte, opts)
		if !errors.Is(err, sse.ErrEventTooLarge) {
			t.Errorf("event past the limit: %v", err)
		}
	}
	// Long lines within the limit, across buffer growth and compaction.
	long := strings.Repeat("y", 70000)
	stream := strings.Repeat("data: "+long+"\n\n", 5)
	got, _, err := readAll(stream, false, sse.ReaderOptions{})
	if err != io.EOF || len(got) != 5 || got[4].Data != long {
		t.Fatalf("long lines: %d events, %v", len(got), err)
	}
	// The error sticks.
	r := sse.NewReader(strings.NewReader(strings.Repeat("z", 100)+"\n\ndata: a\n\n"), opts)
	for range 2 {
		if _, err := r.Next(); !errors.Is(err, sse.ErrLineTooLong) {
			t.Fatalf("after the error: %v", err)
		}
	}
}

func TestReaderSourceError(t *testing.T) {
	boom := errors.New("boom")
	src := io.MultiReader(strings.NewReader("data: a\n\ndata: b\n"), iotest.ErrReader(boom))
	r := sse.NewReader(src, sse.ReaderOptions{})
	if ev, err := r.Next(); err != nil || ev.Data != "a" {
		t.Fatalf("%+v %v", ev, err)
	}
	if _, err := r.Next(); err != boom {
		t.Fatalf("got %v, want the source's error", err)
	}
	if _, err := r.Next(); err != boom {
		t.Fatalf("again: %v", err)
	}
}

// TestReaderEventStrings: what Next returns does not change when the
// reader reads on (no string over its buffers).
func TestReaderEventStrings(t *testing.T) {
	r := sse.NewReader(strings.NewReader("id: one\nevent: t1\ndata: first\n\nid: two\nevent: t2\ndata: second\n\n"), sse.ReaderOptions{})
	a, _ := r.Next()
	b, _ := r.Next()
	if a != (sse.Event{ID: "one", Event: "t1", Data: "first"}) || b != (sse.Event{ID: "two", Event: "t2", Data: "second"}) {
		t.Fatalf("%+v %+v", a, b)
	}
}

// TestReaderAllocs: a steady stream costs one allocation per event, its
// data string; repeated IDs and types are shared.
func TestReaderAllocs(t *testing.T) {
	block := "id: 42\nevent: tick\ndata: some payload\ndata: second line\n\n"
	src := &repeater{block: block, chunk: 37} // odd-sized pieces
	r := sse.NewReader(src, sse.ReaderOptions{})
	for range 100 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(1000, func() {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Errorf("%v allocations per event, want 1", allocs)
	}
}

// repeater is an endless stream of one block, read at most chunk bytes at
// a time (all that fits when chunk is 0).
type repeater struct {
	block string
	chunk int
	off   int
}

func (r *repeater) Read(p []byte) (int, error) {
	if r.chunk > 0 {
		p = p[:min(len(p), r.chunk)]
	}
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.block[r.off:])
		n += c
		r.off = (r.off + c) % len(r.block)
	}
	return n, nil
}
