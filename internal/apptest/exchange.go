package apptest

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Exchange is one request of a server example's test and the response it
// must get.
type Exchange struct {
	Method, Path, ContentType, Body string

	Status   int
	WantType string // "" skips the Content-Type check
	WantBody string
}

// Check sends each exchange's request to base and compares the responses.
func Check(t *testing.T, base string, tests []Exchange) {
	t.Helper()
	for _, tt := range tests {
		status, ctype, body := Do(t, tt.Method, base+tt.Path, tt.ContentType, tt.Body)
		if status != tt.Status || body != tt.WantBody || (tt.WantType != "" && ctype != tt.WantType) {
			t.Errorf("%s %s = %d %q %q, want %d %q %q", tt.Method, tt.Path, status, ctype, body, tt.Status, tt.WantType, tt.WantBody)
		}
	}
}

// Do sends a request and returns the response's status, Content-Type and
// body.
func Do(t *testing.T, method, url, contentType, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(got)
}
