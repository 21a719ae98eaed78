package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aiohttp-go/aiohttp"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// result is what the fetch command prints of one URL, one JSON object a
// line, in this order.
type result struct {
	URL       string  `json:"url"`
	FinalURL  string  `json:"final_url"`
	Status    int     `json:"status"`
	Bytes     int64   `json:"bytes"`
	ElapsedMS float64 `json:"elapsed_ms"`
	Title     *string `json:"title"`
	Error     string  `json:"error"`

	host string // the --limit-per-host unit it counted against
}

// errorKind names the failure of a fetch whose context is ctx: its
// own deadline is a timeout, the command's end a cancellation.
func errorKind(ctx context.Context, err error) string {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "timeout"
	case ctx.Err() != nil:
		return "canceled"
	case errors.Is(err, aiohttp.ErrInvalidURL), errors.Is(err, aiohttp.ErrNonHTTPURLClient):
		return "invalid_url"
	case errors.Is(err, aiohttp.ErrServerTimeout), errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, aiohttp.ErrClientConnectorDNS):
		return "dns"
	case errors.Is(err, aiohttp.ErrClientSSL):
		return "tls"
	case errors.Is(err, aiohttp.ErrClientPayload), errors.Is(err, aiohttp.ErrContentLength), errors.Is(err, aiohttp.ErrTransferEncoding):
		return "payload"
	case errors.Is(err, aiohttp.ErrClientConnection):
		return "connect"
	}
	return "protocol"
}

// isHTML reports whether a media type is HTML's.
func isHTML(mediaType string) bool {
	return mediaType == "text/html" || mediaType == "application/xhtml+xml"
}

// htmlTitle returns the text of the first <title> of an HTML document
// (whitespace collapsed), decoded by the charset its Content-Type field
// value, a byte order mark or a <meta> names (windows-1252 otherwise, as
// browsers do).
func htmlTitle(doc []byte, contentType string) (string, bool) {
	enc, _, _ := charset.DetermineEncoding(doc, contentType)
	z := html.NewTokenizer(enc.NewDecoder().Reader(bytes.NewReader(doc)))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return "", false
		case html.StartTagToken:
			name, _ := z.TagName()
			if string(name) != "title" {
				continue
			}
			if z.Next() != html.TextToken {
				return "", true
			}
			return strings.Join(strings.Fields(string(z.Text())), " "), true
		}
	}
}

// resultWriter prints results as JSON lines or as a table.
type resultWriter struct {
	w       *bufio.Writer
	table   bool
	started bool
	err     error
}

func newResultWriter(w io.Writer, format string) *resultWriter {
	return &resultWriter{w: bufio.NewWriter(w), table: format == "table"}
}

// write prints r and flushes it, so that a reader sees each result as it
// comes.
func (o *resultWriter) write(r *result) {
	if o.err != nil {
		return
	}
	if o.table {
		if !o.started {
			fmt.Fprintf(o.w, "%-6s %10s %10s  %-11s %s\n", "STATUS", "BYTES", "MS", "ERROR", "URL")
			o.started = true
		}
		status := "-"
		if r.Status != 0 {
			status = strconv.Itoa(r.Status)
		}
		line := r.URL
		if r.FinalURL != "" && r.FinalURL != r.URL {
			line += " -> " + r.FinalURL
		}
		if r.Title != nil {
			line += "  " + strconv.Quote(*r.Title)
		}
		fmt.Fprintf(o.w, "%-6s %10d %10.1f  %-11s %s\n", status, r.Bytes, r.ElapsedMS, r.Error, line)
	} else {
		b, err := json.Marshal(r)
		if err != nil {
			o.err = err
			return
		}
		o.w.Write(append(b, '\n'))
	}
	if err := o.w.Flush(); err != nil {
		o.err = err
	}
}

// flush returns the first error of writing the results.
func (o *resultWriter) flush() error {
	if o.err == nil {
		o.err = o.w.Flush()
	}
	return o.err
}
