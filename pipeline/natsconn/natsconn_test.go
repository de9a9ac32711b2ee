package natsconn_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wiredesk/wiredesk/internal/testkit"

	"github.com/google/go-cmp/cmp"

	"github.com/wiredesk/wiredesk/pipeline/natsconn"
	"github.com/wiredesk/wiredesk/pipeline/natsconn/natstest"
)

// fakeEnv returns a getenv that reads from env.
func fakeEnv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestPrecedence(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want natsconn.Config
	}{
		{
			name: "defaults",
			want: natsconn.Config{URL: natsconn.DefaultURL},
		},
		{
			name: "environment",
			env: map[string]string{
				"NATS_URL": "nats://a:4222", "NATS_USER": "u", "NATS_PASSWORD": "p", "NATS_TOKEN": "t",
				"NATS_CREDS": "c.creds", "NATS_NKEY": "seed.nk", "NATS_CERT": "c.pem", "NATS_KEY": "k.pem", "NATS_CA": "ca.pem",
			},
			want: natsconn.Config{
				URL: "nats://a:4222", User: "u", Password: "p", Token: "t", Creds: "c.creds",
				NKeySeedFile: "seed.nk", TLSCert: "c.pem", TLSKey: "k.pem", TLSCA: "ca.pem",
			},
		},
		{
			name: "flags win over environment",
			env:  map[string]string{"NATS_URL": "nats://env:4222", "NATS_USER": "envuser", "NATS_TOKEN": "envtoken"},
			args: []string{"-nats-url", "nats://flag:4222", "-nats-user", "flaguser", "-nats-password", "fp", "-tls-ca", "ca.pem"},
			want: natsconn.Config{URL: "nats://flag:4222", User: "flaguser", Password: "fp", Token: "envtoken", TLSCA: "ca.pem"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c natsconn.Config
			c.FromEnv(fakeEnv(tc.env))
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			c.RegisterFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatalf("Parse(%q) = %v", tc.args, err)
			}
			if diff := cmp.Diff(tc.want, c); diff != "" {
				t.Errorf("config mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		c       natsconn.Config
		wantErr bool
	}{
		{name: "zero", c: natsconn.Config{}},
		{name: "user and password with mutual tls", c: natsconn.Config{User: "u", Password: "p", TLSCert: "c", TLSKey: "k", TLSCA: "ca"}},
		{name: "token", c: natsconn.Config{Token: "t"}},
		{name: "cert without key", c: natsconn.Config{TLSCert: "c"}, wantErr: true},
		{name: "key without cert", c: natsconn.Config{TLSKey: "k"}, wantErr: true},
		{name: "password without user", c: natsconn.Config{Password: "p"}, wantErr: true},
		{name: "token and creds", c: natsconn.Config{Token: "t", Creds: "c"}, wantErr: true},
		{name: "user and nkey", c: natsconn.Config{User: "u", NKeySeedFile: "n"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if tc.wantErr != (err != nil) {
				t.Fatalf("Validate() = %v, want error: %t", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, natsconn.ErrInvalidConfig) {
				t.Errorf("Validate() = %v, want it to wrap %v", err, natsconn.ErrInvalidConfig)
			}
			if _, oerr := tc.c.Options(); (oerr != nil) != (err != nil) {
				t.Errorf("Options() = %v, want the error of Validate() = %v", oerr, err)
			}
		})
	}
}

func TestOptionsNKeySeed(t *testing.T) {
	_, err := natsconn.Config{NKeySeedFile: filepath.Join(t.TempDir(), "missing.nk")}.Options()
	if !errors.Is(err, natsconn.ErrInvalidConfig) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Options() = %v, want %v wrapping %v", err, natsconn.ErrInvalidConfig, os.ErrNotExist)
	}
}

// secrets is a Config full of secrets that must never be shown.
var secrets = natsconn.Config{
	URL:      "nats://urluser:urlpass@a:4222, tls://urltoken@b:4222",
	User:     "bob",
	Password: "hunter2",
	Token:    "s3cr3t-token",
	TLSCert:  "cert.pem",
	TLSKey:   "key.pem",
}

func assertNoSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{"urlpass", "urltoken", "hunter2", "s3cr3t-token"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s shows secret %q: %s", what, secret, s)
		}
	}
}

func TestRedacted(t *testing.T) {
	got := secrets.Redacted()
	assertNoSecrets(t, "Redacted()", got)
	want := "url=nats://REDACTED@a:4222,tls://REDACTED@b:4222 auth=user bob tls_cert=cert.pem"
	if got != want {
		t.Errorf("Redacted() = %q, want %q", got, want)
	}
}

func TestLogValue(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("start", "nats", secrets)
	assertNoSecrets(t, "log line", buf.String())
	if !strings.Contains(buf.String(), `"auth":"user bob"`) {
		t.Errorf("log line %s lacks the auth method", buf.String())
	}
}

func TestUsageHidesSecrets(t *testing.T) {
	c := secrets
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	c.RegisterFlags(fs)
	fs.PrintDefaults()
	assertNoSecrets(t, "usage", buf.String())
}

func TestConnect(t *testing.T) {
	url := natstest.StartServer(t)
	var logs lockedBuffer // the connection may log from its own goroutines
	nc, err := natsconn.Connect(testkit.Context(t, 10*time.Second), natsconn.Config{URL: url, Name: "test"}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("Connect() = %v", err)
	}
	if !nc.IsConnected() {
		t.Errorf("Connect() returned a connection that is not connected")
	}
	nc.Close()
	if !strings.Contains(logs.String(), "nats connected") {
		t.Errorf("logs %q lack the connection", logs.String())
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestConnectFails(t *testing.T) {
	// A port that was free a moment ago: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = natsconn.Connect(testkit.Context(t, 10*time.Second), natsconn.Config{URL: "nats://u:topsecret@" + addr}, nil)
	if err == nil {
		t.Fatal("Connect() = nil, want an error")
	}
	if strings.Contains(err.Error(), "topsecret") || !strings.Contains(err.Error(), addr) {
		t.Errorf("Connect() = %q, want the address without the password", err)
	}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := natsconn.Connect(cancelled, natsconn.Config{URL: "nats://" + addr}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Connect(cancelled) = %v, want %v", err, context.Canceled)
	}
}
