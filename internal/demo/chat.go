package demo

import (
	"context"
	"time"

	"github.com/aiohttp-go/aiohttp/hub"
	"github.com/aiohttp-go/aiohttp/sse"
	"github.com/aiohttp-go/aiohttp/web"
	"github.com/aiohttp-go/aiohttp/websocket"
)

// chatTopic is the hub topic of the chat room.
const chatTopic = "chat"

// chatSendTimeout bounds a message's delivery to one client, so that a
// client that stopped reading is dropped rather than holding on forever.
const chatSendTimeout = 5 * time.Second

// maxChatMessage bounds what POST /chat says.
const maxChatMessage = 64 << 10

// chat is the chat room of /chat: every text message a client sends, over
// its WebSocket or by POST, goes through the hub to every client of every
// instance sharing it, the sender included.
type chat struct {
	hub hub.Hub
}

// serve joins a WebSocket client to the room until it leaves.
func (c *chat) serve(req *web.Request) (web.Response, error) {
	ws := web.NewWebSocketResponse(web.WebSocketOptions{Options: websocket.Options{Heartbeat: 30 * time.Second}})
	sock, err := ws.Prepare(req)
	if err != nil {
		return nil, err
	}
	ctx := req.Context()
	sub, err := c.hub.Subscribe(ctx, chatTopic)
	if err != nil {
		return nil, err
	}
	defer sub.Close()
	go func() {
		for m := range sub.C() {
			sctx, cancel := context.WithTimeout(ctx, chatSendTimeout)
			err := sock.SendStr(sctx, string(m.Data))
			cancel()
			if err != nil {
				sock.Close(context.Background(), websocket.CloseGoingAway, "too slow")
				return
			}
		}
	}()
	for msg := range sock.Messages(ctx) {
		if msg.Type == websocket.MessageText {
			if err := c.hub.Publish(ctx, chatTopic, msg.Data); err != nil {
				return ws, err
			}
		}
	}
	return ws, nil
}

// post says the request body in the chat: 204, or 413 past 64 KiB.
func (c *chat) post(req *web.Request) (web.Response, error) {
	req.SetClientMaxSize(maxChatMessage)
	body, err := req.Bytes()
	if err != nil {
		return nil, err
	}
	if err := c.hub.Publish(req.Context(), chatTopic, body); err != nil {
		return nil, err
	}
	return web.NewResponse(204), nil
}

// events streams the chat as Server-Sent Events, one "data:" event a
// message, from the moment the client connects.
func (c *chat) events(req *web.Request) (web.Response, error) {
	sub, err := c.hub.Subscribe(req.Context(), chatTopic)
	if err != nil {
		return nil, err
	}
	defer sub.Close()
	es := web.NewEventSourceResponse(web.EventSourceOptions{})
	if err := es.Prepare(req); err != nil {
		return nil, err
	}
	for {
		m, err := sub.Receive(es.Context())
		if err != nil {
			return es, nil // the client left or the server is shutting down
		}
		if err := es.SendEvent(sse.Event{Data: string(m.Data)}); err != nil {
			return es, nil
		}
	}
}
