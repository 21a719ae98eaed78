package aiohttp

import "github.com/aiohttp-go/aiohttp/multipart"

// ContentDisposition is a parsed Content-Disposition header (RFC 6266;
// aiohttp's ContentDisposition), as [Response.ContentDisposition] gives
// it; see [multipart.ContentDisposition].
type ContentDisposition = multipart.ContentDisposition
