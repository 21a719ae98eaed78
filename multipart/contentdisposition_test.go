package multipart

import (
	"maps"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aiohttp-go/aiohttp/internal/field"
)

func TestParseContentDisposition(t *testing.T) {
	tests := []struct {
		header   string
		typ      string
		filename string
		params   map[string]string
	}{
		{`attachment`, "attachment", "", nil},
		{`INLINE`, "inline", "", nil},
		{`attachment; filename="report.pdf"`, "attachment", "report.pdf", map[string]string{"filename": "report.pdf"}},
		{`attachment; filename=plain.txt`, "attachment", "plain.txt", map[string]string{"filename": "plain.txt"}},
		{`attachment; FileName="a \"quoted\" name.txt"`, "attachment", `a "quoted" name.txt`, map[string]string{"filename": `a "quoted" name.txt`}},
		{`attachment; filename="semi;colon.txt"; size=10`, "attachment", "semi;colon.txt", map[string]string{"filename": "semi;colon.txt", "size": "10"}},
		// RFC 6266 section 5 examples.
		{`Attachment; filename=example.html`, "attachment", "example.html", map[string]string{"filename": "example.html"}},
		{`INLINE; FILENAME= "an example.html"`, "inline", "an example.html", map[string]string{"filename": "an example.html"}},
		{`attachment; filename*= UTF-8''%e2%82%ac%20rates`, "attachment", "€ rates", map[string]string{"filename*": "€ rates"}},
		{`attachment; filename="EURO rates"; filename*=utf-8''%e2%82%ac%20rates`, "attachment", "€ rates",
			map[string]string{"filename": "EURO rates", "filename*": "€ rates"}},
		// RFC 8187: ISO-8859-1, language tags, an empty charset.
		{`attachment; filename*=iso-8859-1'en'%A3%20rates`, "attachment", "£ rates", map[string]string{"filename*": "£ rates"}},
		{`attachment; filename*=''plain%20utf8%C3%A9`, "attachment", "plain utf8é", map[string]string{"filename*": "plain utf8é"}},
		{`attachment; filename*=gbk''%C4%E3%BA%C3.txt`, "attachment", "你好.txt", map[string]string{"filename*": "你好.txt"}},
		// Undecodable filename* falls back to filename.
		{`attachment; filename*=UTF-8''%ff%fe; filename="fallback.txt"`, "attachment", "fallback.txt", map[string]string{"filename": "fallback.txt"}},
		{`attachment; filename*=UTF-8''bad%zz; filename=fb`, "attachment", "fb", map[string]string{"filename": "fb"}},
		{`attachment; filename*=no-quotes; filename=fb`, "attachment", "fb", map[string]string{"filename": "fb"}},
		{`attachment; filename*=klingon''x; filename=fb`, "attachment", "fb", map[string]string{"filename": "fb"}},
		// RFC 2231 continuations.
		{`attachment; filename*0="long "; filename*1="name.txt"`, "attachment", "long name.txt",
			map[string]string{"filename*0": "long ", "filename*1": "name.txt"}},
		{`attachment; filename*0*=UTF-8''%e2%82%ac; filename*1=" and "; filename*2*=%c2%a3`, "attachment", "€ and £",
			map[string]string{"filename*0*": "UTF-8''%e2%82%ac", "filename*1": " and ", "filename*2*": "%c2%a3"}},
		{`attachment; filename*1="gap"; filename*0="no"; filename*3="x"`, "attachment", "nogap",
			map[string]string{"filename*0": "no", "filename*1": "gap", "filename*3": "x"}},
		{`attachment; filename*0*=bad`, "attachment", "", map[string]string{"filename*0*": "bad"}},
		{`attachment; filename*0*=utf-8''%ff`, "attachment", "", map[string]string{"filename*0*": "utf-8''%ff"}},
		{`attachment; filename*0*=utf-8''%zz`, "attachment", "", map[string]string{"filename*0*": "utf-8''%zz"}},
		{`attachment; filename*0*=utf-8'en`, "attachment", "", map[string]string{"filename*0*": "utf-8'en"}},
		{`attachment; filename*=utf-8'en; filename=fb`, "attachment", "fb", map[string]string{"filename": "fb"}},
		{`attachment; x*y*=utf-8''%41`, "attachment", "", map[string]string{"x*y*": "A"}},
		{`attachment; filename**=utf-8''x; filename=fb`, "attachment", "fb", map[string]string{"filename**": "x", "filename": "fb"}},
		// Leading slashes go, as in aiohttp.
		{`attachment; filename="/etc/passwd"`, "attachment", "etc/passwd", map[string]string{"filename": "/etc/passwd"}},
		{`attachment; filename="\\\\server\\share"`, "attachment", `server\share`, map[string]string{"filename": `\\server\share`}},
		// Duplicates: the first wins.
		{`attachment; filename=one; filename=two`, "attachment", "one", map[string]string{"filename": "one"}},
		// form-data, as multipart bodies use it.
		{`form-data; name="field"; filename="f.bin"`, "form-data", "f.bin", map[string]string{"name": "field", "filename": "f.bin"}},
		// Malformed.
		{``, "", "", nil},
		{`; filename=x`, "", "", nil},
		{`"quoted"; filename=x`, "", "", nil},
		{`attach ment; filename=x`, "", "", nil},
		{`attachment; =novalue; filename="unterminated`, "attachment", "unterminated", map[string]string{"filename": "unterminated"}},
		{`attachment;;; filename=x;`, "attachment", "x", map[string]string{"filename": "x"}},
		{`attachment; filename="x"trailing; size=1`, "attachment", "x", map[string]string{"filename": "x", "size": "1"}},
		{`attachment; flag`, "attachment", "", map[string]string{"flag": ""}},
	}
	for _, tt := range tests {
		cd := ParseContentDisposition(tt.header)
		if cd.Type != tt.typ || cd.Filename != tt.filename || !maps.Equal(cd.Params, tt.params) {
			t.Errorf("%s:\n got {%q %q %q}\nwant {%q %q %q}", tt.header, cd.Type, cd.Filename, cd.Params, tt.typ, tt.filename, tt.params)
		}
	}
}

