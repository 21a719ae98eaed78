package aiohttp_test

import (
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/aiohttp-go/aiohttp"
)

func ExampleNewCookieJar() {
	jar, _ := aiohttp.NewCookieJar(aiohttp.JarOptions{}) // no option that can fail
	login, _ := url.Parse("https://example.com/login")
	jar.UpdateCookies([]string{
		"session=abc123; Path=/; Secure; HttpOnly",
		"theme=dark; Domain=example.com; Max-Age=3600",
	}, login)

	for _, to := range []string{
		"https://example.com/account", // both
		"http://example.com/",         // not the Secure one
		"https://www.example.com/",    // only the domain cookie
	} {
		u, _ := url.Parse(to)
		fmt.Printf("%s: %q\n", to, jar.CookieHeader(u))
	}
	// Output:
	// https://example.com/account: "session=abc123; theme=dark"
	// http://example.com/: "theme=dark"
	// https://www.example.com/: "theme=dark"
}

func ExampleJarOptions() {
	// A development server on plain HTTP that sets Secure cookies.
	jar, err := aiohttp.NewCookieJar(aiohttp.JarOptions{
		TreatAsSecureOrigin: []string{"http://localhost:8080"},
	})
	if err != nil {
		log.Fatal(err)
	}
	dev, _ := url.Parse("http://localhost:8080/login")
	jar.UpdateCookies([]string{"sid=1; Secure; Path=/"}, dev)
	fmt.Println(jar.CookieHeader(dev))
	// Output: sid=1
}

func ExampleJar_Save() {
	dir, err := os.MkdirTemp("", "cookies")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "cookies.json")

	jar, _ := aiohttp.NewCookieJar(aiohttp.JarOptions{}) // no option that can fail
	u, _ := url.Parse("https://example.com/")
	jar.UpdateCookies([]string{"a=1; Max-Age=3600", "b=2"}, u)
	if err := jar.Save(file); err != nil {
		log.Fatal(err)
	}

	restored, _ := aiohttp.NewCookieJar(aiohttp.JarOptions{}) // no option that can fail
	if err := restored.Load(file); err != nil {
		log.Fatal(err)
	}
	fmt.Println(restored.CookieHeader(u))
	// Output: a=1; b=2
}

func ExampleJar_Clear() {
	jar, _ := aiohttp.NewCookieJar(aiohttp.JarOptions{}) // no option that can fail
	u, _ := url.Parse("https://example.com/")
	jar.UpdateCookies([]string{"keep=1", "tracking=2"}, u)
	jar.Clear(func(c *aiohttp.Cookie) bool { return c.Name == "tracking" })
	fmt.Println(jar.CookieHeader(u))
	// Output: keep=1
}

func ExampleParseSetCookie() {
	c, err := aiohttp.ParseSetCookie("id=a3fWa; Expires=Wed, 21-Oct-15 07:28:00 GMT; Secure; SameSite=lax")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Name, c.Value, c.Expires.Format(time.RFC3339), c.Secure, c.SameSite)
	// Output: id a3fWa 2015-10-21T07:28:00Z true Lax
}
