package http1

import "strconv"

// AppendRequestLine appends the request line "<method> <target>
// HTTP/1.<minor>\r\n" to dst.
func AppendRequestLine(dst []byte, method, target string, minor uint8) []byte {
	dst = append(dst, method...)
	dst = append(dst, ' ')
	dst = append(dst, target...)
	dst = append(dst, " HTTP/1."...)
	dst = strconv.AppendUint(dst, uint64(minor), 10)
	return append(dst, "\r\n"...)
}

// AppendField appends the field line "<name>: <value>\r\n" to dst without
// checking it; callers validate names and values once with field.IsToken
// and [ValidFieldValue].
func AppendField(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n"...)
}

// ValidFieldValue reports whether s can be sent as a field value: no CR,
// LF, NUL or other control character except HTAB (RFC 9110 5.5).
func ValidFieldValue(s string) bool {
	// Eight bytes at a time, none below 0x20 nor 0x7f is valid at once;
	// a word with one (HTAB is valid) is checked byte by byte.
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := load64(s[i : i+8])
		del := x ^ (0x7f * ones)
		if ((x-0x20*ones)&^x|(del-ones)&^del)&highs == 0 {
			continue
		}
		for j := i; j < i+8; j++ {
			if classes[s[j]]&classValue == 0 {
				return false
			}
		}
	}
	for ; i < len(s); i++ {
		if classes[s[i]]&classValue == 0 {
			return false
		}
	}
	return true
}

// load64 returns the first eight bytes of s as a little-endian word, in
// one load.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// AppendChunkHeader appends the chunk-size line of an n-byte chunk, "1a\r\n"
// for 26, to dst.
func AppendChunkHeader(dst []byte, n int) []byte {
	dst = strconv.AppendUint(dst, uint64(n), 16)
	return append(dst, "\r\n"...)
}

// AppendChunk appends p as one chunk: its size line, p and CRLF. An empty p
// appends nothing, since a zero-size chunk would end the body.
func AppendChunk(dst, p []byte) []byte {
	if len(p) == 0 {
		return dst
	}
	dst = AppendChunkHeader(dst, len(p))
	dst = append(dst, p...)
	return append(dst, "\r\n"...)
}

// AppendLastChunk appends the end of a chunked body: the last chunk
// "0\r\n", the trailer fields and the final CRLF.
func AppendLastChunk(dst []byte, trailers []Field) []byte {
	dst = append(dst, "0\r\n"...)
	for _, f := range trailers {
		dst = append(dst, f.Name...)
		dst = append(dst, ": "...)
		dst = append(dst, f.Value...)
		dst = append(dst, "\r\n"...)
	}
	return append(dst, "\r\n"...)
}
