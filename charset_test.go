package aiohttp

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
)

// encodeCharset encodes s to the encoding a WHATWG label names (or, for
// "iso-8859-1", to ISO-8859-1 itself).
func encodeCharset(t testing.TB, label, s string) []byte {
	t.Helper()
	e, err := htmlindex.Get(label)
	if label == "iso-8859-1" {
		e, err = charmap.ISO8859_1, nil
	}
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encoding %q to %s: %v", s, label, err)
	}
	return b
}

func TestTextCharsets(t *testing.T) {
	tests := []struct {
		label   string // encoding the body is in
		charset string // the charset parameter sent
		name    string // what Encoding reports
		text    string
	}{
		{"gbk", "GBK", "gbk", "你好，世界"},
		{"gbk", "gb2312", "gbk", "简体中文"},
		{"gb18030", "GB18030", "gb18030", "中文 𠀀 ᠠ"},
		{"shift_jis", "Shift_JIS", "shift_jis", "こんにちは世界"},
		{"shift_jis", "sjis", "shift_jis", "日本語"},
		{"shift_jis", "cp932", "shift_jis", "日本語"},
		{"euc-jp", "EUC-JP", "euc-jp", "日本語テキスト"},
		{"euc-jp", "euc_jp", "euc-jp", "日本語"},
		{"big5", "big5", "big5", "繁體中文"},
		{"euc-kr", "cp949", "euc-kr", "한국어"},
		{"iso-8859-1", "ISO-8859-1", "iso-8859-1", "Grüße, ça va? ¿ñ? ÿ"},
		{"iso-8859-1", "latin-1", "iso-8859-1", "naïve"},
		{"windows-1252", "windows-1252", "windows-1252", "“quotes” – €"},
		{"windows-1251", "cp1251", "windows-1251", "Привет, мир"},
		{"koi8-r", "koi8-r", "koi8-r", "Привет"},
		{"iso-8859-2", "iso-8859-2", "iso-8859-2", "Zażółć gęślą jaźń"},
		{"utf-16le", "utf-16le", "utf-16le", "wide text"},
	}
	for _, tt := range tests {
		body := encodeCharset(t, tt.label, tt.text)
		r, _ := newBodyResponse(bytes.NewReader(body), "Content-Type", "text/plain; charset="+tt.charset)
		s, err := r.Text()
		if err != nil || s != tt.text {
			t.Errorf("%s as %s: Text() = %q, %v; want %q", tt.label, tt.charset, s, err, tt.text)
		}
		if name, err := r.Encoding(); err != nil || name != tt.name {
			t.Errorf("%s as %s: Encoding() = %q, %v", tt.label, tt.charset, name, err)
		}
		// Forced, whatever the header says.
		r, _ = newBodyResponse(bytes.NewReader(body), "Content-Type", "text/plain; charset=utf-8")
		if s, err := r.TextEncoding(tt.charset); err != nil || s != tt.text {
			t.Errorf("TextEncoding(%s) = %q, %v", tt.charset, s, err)
		}
	}
}

func TestTextDetection(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		text string
		enc  string
	}{
		{"utf-8", []byte("plain ünïcode"), "plain ünïcode", "utf-8"},
		{"utf-8 BOM", []byte("\xef\xbb\xbfbom"), "bom", "utf-8"},
		{"utf-16le BOM", append([]byte{0xff, 0xfe}, utf16Bytes(t, false, "wide ☃")...), "wide ☃", "utf-16le"},
		{"utf-16be BOM", append([]byte{0xfe, 0xff}, utf16Bytes(t, true, "wide ☃")...), "wide ☃", "utf-16be"},
		{"meta charset", append([]byte(`<html><head><META Charset="GBK"></head><body>`), encodeCharset(t, "gbk", "中文页面")...),
			`<html><head><META Charset="GBK"></head><body>中文页面`, "gbk"},
		{"meta http-equiv", append([]byte(`<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">`), encodeCharset(t, "shift_jis", "日本")...),
			`<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">日本`, "shift_jis"},
		{"xml declaration", append([]byte(`<?xml version="1.0" encoding='EUC-JP'?><a>`), encodeCharset(t, "euc-jp", "日本")...),
			`<?xml version="1.0" encoding='EUC-JP'?><a>日本`, "euc-jp"},
		{"meta declaring utf-16", []byte("<meta charset=utf-16>\xff"), "<meta charset=utf-16>\ufffd", "utf-8"},
		{"meta unknown", []byte("<meta charset=bogus>\xff"), "<meta charset=bogus>\ufffd", "utf-8"},
		{"meta after the first KiB", append(append(bytes.Repeat([]byte(" "), 1024), "<meta charset=gbk>"...), 0xc4, 0xe3),
			string(bytes.Repeat([]byte(" "), 1024)) + "<meta charset=gbk>\ufffd\ufffd", "utf-8"},
		{"nothing declared", []byte("caf\xe9"), "caf\ufffd", "utf-8"},
	}
	for _, tt := range tests {
		r, _ := newBodyResponse(bytes.NewReader(tt.body), "Content-Type", "text/html")
		s, err := r.Text()
		if err != nil || s != tt.text {
			t.Errorf("%s: Text() = %q, %v; want %q", tt.name, s, err, tt.text)
		}
		if enc, _ := r.Encoding(); enc != tt.enc {
			t.Errorf("%s: Encoding() = %q, want %q", tt.name, enc, tt.enc)
		}
	}
}

func utf16Bytes(t *testing.T, bigEndian bool, s string) []byte {
	order := unicode.LittleEndian
	if bigEndian {
		order = unicode.BigEndian
	}
	b, err := unicode.UTF16(order, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDeclaredCharset(t *testing.T) {
	tests := map[string]string{
		`<meta charset="utf-8">`: "utf-8",
		`<meta charset='gbk' />`: "gbk",
		`<meta charset = big5>`:  "big5",
		`<META HTTP-EQUIV="content-type" CONTENT="text/html;charset=Shift_JIS">`: "shift_jis",
		`<meta name="charset"><meta charset=koi8-r>`:                             "koi8-r",
		`<?xml version="1.0" encoding="ISO-8859-2"?>`:                            "iso-8859-2",
		`<?xml version="1.0"?><meta charset=gbk>`:                                "gbk",
		`<p>charset=gbk</p>`:                                                     "",
		`<meta charset`:                                                          "",
		`<meta charset=`:                                                         "",
		``:                                                                       "",
	}
	for doc, want := range tests {
		if got := declaredCharset([]byte(doc)); got != want {
			t.Errorf("declaredCharset(%q) = %q, want %q", doc, got, want)
		}
	}
}
