// Package aiotest tests applications of package web and code that uses
// the client, as pytest-aiohttp and aiohttp.test_utils do in Python: a
// [Server] serves an application on a free port of 127.0.0.1 for the
// length of a test, a [Client] is a session bound to it, and
// [NewMockedRequest] makes a request without a socket for unit tests of
// handlers and middlewares.
//
//	func TestHello(t *testing.T) {
//		client := aiotest.NewClient(t, newApp())
//		resp, err := client.Get(t.Context(), "/hello/John")
//		if err != nil {
//			t.Fatal(err)
//		}
//		defer resp.Close()
//		text, err := resp.Text()
//		...
//	}
//
// Everything made with a [testing.TB] (a *testing.T or *testing.B) is
// closed by a cleanup registered with it: servers shut down gracefully,
// within a bound, and clients close their connections, so that a test
// leaks no goroutine. Close may be called before, and more than once.
//
// # From pytest-aiohttp
//
//	pytest-aiohttp / aiohttp.test_utils        aiotest
//	---------------------------------------    ------------------------------------------
//	aiohttp_server(app), TestServer(app)        NewServer(t, app, opts...)
//	aiohttp_raw_server(handler), RawTestServer  NewRawServer(t, handler, opts...)
//	TestServer(app, scheme="https", ssl=ctx)    NewServer(t, app, WithTLS(cfg))
//	server.make_url("/path")                    srv.MakeURL("/path")
//	server.host, server.port                    srv.Host, srv.Port, srv.URL
//	aiohttp_client(app)                         NewClient(t, app, opts...)
//	aiohttp_client(server), TestClient(server)  srv.NewClient(opts...)
//	await client.get("/path", params=...)       client.Get(ctx, "/path", aiohttp.Params{...})
//	await client.ws_connect("/ws")              client.WSConnect(ctx, "/ws", aiohttp.WSOptions{})
//	client.session.cookie_jar                   client.CookieJar()
//	await client.close()                        client.Close() (or the test's cleanup)
//	make_mocked_request("GET", "/", headers=h)  NewMockedRequest("GET", "/", WithHeader(k, v))
//	  match_info=..., app=..., payload=...        WithMatchInfo, WithApp, WithBody...
//	  client_max_size=..., sslcontext=...         WithClientMaxSize, WithTLSState
//	await handler(req)                          resp, err := handler(req), or Serve(req, handler)
//	transport / writer mocks                    Recorder(req): status, header, body written
//	unused_port()                               UnusedPort(t)
//
// # Contexts
//
// A Client's methods take a context, as a Session's do: pass t.Context()
// or a context with a deadline. A mocked request's Context ends with
// the context of [WithContext], or when [Serve] ends the request.
package aiotest
