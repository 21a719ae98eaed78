package websocket

import (
	"context"
	"errors"
	"sync/atomic"
)

// ErrEventDriven is the error of a MessageError message that
// [Socket.Receive] returns once [Socket.OnMessage] took the socket over,
// and the error of a second OnMessage.
var ErrEventDriven = errors.New("websocket: the socket is served by OnMessage")

// OnMessage hands the socket over to f and returns at once: from now on
// every message [Socket.Receive] would return goes to f instead, in order,
// one call at a time, and the last call is MessageClosed, once the socket
// is closed. Autoping, autoclose, the heartbeat, the maximum message size
// and the write timeout work as with Receive; the receive timeout does not
// apply (use the heartbeat).
//
// Message.Data is valid only until f returns, as with [Conn.ReadMessage]:
// no message is copied. Copy what is to be kept.
//
// f may send, and call Close (which reads the rest of the closing
// handshake itself); any other goroutine may send and Close at any time,
// as with Receive: a broadcast to many sockets needs nothing else.
//
// Between messages, a socket over a plain TCP or Unix connection holds
// no buffer. Its reader waits in its read for a second, as Receive would
// (a busy socket costs no more than with Receive), and then parks: an
// idle socket costs no goroutine on Linux (its socket waits in an epoll
// set), one with the smallest stack elsewhere, and no buffer, not a
// handler goroutine whose stack grew with the request. Among 128 or more
// sockets served by OnMessage, a new one parks at once. Over
// TLS the socket is read the ordinary way, by one goroutine that lives as
// long as the socket.
//
// A web handler calls OnMessage on the socket Prepare returned and then
// returns the response: the socket stays open (it is not closed when the
// handler returns, as a socket served by Receive is). The handler's
// request context ends when it returns, so f and other goroutines use
// contexts of their own. OnMessage fails with [ErrEventDriven] when called
// a second time.
func (s *Socket) OnMessage(f func(Message)) error {
	s.mu.Lock()
	if s.onMessage != nil {
		s.mu.Unlock()
		return ErrEventDriven
	}
	s.onMessage = f
	s.wake = s.readable
	s.mu.Unlock()
	go s.serveEvents(eventSockets.Add(1) > parkAtOnceAt)
	return nil
}

// eventSockets counts the sockets served by OnMessage, in the process.
var eventSockets atomic.Int64

// parkAtOnceAt is how many sockets served by OnMessage make a new one park
// at once instead of lingering for its first message, as web's
// ParkIdleAt: among many sockets, the lingering ones' goroutines would
// decide the peak memory, and those of a chat or a fan-out are mostly
// silent after the upgrade.
var parkAtOnceAt int64 = 128

// EventDriven reports whether [Socket.OnMessage] took the socket over.
func (s *Socket) EventDriven() bool { return s.eventDriven() }

func (s *Socket) eventDriven() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.onMessage != nil
}

// errWouldBlock is readLingering's error when no message came while it
// lingered: the read resumes where it stopped at the next call.
var errWouldBlock = errors.New("websocket: no message while lingering")

// serveEvents delivers messages as they come. When none came for
// lingerTime (or, atOnce, when none is there yet), it parks the socket (internal/park): it waits for more in a
// new goroutine, whose small stack and no buffer are all an idle socket
// keeps, and the goroutine that ran the callback ends and gives its stack
// back.
func (s *Socket) serveEvents(atOnce bool) {
	ctx := context.Background()
	linger := lingerTime
	if atOnce {
		linger = 0 // the first read takes only what is there already
	}
	for {
		m, ok := s.ending()
		if ok && m.Type == MessageClosing {
			// The closing handshake is someone else's (a Close in
			// progress, or the handler's with NoAutoclose): MessageClosed
			// follows once it is over.
			<-s.done
			continue
		}
		if !ok {
			typ, p, err := s.c.readLingering(linger)
			linger = lingerTime
			if err == errWouldBlock {
				// Only over a plain socket, which park supports.
				s.c.parked.Park(s.c.in.nc, s.wake)
				return
			}
			if err != nil {
				m = s.readError(ctx, ctx, err)
			} else if m, ok = s.message(ctx, typ, p); !ok {
				continue
			}
		}
		s.onMessage(m)
		if m.Type == MessageClosed {
			eventSockets.Add(-1)
			return
		}
	}
}

// readable resumes serveEvents once the socket is readable; an error of
// the wait (the connection closed) is for the read that follows.
func (s *Socket) readable(error) { s.serveEvents(false) }
