package sse_test

import (
	"io"
	"strings"
	"testing"

	"github.com/aiohttp-go/aiohttp/sse"
)

// BenchmarkEncode is the cost of one typical event: an ID, a type and a
// two-line payload of some 100 bytes.
func BenchmarkEncode(b *testing.B) {
	enc := sse.NewEncoder(io.Discard)
	ev := sse.Event{ID: "12345", Event: "update", Data: strings.Repeat("x", 60) + "\n" + strings.Repeat("y", 40)}
	wire, _ := sse.AppendEvent(nil, ev)
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		if err := enc.Encode(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReader reads a stream of such events; SetBytes makes the
// figure a throughput.
func BenchmarkReader(b *testing.B) {
	block, _ := sse.AppendEvent(nil, sse.Event{ID: "12345", Event: "update", Data: strings.Repeat("x", 60) + "\n" + strings.Repeat("y", 40)})
	src := &repeater{block: string(block)}
	r := sse.NewReader(src, sse.ReaderOptions{})
	b.SetBytes(int64(len(block)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Next(); err != nil {
			b.Fatal(err)
		}
	}
}
