// Command gin serves the benchmark routes with gin-gonic/gin in release mode,
// without the default logger and recovery middlewares.
package main

import (
	"flag"
	"log"
	"net/http"

	"github.com/gin-gonic/gin"
)

type message struct {
	Message string `json:"message"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	flag.Parse()

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/", func(c *gin.Context) {
		c.String(http.StatusOK, "Hello, World!")
	})
	r.GET("/json", func(c *gin.Context) {
		c.JSON(http.StatusOK, message{Message: "Hello, World!"})
	})
	r.GET("/user/:id", func(c *gin.Context) {
		c.String(http.StatusOK, c.Param("id"))
	})
	log.Fatal(r.Run(*addr))
}
