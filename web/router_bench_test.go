package web

import "testing"

// githubRouter returns a frozen router holding the GitHub API routes.
func githubRouter() *Router {
	rt := NewRouter()
	for _, r := range githubAPI {
		rt.Handle(r.method, r.path, nopHandler)
	}
	rt.freeze()
	return rt
}

func benchResolve(b *testing.B, rt *Router, method, path string) {
	b.Helper()
	var m MatchInfo
	if r, _ := rt.resolve(method, path, &m); r == nil {
		b.Fatalf("%s %s: no route", method, path)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.reset()
		rt.resolve(method, path, &m)
	}
}

// BenchmarkRouterStatic resolves a static route of the GitHub API.
func BenchmarkRouterStatic(b *testing.B) {
	benchResolve(b, githubRouter(), "GET", "/user/repos")
}

// BenchmarkRouterParam resolves a one-parameter route.
func BenchmarkRouterParam(b *testing.B) {
	rt := NewRouter()
	rt.Get("/user/{name}", nopHandler)
	rt.freeze()
	benchResolve(b, rt, "GET", "/user/gordon")
}

// BenchmarkRouterRegex resolves a {name:regex} route.
func BenchmarkRouterRegex(b *testing.B) {
	rt := NewRouter()
	rt.Get(`/articles/{id:\d+}`, nopHandler)
	rt.Get("/articles/{slug}/edit", nopHandler)
	rt.freeze()
	benchResolve(b, rt, "GET", "/articles/12345")
}

// BenchmarkRouterRegexTail resolves a catch-all {path:.*} route.
func BenchmarkRouterRegexTail(b *testing.B) {
	rt := NewRouter()
	rt.Get("/static/{path:.*}", nopHandler)
	rt.freeze()
	benchResolve(b, rt, "GET", "/static/css/site.css")
}

// BenchmarkRouterGitHubAPI resolves every GitHub API route once per
// iteration, as the Go routing benchmarks' GithubAll does.
func BenchmarkRouterGitHubAPI(b *testing.B) {
	rt := githubRouter()
	type request struct{ method, path string }
	reqs := make([]request, len(githubAPI))
	for i, r := range githubAPI {
		path, _ := githubRequestPath(r.path)
		reqs[i] = request{r.method, path}
	}
	var m MatchInfo
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range reqs {
			m.reset()
			if route, _ := rt.resolve(r.method, r.path, &m); route == nil {
				b.Fatalf("%s %s: no route", r.method, r.path)
			}
		}
	}
}

// BenchmarkRouterGitHubAPIParam resolves one parameterised GitHub API
// route (the routing benchmarks' GithubParam request).
func BenchmarkRouterGitHubAPIParam(b *testing.B) {
	benchResolve(b, githubRouter(), "GET", "/repos/julienschmidt/httprouter/stargazers")
}

// BenchmarkRouterGitHubAPIParam5 resolves the GitHub API route with the
// most parameters.
func BenchmarkRouterGitHubAPIParam5(b *testing.B) {
	benchResolve(b, githubRouter(), "GET", "/legacy/issues/search/julienschmidt/httprouter/open/router")
}

// BenchmarkRouterNotFound resolves a path no route matches.
func BenchmarkRouterNotFound(b *testing.B) {
	rt := githubRouter()
	var m MatchInfo
	b.ReportAllocs()
	for b.Loop() {
		rt.resolve("GET", "/repos/julienschmidt/httprouter/nothing/here", &m)
	}
}
