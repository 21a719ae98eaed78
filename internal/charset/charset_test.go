package charset

import "testing"

func TestLookupEncoding(t *testing.T) {
	tests := map[string]string{
		"utf-8": "utf-8", "UTF8": "utf-8", `"utf-8"`: "utf-8", " u8 ": "utf-8",
		"gb2312": "gbk", "cp936": "gbk", "x-gbk": "gbk",
		"latin1": "iso-8859-1", "ISO_8859-1": "iso-8859-1", "l1": "iso-8859-1",
		"us-ascii": "windows-1252", "cp1252": "windows-1252",
		"ujis": "euc-jp", "big5hkscs": "big5", "iso-2022-jp": "iso-2022-jp",
		"": "", "bogus": "", "x_bogus": "",
	}
	for label, want := range tests {
		e, ok := Lookup(label)
		if ok != (want != "") || e.Name() != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", label, e.Name(), ok, want)
		}
	}
}

func TestDecode(t *testing.T) {
	gbk, _ := Lookup("gbk")
	for _, c := range []struct {
		e    Encoding
		in   string
		want string
	}{
		{UTF8, "\xef\xbb\xbfhi", "hi"},
		{UTF8, "a\xffb", "a\ufffdb"},
		{gbk, "\xc4\xe3\xba\xc3", "你好"},
	} {
		if got, err := c.e.Decode([]byte(c.in)); err != nil || got != c.want {
			t.Errorf("%s.Decode(%q) = %q, %v; want %q", c.e.Name(), c.in, got, err, c.want)
		}
	}
	if _, ok := UTF8.DecodeString("a\xffb"); ok {
		t.Error("DecodeString accepts invalid UTF-8")
	}
	if s, ok := gbk.DecodeString("\xc4\xe3"); !ok || s != "你" {
		t.Errorf("gbk.DecodeString = %q, %v", s, ok)
	}
}
