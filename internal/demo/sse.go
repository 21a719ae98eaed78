package demo

import (
	"strconv"
	"time"

	"github.com/aiohttp-go/aiohttp/sse"
	"github.com/aiohttp-go/aiohttp/web"
)

// Limits of the parameters of /sse.
const (
	defaultSSEInterval = time.Second
	maxSSEInterval     = time.Hour
)

// eventStream serves GET /sse?count=N&interval=MS[&retry=MS]: events
// "id: K" / "data: event K", K counting on from the Last-Event-ID the
// client sends (from 1 without one, or with one that is not a number),
// one every interval milliseconds (1000 by default) starting at once; the
// stream ends after count events, 0 (the default) meaning never. A
// positive retry is sent first as the reconnection time. A parameter
// that is not a non-negative integer, or an interval or retry over an
// hour, gets 400.
func eventStream(req *web.Request) (web.Response, error) {
	q := req.Query()
	count, ok := sseParam(q.Get("count"), 0, 1<<62)
	interval, ok2 := sseParam(q.Get("interval"), int64(defaultSSEInterval/time.Millisecond), int64(maxSSEInterval/time.Millisecond))
	retry, ok3 := sseParam(q.Get("retry"), 0, int64(maxSSEInterval/time.Millisecond))
	if !ok || !ok2 || !ok3 {
		return nil, web.HTTPBadRequest().WithText("count, interval and retry must be integers from 0, interval and retry at most an hour in milliseconds")
	}
	es := web.NewEventSourceResponse(web.EventSourceOptions{Retry: time.Duration(retry) * time.Millisecond})
	if err := es.Prepare(req); err != nil {
		return nil, err
	}
	k, err := strconv.ParseInt(es.LastEventID(), 10, 64)
	if err != nil || k < 0 {
		k = 0
	}
	tick := time.NewTicker(max(time.Duration(interval)*time.Millisecond, time.Millisecond))
	defer tick.Stop()
	for sent := int64(0); count == 0 || sent < count; sent++ {
		if sent > 0 {
			select {
			case <-es.Context().Done():
				return es, nil
			case <-tick.C:
			}
		}
		k++
		id := strconv.FormatInt(k, 10)
		if err := es.SendEvent(sse.Event{ID: id, Data: "event " + id}); err != nil {
			return es, nil // the client left or the server is shutting down
		}
	}
	return es, nil
}

// sseParam parses a query parameter of /sse: def when absent, otherwise
// an integer from 0 to limit.
func sseParam(v string, def, limit int64) (int64, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil && n >= 0 && n <= limit
}
