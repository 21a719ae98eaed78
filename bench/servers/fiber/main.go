// Command fiber serves the benchmark routes with gofiber/fiber v3 (on
// fasthttp), without the startup message or a logger middleware.
package main

import (
	"flag"
	"log"

	"github.com/gofiber/fiber/v3"
)

type message struct {
	Message string `json:"message"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	flag.Parse()

	app := fiber.New()
	app.Get("/", func(c fiber.Ctx) error {
		return c.SendString("Hello, World!")
	})
	app.Get("/json", func(c fiber.Ctx) error {
		return c.JSON(message{Message: "Hello, World!"})
	})
	app.Get("/user/:id", func(c fiber.Ctx) error {
		return c.SendString(c.Params("id"))
	})
	log.Fatal(app.Listen(*addr, fiber.ListenConfig{DisableStartupMessage: true}))
}
