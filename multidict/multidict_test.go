package multidict_test

import (
	"reflect"
	"testing"

	"github.com/aiohttp-go/aiohttp/multidict"
)

func TestCIMultiDictZeroValueFoldsCase(t *testing.T) {
	var h multidict.CIMultiDict
	h.Add("Content-Type", "text/plain")
	h.Add("X-Tag", "a")
	h.Add("x-tag", "b")
	if got := h.Get("content-type"); got != "text/plain" {
		t.Fatalf("Get = %q", got)
	}
	if got := h.GetAll("X-TAG"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("GetAll = %q", got)
	}
	if got := h.Keys(); !reflect.DeepEqual(got, []string{"Content-Type", "X-Tag"}) {
		t.Fatalf("Keys = %q", got)
	}
}

func TestMultiDictIsCaseSensitive(t *testing.T) {
	var q multidict.MultiDict
	q.Add("a", "1")
	if q.Has("A") {
		t.Fatal("MultiDict matched a key of other case")
	}
}

func TestSetReplacesInPlaceAndDelRemovesAll(t *testing.T) {
	h := multidict.NewCI(
		multidict.Item{Key: "A", Value: "1"},
		multidict.Item{Key: "B", Value: "2"},
		multidict.Item{Key: "a", Value: "3"},
	)
	h.Set("a", "9")
	want := []multidict.Item{{Key: "a", Value: "9"}, {Key: "B", Value: "2"}}
	if !reflect.DeepEqual(h.Items(), want) {
		t.Fatalf("after Set: %v", h.Items())
	}
	if !h.Del("b") || h.Len() != 1 || h.Del("b") {
		t.Fatalf("Del misbehaved: %v", h.Items())
	}
	if v := h.SetDefault("c", "x"); v != "x" || h.SetDefault("C", "y") != "x" {
		t.Fatal("SetDefault misbehaved")
	}
}

func TestCloneIsIndependent(t *testing.T) {
	q := multidict.New(multidict.Item{Key: "k", Value: "v"})
	c := q.Clone()
	c.Set("k", "w")
	if q.Get("k") != "v" {
		t.Fatal("clone shares storage")
	}
}

func TestAllStopsEarly(t *testing.T) {
	q := multidict.New(multidict.Item{Key: "a", Value: "1"}, multidict.Item{Key: "b", Value: "2"})
	n := 0
	for range q.All() {
		n++
		break
	}
	if n != 1 {
		t.Fatal("iteration did not stop")
	}
}

func TestEqualFold(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{{"Host", "hOST", true}, {"a", "ab", false}, {"[", "{", false}, {"é", "É", false}} {
		if got := multidict.EqualFold(c.a, c.b); got != c.want {
			t.Errorf("EqualFold(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func BenchmarkCIGet(b *testing.B) {
	var h multidict.CIMultiDict
	for _, k := range []string{"Host", "User-Agent", "Accept", "Accept-Encoding", "Connection"} {
		h.Add(k, "v")
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = h.Get("connection")
	}
}
