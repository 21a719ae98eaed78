package http1

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// llhttpDir is where the llhttp test fixtures live, outside the repository
// (see /work/shared/data/README.md).
const llhttpDir = "../../../shared/data/llhttp"

// llhttpCase is one case of the llhttp markdown fixtures: a raw message and
// the event log llhttp produces for it.
type llhttpCase struct {
	name  string // file:line heading
	meta  llhttpMeta
	input []byte
	log   []string
}

type llhttpMeta struct {
	Type     string `json:"type"`
	SkipBody bool   `json:"skipBody"`
}

// lenient reports whether the case needs one of llhttp's lenient flags,
// that is whether strict parsing rejects it.
func (c *llhttpCase) lenient() bool { return strings.Contains(c.meta.Type, "lenient") }

func (c *llhttpCase) request() bool { return strings.HasPrefix(c.meta.Type, "request") }

// loadLLHTTP reads the fixtures of one kind ("request" or "response").
func loadLLHTTP(t testing.TB, kind string) []*llhttpCase {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(llhttpDir, kind, "*.md"))
	if len(files) == 0 {
		t.Skipf("llhttp fixtures not found in %s (see /work/shared/data/README.md)", llhttpDir)
	}
	var cases []*llhttpCase
	for _, file := range files {
		cases = append(cases, parseLLHTTPFile(t, file)...)
	}
	return cases
}

var metaRE = regexp.MustCompile(`^<!-- meta=(\{.*\}) -->$`)

func parseLLHTTPFile(t testing.TB, file string) []*llhttpCase {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		cases   []*llhttpCase
		heading string
		cur     *llhttpCase
		block   string // "http" or "log" while inside a code block
		text    []string
		lineNo  int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		lineNo++
		if block != "" {
			if line != "```" {
				text = append(text, line)
				continue
			}
			if cur != nil {
				if block == "http" {
					cur.input = llhttpInput(strings.Join(text, "\n") + "\n")
				} else {
					cur.log = text
					cases = append(cases, cur)
					cur = nil
				}
			}
			block, text = "", nil
			continue
		}
		switch {
		case strings.HasPrefix(line, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(line, "#"))
		case metaRE.MatchString(line):
			cur = &llhttpCase{name: filepath.Base(filepath.Dir(file)) + "/" + filepath.Base(file) + ":" + strconv.Itoa(lineNo) + " " + heading}
			if err := json.Unmarshal([]byte(metaRE.FindStringSubmatch(line)[1]), &cur.meta); err != nil {
				t.Fatalf("%s: %v", cur.name, err)
			}
		case line == "```http":
			block = "http"
		case line == "```log":
			block = "log"
		case strings.HasPrefix(line, "```"):
			block = "other"
		}
	}
	return cases
}

var (
	escapedNewlineRE = regexp.MustCompile(`\\(\r\n|\r|\n)`)
	newlineRE        = regexp.MustCompile(`\r\n|\r|\n`)
	hexEscapeRE      = regexp.MustCompile(`\\x([0-9a-fA-F]+)`)
	octalEscapeRE    = regexp.MustCompile(`\\([0-7]{1,3})`)
)

// llhttpInput turns the text of an http block into the bytes llhttp's test
// runner feeds the parser: newlines become CRLF, then the escapes \r \n \t
// \f \xHH and octal ones become their characters (UTF-8 encoded).
func llhttpInput(s string) []byte {
	s = strings.TrimSuffix(s, "\n")
	s = escapedNewlineRE.ReplaceAllString(s, "")
	s = newlineRE.ReplaceAllString(s, "\r\n")
	s = strings.NewReplacer(`\r`, "\r").Replace(s)
	s = strings.NewReplacer(`\n`, "\n").Replace(s)
	s = strings.NewReplacer(`\t`, "\t").Replace(s)
	s = strings.NewReplacer(`\f`, "\f").Replace(s)
	s = hexEscapeRE.ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseUint(m[2:], 16, 16)
		return string(rune(v))
	})
	s = octalEscapeRE.ReplaceAllStringFunc(s, func(m string) string {
		v, _ := strconv.ParseUint(m[1:], 8, 16)
		return string(rune(v))
	})
	return []byte(s)
}

// wireMessage is what a parser made of one message, for comparisons.
type wireMessage struct {
	method, target, status string
	version                string // "1/1"
	fields                 [][2]string
	body                   string
	complete               bool
}

// llhttpOutcome is llhttp's verdict from a log.
type llhttpOutcome struct {
	messages []*wireMessage
	errCode  int // 0: no error
	reason   string
}

// stopped reports whether llhttp stopped without rejecting anything: at an
// upgrade, at the HTTP/2 preface or at data after "Connection: close".
func (o *llhttpOutcome) stopped() bool {
	return o.errCode == 22 || o.errCode == 23 || o.errCode == 5
}

func (o *llhttpOutcome) rejected() bool { return o.errCode != 0 && !o.stopped() }

var (
	spanRE    = regexp.MustCompile(`^off=\d+ len=\d+ span\[(\w+)\]=(.*)$`)
	versionRE = regexp.MustCompile(` v=(\d+/\d+) `)
	errorRE   = regexp.MustCompile(`^off=\d+ error code=(\d+) reason="(.*)"$`)
)

func parseLLHTTPLog(lines []string) *llhttpOutcome {
	o := &llhttpOutcome{}
	var m *wireMessage
	last := "" // kind of the previous span
	for _, line := range lines {
		switch {
		case strings.HasSuffix(line, " message begin"):
			m = &wireMessage{}
			o.messages = append(o.messages, m)
			last = ""
		case strings.HasSuffix(line, " message complete"):
			if m != nil {
				m.complete = true
			}
		case strings.Contains(line, " headers complete "):
			if v := versionRE.FindStringSubmatch(line); v != nil && m != nil {
				m.version = v[1]
			}
		case errorRE.MatchString(line):
			e := errorRE.FindStringSubmatch(line)
			o.errCode, _ = strconv.Atoi(e[1])
			o.reason = e[2]
		case spanRE.MatchString(line):
			s := spanRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			v := unquoteSpan(s[2])
			switch s[1] {
			case "method":
				m.method += v
			case "url":
				m.target += v
			case "status":
				m.status += v
			case "header_field":
				if last != "header_field" {
					m.fields = append(m.fields, [2]string{})
				}
				m.fields[len(m.fields)-1][0] += v
			case "header_value":
				if len(m.fields) == 0 {
					m.fields = append(m.fields, [2]string{})
				}
				m.fields[len(m.fields)-1][1] += v
			case "body":
				m.body += v
			}
			last = s[1]
		}
	}
	for _, m := range o.messages {
		for i := range m.fields {
			m.fields[i][1] = strings.Trim(m.fields[i][1], " \t")
		}
	}
	return o
}

// unquoteSpan decodes the value of a span: the raw bytes between quotes,
// with \t and \f standing for their characters, or the bare words cr and
// lf.
func unquoteSpan(s string) string {
	switch s {
	case "cr":
		return "\r"
	case "lf":
		return "\n"
	}
	s = strings.TrimPrefix(strings.TrimSuffix(s, `"`), `"`)
	return strings.NewReplacer(`\t`, "\t", `\f`, "\f").Replace(s)
}
