package websocket

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"strings"
)

// keyGUID is the GUID of RFC 6455, section 1.3.
const keyGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// AcceptKey returns the Sec-WebSocket-Accept value for a Sec-WebSocket-Key:
// the base64 SHA-1 of the key and the RFC 6455 GUID.
func AcceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte(keyGUID))
	var sum [sha1.Size]byte
	return base64.StdEncoding.EncodeToString(h.Sum(sum[:0]))
}

// ValidKey reports whether key is a valid Sec-WebSocket-Key: the base64
// encoding of 16 bytes.
func ValidKey(key string) bool {
	if len(key) != 24 {
		return false
	}
	var b [18]byte
	n, err := base64.StdEncoding.Decode(b[:], []byte(key))
	return err == nil && n == 16
}

// NewKey returns a fresh Sec-WebSocket-Key: 16 random bytes, base64.
func NewKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// SelectProtocol returns the first subprotocol the client offered that the
// server supports, as aiohttp chooses, or "" when they share none. offered
// holds the client's Sec-WebSocket-Protocol values; each may be a
// comma-separated list. Names compare exactly, as RFC 6455 requires.
func SelectProtocol(offered, supported []string) string {
	for _, line := range offered {
		for p := range strings.SplitSeq(line, ",") {
			p = strings.TrimSpace(p)
			for _, s := range supported {
				if p == s {
					return s
				}
			}
		}
	}
	return ""
}
