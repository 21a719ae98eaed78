package multidict

import (
	"iter"
	"strings"
)

// Item is one key/value pair of a dictionary.
type Item struct {
	Key   string
	Value string
}

// keyComparer decides when two keys are the same key.
type keyComparer interface{ same(a, b string) bool }

type exact struct{}

func (exact) same(a, b string) bool { return a == b }

type folded struct{}

func (folded) same(a, b string) bool { return EqualFold(a, b) }

// list is the ordered storage shared by MultiDict and CIMultiDict; its
// comparer is a zero-size type so that the zero value of either is ready.
type list[C keyComparer] struct {
	items []Item
	cmp   C
}

func (l *list[C]) same(a, b string) bool { return l.cmp.same(a, b) }

// Add appends a value for key, keeping the values already there.
func (l *list[C]) Add(key, value string) {
	l.items = append(l.items, Item{key, value})
}

// Get returns the first value for key, or "" when there is none.
func (l *list[C]) Get(key string) string {
	v, _ := l.Lookup(key)
	return v
}

// Lookup returns the first value for key and whether there was one.
func (l *list[C]) Lookup(key string) (string, bool) {
	for i := range l.items {
		if l.same(l.items[i].Key, key) {
			return l.items[i].Value, true
		}
	}
	return "", false
}

// GetAll returns every value for key in insertion order, or nil.
func (l *list[C]) GetAll(key string) []string {
	var out []string
	for i := range l.items {
		if l.same(l.items[i].Key, key) {
			out = append(out, l.items[i].Value)
		}
	}
	return out
}

// Has reports whether key has at least one value.
func (l *list[C]) Has(key string) bool {
	_, ok := l.Lookup(key)
	return ok
}

// Set replaces every value for key by one value, at the position of the
// first existing one (or at the end when key is new).
func (l *list[C]) Set(key, value string) {
	for i := range l.items {
		if l.same(l.items[i].Key, key) {
			l.items[i] = Item{key, value}
			l.delFrom(i+1, key)
			return
		}
	}
	l.Add(key, value)
}

// SetDefault adds value for key when key is absent and returns the first
// value key now has.
func (l *list[C]) SetDefault(key, value string) string {
	if v, ok := l.Lookup(key); ok {
		return v
	}
	l.Add(key, value)
	return value
}

// Del removes every value for key and reports whether there was any.
func (l *list[C]) Del(key string) bool {
	n := len(l.items)
	l.delFrom(0, key)
	return len(l.items) != n
}

func (l *list[C]) delFrom(start int, key string) {
	j := start
	for i := start; i < len(l.items); i++ {
		if !l.same(l.items[i].Key, key) {
			l.items[j] = l.items[i]
			j++
		}
	}
	clear(l.items[j:])
	l.items = l.items[:j]
}

// Len returns the number of key/value pairs.
func (l *list[C]) Len() int { return len(l.items) }

// Items returns the pairs in order. The slice is the dictionary's own
// storage: read it, do not keep it across changes.
func (l *list[C]) Items() []Item { return l.items }

// Keys returns the distinct keys in order of first appearance, with the
// casing of that first appearance.
func (l *list[C]) Keys() []string {
	var keys []string
next:
	for i := range l.items {
		for _, k := range keys {
			if l.same(k, l.items[i].Key) {
				continue next
			}
		}
		keys = append(keys, l.items[i].Key)
	}
	return keys
}

// All iterates over every pair in order.
func (l *list[C]) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for i := range l.items {
			if !yield(l.items[i].Key, l.items[i].Value) {
				return
			}
		}
	}
}

// Reset empties the dictionary, keeping its storage for reuse.
func (l *list[C]) Reset() {
	clear(l.items)
	l.items = l.items[:0]
}

// String renders the pairs as "key: value" lines, for debugging.
func (l *list[C]) String() string {
	var b strings.Builder
	for i := range l.items {
		b.WriteString(l.items[i].Key)
		b.WriteString(": ")
		b.WriteString(l.items[i].Value)
		b.WriteByte('\n')
	}
	return b.String()
}

// MultiDict is an ordered dictionary with case-sensitive string keys that
// may each hold several values: query strings and urlencoded forms.
type MultiDict struct{ list[exact] }

// New returns a MultiDict holding the given pairs in order.
func New(items ...Item) *MultiDict {
	return &MultiDict{list[exact]{items: items}}
}

// Clone returns a deep copy of d.
func (d *MultiDict) Clone() *MultiDict {
	return New(append([]Item(nil), d.items...)...)
}

// Extend adds every pair of other to d, after those already there.
func (d *MultiDict) Extend(other *MultiDict) { d.items = append(d.items, other.items...) }

// CIMultiDict is an ordered dictionary whose keys compare without regard to
// ASCII case, as HTTP header names do; each key keeps the casing it was
// added with.
type CIMultiDict struct{ list[folded] }

// NewCI returns a CIMultiDict holding the given pairs in order.
func NewCI(items ...Item) *CIMultiDict {
	return &CIMultiDict{list[folded]{items: items}}
}

// Clone returns a deep copy of d.
func (d *CIMultiDict) Clone() *CIMultiDict {
	return NewCI(append([]Item(nil), d.items...)...)
}

// Extend adds every pair of other to d, after those already there.
func (d *CIMultiDict) Extend(other *CIMultiDict) { d.items = append(d.items, other.items...) }

// EqualFold reports whether a and b are equal under ASCII case folding,
// the comparison HTTP uses for header names and tokens.
func EqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if ca == cb {
			continue
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}
