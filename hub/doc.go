// Package hub fans messages out to subscribers: the chat rooms, live
// feeds and notifications of an application, within one process
// ([Memory]) or across every instance that shares a Redis server
// ([Redis], on Redis pub/sub), so that a message published on one
// instance behind a load balancer reaches the WebSocket and Server-Sent
// Events clients of all of them.
//
// A [Subscription] receives the messages of its topics published after
// it was made, in publication order. Delivery is at most once, like Redis
// pub/sub: a subscriber that falls behind by more than its buffer loses
// the oldest messages it has not received (counted by
// [Subscription.Dropped]) instead of holding up the others, and messages
// published while an instance is cut off from Redis do not reach its
// subscribers.
package hub
