package web

import (
	"context"
	"strings"

	"github.com/aiohttp-go/aiohttp/internal/mockreq"
)

// The constructor of aiotest.NewMockedRequest: a request no connection
// carries, answered through a net/http ResponseWriter like a bridged one.
// It is handed over through an internal package, so that web exports no
// constructor that only tests need.
func init() { mockreq.New = newMockedRequest }

func newMockedRequest(spec mockreq.Spec) mockreq.Request {
	req := newStdRequest(spec.Request, &stdOutbound{w: spec.Writer, ctx: spec.Request.Context(), head: responseHead{header: &noHeader}})
	if spec.Request.Context().Done() == nil {
		req.ctx.watcher = nil // a context that never ends needs no watching
	}
	req.app, _ = spec.App.(*Application)
	req.maxSize, req.hasMaxSize = spec.ClientMaxSize, spec.HasClientMaxSize
	if len(spec.MatchInfo) > 0 {
		req.match = mockedMatch(req, spec.MatchInfo)
	}
	finish := func(resp any) error {
		defer req.ctx.cancel(context.Canceled)
		defer req.removeSpooled()
		if resp == nil {
			return nil
		}
		return resp.(Response).finish(req)
	}
	return mockreq.Request{Request: req, Finish: finish}
}

// mockedMatch returns a match of a route whose parameters have the
// name/value pairs of params. The values are kept as a path would have
// them, with "%" escaped, so that MatchInfo hands them out unchanged.
func mockedMatch(req *Request, params []string) MatchInfo {
	if len(params)%2 != 0 || len(params)/2 > maxParams {
		panic("web: mocked match info needs name/value pairs, at most 16")
	}
	m := MatchInfo{route: &Route{method: req.method, app: req.app}}
	var path strings.Builder
	for i := 0; i < len(params); i += 2 {
		m.route.params = append(m.route.params, params[i])
		start := path.Len()
		path.WriteString(strings.ReplaceAll(params[i+1], "%", "%25"))
		m.spans[i/2] = span{start, path.Len()}
	}
	m.path = path.String()
	return m
}