func FuzzContentDisposition(f *testing.F) {
	for _, s := range []string{
		`attachment; filename="a.txt"`,
		`attachment; filename*=UTF-8''%e2%82%ac.txt; filename=x`,
		`inline; filename*0*=iso-8859-1''%a3; filename*1="x"`,
		`form-data; name="\"q"; filename="unterminated`,
		`a;;=;"";b*=''`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		cd := ParseContentDisposition(header)
		if cd.Type != "" && (!field.IsToken(cd.Type) || strings.ToLower(cd.Type) != cd.Type) {
			t.Fatalf("type %q", cd.Type)
		}
		if cd.Type == "" && (cd.Params != nil || cd.Filename != "") {
			t.Fatalf("a malformed header gave %+v", cd)
		}
		if strings.HasPrefix(cd.Filename, "/") || strings.HasPrefix(cd.Filename, `\`) {
			t.Fatalf("filename %q", cd.Filename)
		}
		for name, v := range cd.Params {
			if name == "" || strings.ToLower(name) != name {
				t.Fatalf("param name %q", name)
			}
			if strings.HasSuffix(name, "*") && !isContinuation(name) && !utf8.ValidString(v) {
				t.Fatalf("decoded %s is not UTF-8: %q", name, v)
			}
		}
		if _, ok := cd.Params["filename*"]; ok && cd.Filename != strings.TrimLeft(cd.Params["filename*"], `/\`) {
			t.Fatalf("filename %q does not come from filename* %q", cd.Filename, cd.Params["filename*"])
		}
	})
}
