package web

import "unsafe"

// bytesView returns b as a string without copying. The string is valid only
// while b's bytes do not change, so it never reaches users: the engine
// compares with it and keeps the raw target and the header values it
// looks up (Request.headerView) as views for the length of one request,
// and every accessor that hands such a string out copies it first, or
// returns something derived from it that owns its bytes.
// TestKeptStringsNeverChange keeps what the accessors return across
// requests that reuse the buffer.
func bytesView(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// internMethod returns the method as a constant string for the standard
// methods, and a copy otherwise.
func internMethod(b []byte) string {
	switch string(b) {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "PATCH":
		return "PATCH"
	case "DELETE":
		return "DELETE"
	case "OPTIONS":
		return "OPTIONS"
	case "CONNECT":
		return "CONNECT"
	case "TRACE":
		return "TRACE"
	}
	return string(b)
}
