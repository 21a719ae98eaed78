package web

import (
	"strconv"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/http1"
)

// response builds the response an HTTPError stands for.
func (e *HTTPError) response() *BodyResponse {
	r := &BodyResponse{status: e.Status, text: e.body(), isText: true, contentType: e.bodyContentType()}
	x := r.extra()
	x.reason = e.Reason
	x.header.Extend(&e.Headers)
	return r
}

// formatErrorText is the body of the answer to a request the engine
// rejected before routing: "400: Bad Request" and what was wrong.
func formatErrorText(status int, reason string) string {
	return strconv.Itoa(status) + ": " + http1.StatusText(status) + "\n\n" + reason
}

// splitAllow splits a precomputed Allow value into its methods.
func splitAllow(allow string) []string { return strings.Split(allow, ", ") }
