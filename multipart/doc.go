// Package multipart reads and writes multipart bodies (RFC 2046, RFC
// 7578): aiohttp's MultipartReader, BodyPartReader, MultipartWriter and
// FormData, streaming both ways. The client (aiohttp.FormData,
// aiohttp.Multipart) and the server (web.Request.Multipart, Post, Files)
// are built on it.
//
// # Reading
//
// [NewReader] takes the body and the boundary of its Content-Type
// ([Boundary] finds it). [Reader.NextPart] returns the parts one at a
// time (or range over [Reader.Parts]); each [Part] is an io.Reader of its
// body, with its header fields, its form field [Part.Name] and
// [Part.Filename] (from filename*, RFC 5987, or filename, raw UTF-8 as
// browsers send it), and helpers that read the rest of it: [Part.Bytes],
// [Part.Text] (by its charset), [Part.JSON], [Part.Form]. A part that is
// itself multipart (multipart/mixed inside a form) gives a Reader of its
// own with [Part.Multipart].
//
// Nothing is buffered beyond a pooled 64 KiB window, which Close (or the
// end of the body, or an error) gives back: a 2 GiB file streams through
// it. [Limits] bound the number of parts, the header block of each part
// and the whole body; past one the reader fails with a [*LimitError]
// (errors.Is ErrTooManyParts, ErrHeaderTooLarge, ErrTooLarge), which a
// server answers with 413. A body that is not multipart or ends before
// its closing boundary fails with an error wrapping [ErrMalformed] (and
// io.ErrUnexpectedEOF when truncated), answered with 400. Errors are
// sticky; nothing panics or waits on its own.
//
// The reader is ours rather than mime/multipart's: it keeps header
// fields in their order and case (a *multidict.CIMultiDict, as aiohttp),
// does not decode quoted-printable behind the caller's back, reports
// limits and malformed bodies as distinct errors, and parses faster with
// fewer allocations (BenchmarkParse). It reads every body mime/multipart
// reads the same way, bare-LF line breaks included (FuzzReader checks
// it).
//
// # Writing
//
// A [Writer] collects parts (bytes, strings, JSON, urlencoded forms,
// io.Readers, files, nested multipart) and is then read as the body,
// streaming each part's reader in turn. [Writer.Size] is the body's
// length when every part's is known (an *os.File's from Stat), so that
// the client sends Content-Length; otherwise -1, and it is sent chunked.
// [FormData] is an HTML form: urlencoded unless a field is a file, then
// multipart/form-data through a Writer.
//
// Field names and file names are written as browsers write them: raw
// UTF-8 in a quoted-string, `"`, CR and LF percent-encoded.
package multipart
