package compress

import (
	"strings"
	"testing"
)

var serverOrder = []Coding{Zstd, Brotli, Gzip, Deflate}

func TestChoose(t *testing.T) {
	const none = "identity"
	tests := []struct {
		accept []string // field values; nil: no field
		offer  []Coding
		want   string
	}{
		{nil, serverOrder, none},
		{[]string{""}, serverOrder, none},
		{[]string{"gzip"}, serverOrder, "gzip"},
		{[]string{"GZIP"}, serverOrder, "gzip"},
		{[]string{"x-gzip"}, serverOrder, "gzip"},
		{[]string{"gzip, deflate, br"}, serverOrder, "br"},
		{[]string{"gzip, deflate, br, zstd"}, serverOrder, "zstd"},
		{[]string{"gzip, deflate, br, zstd"}, []Coding{Gzip, Brotli}, "gzip"},
		{[]string{"gzip", "br"}, serverOrder, "br"}, // two fields
		// q-values (aiohttp#2518)
		{[]string{"gzip;q=0.5, br;q=0.8"}, serverOrder, "br"},
		{[]string{"br;q=0.5, gzip;q=0.8"}, serverOrder, "gzip"},
		{[]string{"br;q=0, gzip"}, serverOrder, "gzip"},
		{[]string{"gzip;q=0"}, serverOrder, none},
		{[]string{"gzip;q=0.000, deflate;q=0"}, serverOrder, none},
		{[]string{"br;q=1.0, gzip;q=1"}, serverOrder, "br"},
		{[]string{"gzip ; q=0.9 , zstd;Q=0.91"}, serverOrder, "zstd"},
		{[]string{"gzip;level=3;q=0.5, br;q=0.4"}, serverOrder, "gzip"},
		{[]string{"gzip;q=0.5;q=1, br;q=0.1"}, serverOrder, "br"}, // two weights: skipped
		// "*"
		{[]string{"*"}, serverOrder, "zstd"},
		{[]string{"*;q=0"}, serverOrder, none},
		{[]string{"*, zstd;q=0"}, serverOrder, "br"},
		{[]string{"*;q=0.1, gzip;q=0.5"}, serverOrder, "gzip"},
		{[]string{"*;q=0.9, gzip;q=0.5"}, serverOrder, "zstd"},
		{[]string{"gzip;q=0, *"}, []Coding{Gzip}, none},
		// identity
		{[]string{"identity"}, serverOrder, none},
		{[]string{"gzip, identity"}, serverOrder, "gzip"},
		{[]string{"gzip;q=0.5, identity"}, serverOrder, none},
		{[]string{"gzip;q=0.5, identity;q=0.1"}, serverOrder, "gzip"},
		{[]string{"gzip;q=0.5"}, serverOrder, "gzip"},
		{[]string{"identity;q=0, *;q=0"}, serverOrder, none},
		// malformed elements are skipped
		{[]string{"gzip;q=2, br"}, serverOrder, "br"},
		{[]string{"gzip;q=1.5"}, serverOrder, none},
		{[]string{"gzip;q=0.1234"}, serverOrder, none},
		{[]string{"gzip;q=.5"}, serverOrder, none},
		{[]string{"gzip;q="}, serverOrder, none},
		{[]string{"gzip;q=-1, br"}, serverOrder, "br"},
		{[]string{",,gzip,,"}, serverOrder, "gzip"},
		{[]string{"compress, sdch, gzip;q=0.2"}, serverOrder, "gzip"},
		{[]string{"zstd"}, nil, none},
	}
	for _, tt := range tests {
		var a Accepted
		for _, v := range tt.accept {
			a.Parse(v)
		}
		got := none
		if c, ok := a.Choose(tt.offer); ok {
			got = c.String()
		}
		if got != tt.want {
			t.Errorf("Accept-Encoding %q, offering %v: %s, want %s", tt.accept, tt.offer, got, tt.want)
		}
	}
}

func TestParseWeight(t *testing.T) {
	good := map[string]uint16{"0": 0, "1": 1000, "0.5": 500, "0.05": 50, "0.001": 1, "0.999": 999, "1.0": 1000, "1.000": 1000, "0.": 0, "1.": 1000}
	for s, want := range good {
		if q, ok := parseWeight(s); !ok || q != want {
			t.Errorf("parseWeight(%q) = %d, %v; want %d", s, q, ok, want)
		}
	}
	for _, s := range []string{"", "2", "1.001", "0.1234", ".5", "0,5", "01", "1.5", "q", "0.a"} {
		if q, ok := parseWeight(s); ok {
			t.Errorf("parseWeight(%q) = %d, want an error", s, q)
		}
	}
}

func TestChooseAllocs(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		var a Accepted
		a.Parse("gzip, deflate, br;q=0.9, zstd;q=0.8, *;q=0.1")
		a.Choose(serverOrder)
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

func FuzzAccepted(f *testing.F) {
	for _, s := range []string{"gzip, deflate, br, zstd", "br;q=0, *;q=0.5", "identity;q=1, gzip;q=0.999", ";;,,q=", "gzip;q=1.000;x=y", strings.Repeat("gzip;q=0.1,", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		var a Accepted
		a.Parse(value)
		c, ok := a.Choose(serverOrder)
		if !ok {
			return
		}
		// A chosen coding was acceptable: named with q > 0 or under "*".
		if q := a.quality(c); q == 0 || q > 1000 {
			t.Fatalf("%q: chose %s with quality %d", value, c, q)
		}
		for _, other := range serverOrder {
			if a.quality(other) > a.quality(c) {
				t.Fatalf("%q: chose %s over better %s", value, c, other)
			}
		}
	})
}
