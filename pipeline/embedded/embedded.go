// Package embedded runs an in-process NATS server with JetStream, the
// default broker of a worker started without a NATS URL and the broker of
// the tests.
//
// The server listens on a real TCP address (loopback by default) so the
// publisher and the nats CLI can connect to it, and keeps its JetStream
// store in a folder on disk, so a restarted worker finds its streams,
// consumer position and outputs again. It is a single node with no
// authentication: for production, run a nats-server cluster and give the
// worker its URL.
package embedded

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// DefaultMaxPayload is the largest message the embedded server accepts:
// 16 MiB, above the worker's default article limit so that an oversized
// article reaches the worker and is dead-lettered with a reason instead of
// being refused at publish time with no trace.
const DefaultMaxPayload = 16 << 20

// Config configures the embedded server. The zero value listens on
// 127.0.0.1 on a random port and keeps its store in ./wiredesk-data.
type Config struct {
	// Listen is host:port; port 0 (or -1) picks a free port.
	Listen string
	// DataDir holds the JetStream store.
	DataDir string
	// MaxPayload is the largest message in bytes; zero means DefaultMaxPayload.
	MaxPayload int32
	// ServerName names the node in logs and advisories.
	ServerName string
}

// Server is a running embedded server.
type Server struct {
	*server.Server
}

// Start starts the server and waits until it accepts connections. It
// returns an error if the address is taken or the store cannot be opened.
func Start(cfg Config) (*Server, error) {
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "wiredesk-data"
	}
	if cfg.MaxPayload == 0 {
		cfg.MaxPayload = DefaultMaxPayload
	}
	if cfg.ServerName == "" {
		cfg.ServerName = "wiredesk-embedded"
	}
	host, portStr, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("parse listen address %q: %w", cfg.Listen, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil, fmt.Errorf("parse listen port %q: %w", portStr, err)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("resolve data dir: %w", err)
	}
	opts := &server.Options{
		ServerName: cfg.ServerName,
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   dir,
		MaxPayload: cfg.MaxPayload,
		// The server's own logging stays off: the worker logs what matters.
		NoLog:  true,
		NoSigs: true,
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("create embedded server: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("embedded server not ready after 10s (is the address in use?)")
	}
	return &Server{Server: ns}, nil
}

// URL is the client URL of the server.
func (s *Server) URL() string { return s.ClientURL() }

// Stop shuts the server down and waits until it has.
func (s *Server) Stop() {
	s.Shutdown()
	s.WaitForShutdown()
}
