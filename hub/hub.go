package hub

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned by the methods of a closed Hub and by Receive on
// a closed Subscription.
var ErrClosed = errors.New("hub: closed")

// DefaultBuffer is how many messages a Subscription holds for its
// receiver before it drops the oldest.
const DefaultBuffer = 256

// Hub publishes messages to the subscribers of a topic. Its methods are
// safe for concurrent use.
type Hub interface {
	// Publish sends data to every subscriber of topic, on every instance
	// the hub spans. A nil error means the hub took the message (for
	// Redis: the server did), not that anyone received it.
	Publish(ctx context.Context, topic string, data []byte) error
	// Subscribe returns a subscription to the topics that receives their
	// messages published from now on.
	Subscribe(ctx context.Context, topics ...string) (*Subscription, error)
	// Close ends every subscription and releases the hub; it is
	// idempotent.
	Close() error
}

// Message is a published message.
type Message struct {
	Topic string
	Data  []byte // never modified after publication; share it freely
}

// Subscription receives the messages of its topics.
type Subscription struct {
	topics  []string
	c       chan Message
	dropped atomic.Uint64
	local   *local
	once    sync.Once
}

// C is the channel of the subscription's messages, closed when the
// subscription or its hub is closed.
func (s *Subscription) C() <-chan Message { return s.c }

// Receive returns the next message, ErrClosed once the subscription is
// closed, or ctx's error.
func (s *Subscription) Receive(ctx context.Context) (Message, error) {
	select {
	case m, ok := <-s.c:
		if !ok {
			return Message{}, ErrClosed
		}
		return m, nil
	case <-ctx.Done():
		return Message{}, ctx.Err()
	}
}

// Dropped counts the messages the subscription lost because its receiver
// fell behind.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close ends the subscription: C is closed after the messages still
// buffered. It is idempotent.
func (s *Subscription) Close() error {
	s.local.remove(s)
	return nil
}

// local is the fan-out of one process: topic -> subscriptions. Both hubs
// deliver through it, Memory when a message is published, Redis when the
// server sends it back.
type local struct {
	// changing serializes subscribing and unsubscribing with the hook,
	// so that a topic's subscribe and unsubscribe reach Redis in order;
	// mu guards the map, and delivery takes only mu.
	changing sync.Mutex
	mu       sync.Mutex
	topics   map[string]map[*Subscription]struct{}
	closed   bool
	buffer   int
	// changed, when set, is told (under changing, not mu) the topics that
	// got their first subscriber or lost their last.
	changed func(added, removed []string)
}

func newLocal(buffer int) *local {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	return &local{topics: make(map[string]map[*Subscription]struct{}), buffer: buffer}
}

// add makes a subscription to topics.
func (l *local) add(topics []string) (*Subscription, error) {
	s := &Subscription{topics: topics, c: make(chan Message, l.buffer), local: l}
	l.changing.Lock()
	defer l.changing.Unlock()
	var added []string
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil, ErrClosed
	}
	for _, t := range topics {
		subs := l.topics[t]
		if subs == nil {
			subs = make(map[*Subscription]struct{})
			l.topics[t] = subs
			added = append(added, t)
		}
		subs[s] = struct{}{}
	}
	l.mu.Unlock()
	if len(added) > 0 && l.changed != nil {
		l.changed(added, nil)
	}
	return s, nil
}

// remove ends s once.
func (l *local) remove(s *Subscription) {
	l.changing.Lock()
	defer l.changing.Unlock()
	var removed []string
	l.mu.Lock()
	s.once.Do(func() {
		for _, t := range s.topics {
			subs := l.topics[t]
			delete(subs, s)
			if len(subs) == 0 && subs != nil {
				delete(l.topics, t)
				removed = append(removed, t)
			}
		}
		close(s.c)
	})
	closed := l.closed
	l.mu.Unlock()
	if len(removed) > 0 && l.changed != nil && !closed {
		l.changed(nil, removed)
	}
}

// deliver hands m to every subscriber of its topic without waiting: a
// full subscription drops its oldest message for it.
func (l *local) deliver(m Message) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for s := range l.topics[m.Topic] {
		for {
			select {
			case s.c <- m:
			default:
				select {
				case <-s.c:
					s.dropped.Add(1)
				default:
				}
				continue
			}
			break
		}
	}
}

// close ends every subscription.
func (l *local) close() {
	l.mu.Lock()
	l.closed = true
	var all []*Subscription
	for _, subs := range l.topics {
		for s := range subs {
			all = append(all, s)
		}
	}
	l.mu.Unlock()
	for _, s := range all {
		l.remove(s)
	}
}

// Memory is a Hub within one process.
type Memory struct {
	local *local
}

// NewMemory returns a hub whose subscriptions buffer buffer messages
// (DefaultBuffer when 0).
func NewMemory(buffer int) *Memory {
	return &Memory{local: newLocal(buffer)}
}

// Publish delivers data to the topic's subscribers at once.
func (h *Memory) Publish(ctx context.Context, topic string, data []byte) error {
	h.local.mu.Lock()
	closed := h.local.closed
	h.local.mu.Unlock()
	if closed {
		return ErrClosed
	}
	h.local.deliver(Message{Topic: topic, Data: append([]byte(nil), data...)})
	return nil
}

// Subscribe subscribes to topics.
func (h *Memory) Subscribe(ctx context.Context, topics ...string) (*Subscription, error) {
	return h.local.add(topics)
}

// Close ends every subscription.
func (h *Memory) Close() error {
	h.local.close()
	return nil
}
