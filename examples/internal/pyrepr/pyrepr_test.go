package pyrepr

import "testing"

// The wanted strings are what CPython 3.11 prints for repr(json.loads(in))
// and str(json.loads(in)).
func TestReprAndPrint(t *testing.T) {
	tests := []struct{ in, repr, print string }{
		{`{"key": "value", "number": 123}`, `{'key': 'value', 'number': 123}`, ""},
		{`{"b": 1, "a": [true, false, null], "b": 2}`, `{'b': 2, 'a': [True, False, None]}`, ""},
		{`"it's"`, `"it's"`, `it's`},
		{`"say \"hi\" it's"`, `'say "hi" it\'s'`, `say "hi" it's`},
		{
			`"tab\tnl\nbs\\ nul\u0000 del\u007f nbsp\u00a0 e\u00e9 zw\u200b han\u4e2d emoji\ud83d\ude00 ls\u2028 fffd\ufffd soft\u00ad"`,
			`'tab\tnl\nbs\\ nul\x00 del\x7f nbsp\xa0 eé zw\u200b han中 emoji😀 ls\u2028 fffd` + "\ufffd" + ` soft\xad'`,
			"tab\tnl\nbs\\ nul\x00 del\x7f nbsp\u00a0 eé zw\u200b han中 emoji😀 ls\u2028 fffd\ufffd soft\u00ad",
		},
		{
			`[1.0, 1e16, 1e15, 0.0001, 0.00001, 1.5e-7, 123456789012345678.0, -0.0, 1e400, -1e400, 2.5, 0.1, 1e22, 100]`,
			`[1.0, 1e+16, 1000000000000000.0, 0.0001, 1e-05, 1.5e-07, 1.2345678901234568e+17, -0.0, inf, -inf, 2.5, 0.1, 1e+22, 100]`, "",
		},
		{`12345678901234567890123`, `12345678901234567890123`, ""},
		{`-0`, `0`, ""},
		{`{}`, `{}`, ""},
		{` [] `, `[]`, ""},
		{`"plain"`, `'plain'`, `plain`},
		{`true`, `True`, ""},
		{`null`, `None`, ""},
		{`{"nested": {"x": [1, {"y": "z"}]}}`, `{'nested': {'x': [1, {'y': 'z'}]}}`, ""},
	}
	for _, tt := range tests {
		got, err := Repr([]byte(tt.in))
		if err != nil || got != tt.repr {
			t.Errorf("Repr(%s) = %s, %v; want %s", tt.in, got, err, tt.repr)
		}
		want := tt.print
		if want == "" {
			want = tt.repr
		}
		got, err = Print([]byte(tt.in))
		if err != nil || got != want {
			t.Errorf("Print(%s) = %s, %v; want %s", tt.in, got, err, want)
		}
	}
}

func TestInvalid(t *testing.T) {
	for _, in := range []string{``, `{`, `[1,]`, `{"a" 1}`, `1 2`, `nul`} {
		if got, err := Repr([]byte(in)); err == nil {
			t.Errorf("Repr(%q) = %q, want an error", in, got)
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":                `''`,
		"404: Not Found":  `'404: Not Found'`,
		`it's`:            `"it's"`,
		`both ' and "`:    `'both \' and "'`,
		"back\\slash\x01": `'back\\slash\x01'`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}
