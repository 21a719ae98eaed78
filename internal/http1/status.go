package http1

import "strconv"

// statusText holds the reason phrases of Python's http.HTTPStatus, which
// aiohttp sends.
var statusText = [...]string{
	100: "Continue",
	101: "Switching Protocols",
	102: "Processing",
	103: "Early Hints",
	200: "OK",
	201: "Created",
	202: "Accepted",
	203: "Non-Authoritative Information",
	204: "No Content",
	205: "Reset Content",
	206: "Partial Content",
	207: "Multi-Status",
	208: "Already Reported",
	226: "IM Used",
	300: "Multiple Choices",
	301: "Moved Permanently",
	302: "Found",
	303: "See Other",
	304: "Not Modified",
	305: "Use Proxy",
	307: "Temporary Redirect",
	308: "Permanent Redirect",
	400: "Bad Request",
	401: "Unauthorized",
	402: "Payment Required",
	403: "Forbidden",
	404: "Not Found",
	405: "Method Not Allowed",
	406: "Not Acceptable",
	407: "Proxy Authentication Required",
	408: "Request Timeout",
	409: "Conflict",
	410: "Gone",
	411: "Length Required",
	412: "Precondition Failed",
	413: "Request Entity Too Large",
	414: "Request-URI Too Long",
	415: "Unsupported Media Type",
	416: "Requested Range Not Satisfiable",
	417: "Expectation Failed",
	418: "I'm a Teapot",
	421: "Misdirected Request",
	422: "Unprocessable Entity",
	423: "Locked",
	424: "Failed Dependency",
	425: "Too Early",
	426: "Upgrade Required",
	428: "Precondition Required",
	429: "Too Many Requests",
	431: "Request Header Fields Too Large",
	451: "Unavailable For Legal Reasons",
	500: "Internal Server Error",
	501: "Not Implemented",
	502: "Bad Gateway",
	503: "Service Unavailable",
	504: "Gateway Timeout",
	505: "HTTP Version Not Supported",
	506: "Variant Also Negotiates",
	507: "Insufficient Storage",
	508: "Loop Detected",
	510: "Not Extended",
	511: "Network Authentication Required",
}

// StatusText returns the reason phrase of a status code, or "" for an
// unknown one.
func StatusText(code int) string {
	if code < 0 || code >= len(statusText) {
		return ""
	}
	return statusText[code]
}

// statusLines holds the complete status lines "HTTP/1.x NNN Reason\r\n" of
// every known code, for HTTP/1.0 and HTTP/1.1.
var statusLines = func() (t [2][len(statusText)]string) {
	for code, text := range statusText {
		if text != "" {
			for minor := range t {
				t[minor][code] = string(appendStatusLine(nil, uint8(minor), code, text))
			}
		}
	}
	return t
}()

// AppendStatusLine appends the status line "HTTP/1.<minor> <status>
// <reason>\r\n" to dst. An empty reason means the standard phrase.
func AppendStatusLine(dst []byte, minor uint8, status int, reason string) []byte {
	if reason == "" && minor < 2 && status >= 0 && status < len(statusText) {
		if line := statusLines[minor][status]; line != "" {
			return append(dst, line...)
		}
	}
	if reason == "" {
		reason = StatusText(status)
	}
	return appendStatusLine(dst, minor, status, reason)
}

func appendStatusLine(dst []byte, minor uint8, status int, reason string) []byte {
	dst = append(dst, "HTTP/1."...)
	dst = strconv.AppendUint(dst, uint64(minor), 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(status), 10)
	dst = append(dst, ' ')
	dst = append(dst, reason...)
	return append(dst, "\r\n"...)
}
