package field

import "testing"

func TestHeaderParam(t *testing.T) {
	tests := []struct{ value, name, want string }{
		{`text/html; charset=utf-8`, "charset", "utf-8"},
		{`text/html;charset="iso-8859-1" ; q=1`, "charset", "iso-8859-1"},
		{`text/html; CHARSET = gbk`, "charset", "gbk"},
		{`text/html; foo="a;charset=x"; charset=y`, "charset", "y"},
		{`text/html; charset=a, b`, "charset", "a, b"},
		{`text/html`, "charset", ""},
		{`text/html; charset`, "charset", ""},
		{`text/html; charset=one; charset=two`, "charset", "one"},
	}
	for _, tt := range tests {
		if got := Param(tt.value, tt.name); got != tt.want {
			t.Errorf("Param(%q, %q) = %q, want %q", tt.value, tt.name, got, tt.want)
		}
	}
}

func TestQuotedString(t *testing.T) {
	tests := []struct{ in, value, rest string }{
		{`"plain" rest`, "plain", " rest"},
		{`"a\"b"`, `a"b`, ""},
		{`"\\"x`, `\`, "x"},
		{`"unterminated`, "unterminated", ""},
		{`"esc\"unterminated`, `esc"unterminated`, ""},
		{`"trailing\`, `trailing\`, ""},
		{`""`, "", ""},
	}
	for _, tt := range tests {
		v, rest := quotedString(tt.in)
		if v != tt.value || rest != tt.rest {
			t.Errorf("quotedString(%q) = %q, %q; want %q, %q", tt.in, v, rest, tt.value, tt.rest)
		}
	}
}
