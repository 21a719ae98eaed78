package compress

import (
	"io"
	"os"
	"testing"
)

// BenchmarkWriter is the cost of compressing a 10 KiB JSON answer (60
// user records) with each coding through a pooled Writer.
func BenchmarkWriter(b *testing.B) {
	body, err := os.ReadFile("../../web/testdata/users.json")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range allCodings {
		b.Run(c.String(), func(b *testing.B) {
			var n countingWriter
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				w := NewWriter(c, &n)
				w.Write(body)
				w.Close()
				w.Release()
			}
			b.ReportMetric(float64(n)/float64(b.N), "out-bytes/op")
		})
	}
}

type countingWriter int64

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
