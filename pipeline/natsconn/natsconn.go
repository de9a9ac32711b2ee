package natsconn

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/lmittmann/tint"
	"github.com/nats-io/nats.go"
)

// DefaultURL is the server a zero [Config] connects to.
const DefaultURL = nats.DefaultURL

// reconnectWait spaces reconnection attempts; nats.go's default.
const reconnectWait = 2 * time.Second

// ErrInvalidConfig is wrapped by [Config.Validate] and [Config.Options] for
// settings that cannot work together.
var ErrInvalidConfig = errors.New("invalid nats config")

// Config is how to reach and authenticate to NATS. The zero value connects
// to [DefaultURL] without authentication.
type Config struct {
	// URL is one server URL or a comma-separated list; empty means
	// [DefaultURL].
	URL string
	// User and Password authenticate with user/password.
	User, Password string
	// Token authenticates with a token.
	Token string
	// Creds is a credentials file (JWT and nkey seed), as issued by nsc.
	Creds string
	// NKeySeedFile is a file holding an nkey seed.
	NKeySeedFile string
	// TLSCert and TLSKey are a client certificate and its key, for mutual
	// TLS; TLSCA is a CA bundle to verify the server with.
	TLSCert, TLSKey, TLSCA string
	// Name is the connection name shown by the server's monitoring.
	Name string
}

// FromEnv sets the fields whose NATS ecosystem variable is set: NATS_URL,
// NATS_USER, NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_NKEY (a seed file),
// NATS_CERT, NATS_KEY and NATS_CA. Fields whose variable is unset or empty
// keep their value.
func (c *Config) FromEnv(getenv func(string) string) {
	for name, field := range c.fields() {
		if v := getenv(name); v != "" {
			*field = v
		}
	}
}

// fields maps each ecosystem variable name to the field it sets.
func (c *Config) fields() map[string]*string {
	return map[string]*string{
		"NATS_URL":      &c.URL,
		"NATS_USER":     &c.User,
		"NATS_PASSWORD": &c.Password,
		"NATS_TOKEN":    &c.Token,
		"NATS_CREDS":    &c.Creds,
		"NATS_NKEY":     &c.NKeySeedFile,
		"NATS_CERT":     &c.TLSCert,
		"NATS_KEY":      &c.TLSKey,
		"NATS_CA":       &c.TLSCA,
	}
}

// RegisterFlags defines -nats-url, -nats-user, -nats-password, -nats-token,
// -nats-creds, -nats-nkey, -tls-cert, -tls-key and -tls-ca on fs, with the
// Config's current values as defaults (so call [Config.FromEnv] first).
// Secret defaults are not shown in the usage text.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	if c.URL == "" {
		c.URL = DefaultURL
	}
	fs.Var(filtered{&c.URL, redactedURL}, "nats-url", "NATS server URL(s), comma-separated (env NATS_URL)")
	fs.StringVar(&c.User, "nats-user", c.User, "NATS user (env NATS_USER)")
	fs.Var(filtered{&c.Password, redacted}, "nats-password", "NATS password (env NATS_PASSWORD)")
	fs.Var(filtered{&c.Token, redacted}, "nats-token", "NATS token (env NATS_TOKEN)")
	fs.StringVar(&c.Creds, "nats-creds", c.Creds, "NATS credentials file (env NATS_CREDS)")
	fs.StringVar(&c.NKeySeedFile, "nats-nkey", c.NKeySeedFile, "NATS nkey seed file (env NATS_NKEY)")
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "TLS client certificate file (env NATS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "TLS client key file (env NATS_KEY)")
	fs.StringVar(&c.TLSCA, "tls-ca", c.TLSCA, "TLS CA bundle to verify the server (env NATS_CA)")
}

// filtered is a string flag shown through show, so that the usage text
// (which prints the default, possibly from the environment) and anything
// else that prints the flag never shows a secret.
type filtered struct {
	p    *string
	show func(string) string
}

func (f filtered) String() string {
	if f.p == nil {
		return ""
	}
	return f.show(*f.p)
}

func (f filtered) Set(v string) error {
	*f.p = v
	return nil
}

// redacted hides a secret, but tells whether it is set.
func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// Validate reports settings that cannot work together: a TLS certificate
// without its key (or the reverse), a password without a user, or more than
// one of user/password, token, credentials file and nkey seed. The error
// wraps [ErrInvalidConfig].
func (c Config) Validate() error {
	var errs []error
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("tls cert and tls key must be set together"))
	}
	if c.Password != "" && c.User == "" {
		errs = append(errs, errors.New("nats password set without a user"))
	}
	methods := 0
	for _, set := range []bool{c.User != "", c.Token != "", c.Creds != "", c.NKeySeedFile != ""} {
		if set {
			methods++
		}
	}
	if methods > 1 {
		errs = append(errs, errors.New("set only one of nats user, token, creds and nkey"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

// Options returns the nats.go options for the Config: name, authentication,
// TLS and unlimited reconnects. It returns an error wrapping
// [ErrInvalidConfig] when [Config.Validate] fails, or when the nkey seed
// file cannot be read.
func (c Config) Options() ([]nats.Option, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	opts := []nats.Option{
		nats.MaxReconnects(-1),
		nats.ReconnectWait(reconnectWait),
	}
	if c.Name != "" {
		opts = append(opts, nats.Name(c.Name))
	}
	switch {
	case c.User != "":
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	case c.Token != "":
		opts = append(opts, nats.Token(c.Token))
	case c.Creds != "":
		opts = append(opts, nats.UserCredentials(c.Creds))
	case c.NKeySeedFile != "":
		opt, err := nats.NkeyOptionFromSeed(c.NKeySeedFile)
		if err != nil {
			return nil, fmt.Errorf("%w: read nkey seed %s: %w", ErrInvalidConfig, c.NKeySeedFile, err)
		}
		opts = append(opts, opt)
	}
	if c.TLSCert != "" {
		opts = append(opts, nats.ClientCert(c.TLSCert, c.TLSKey))
	}
	if c.TLSCA != "" {
		opts = append(opts, nats.RootCAs(c.TLSCA))
	}
	return opts, nil
}

// url returns the server URL(s), [DefaultURL] when unset.
func (c Config) url() string {
	if c.URL == "" {
		return DefaultURL
	}
	return c.URL
}

// redactedURL removes the user info (which may hold a password or a token)
// from each URL of a comma-separated list.
func redactedURL(list string) string {
	parts := strings.Split(list, ",")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if u, err := url.Parse(p); err == nil && u.User != nil {
			u.User = url.User("REDACTED")
			p = u.String()
		} else if err != nil && strings.Contains(p, "@") {
			p = "REDACTED"
		}
		parts[i] = p
	}
	return strings.Join(parts, ",")
}

// auth names the authentication method, without secrets.
func (c Config) auth() string {
	switch {
	case c.User != "":
		return "user " + c.User
	case c.Token != "":
		return "token"
	case c.Creds != "":
		return "creds " + c.Creds
	case c.NKeySeedFile != "":
		return "nkey " + c.NKeySeedFile
	}
	return "none"
}

// Redacted describes the Config in one line, without passwords, tokens or
// URL user info, for logs and error messages.
func (c Config) Redacted() string {
	s := "url=" + redactedURL(c.url()) + " auth=" + c.auth()
	if c.TLSCert != "" {
		s += " tls_cert=" + c.TLSCert
	}
	if c.TLSCA != "" {
		s += " tls_ca=" + c.TLSCA
	}
	return s
}

// LogValue implements slog.LogValuer, so logging a Config never logs its
// secrets.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("url", redactedURL(c.url())),
		slog.String("auth", c.auth()),
	}
	if c.TLSCert != "" {
		attrs = append(attrs, slog.String("tls_cert", c.TLSCert), slog.String("tls_key", c.TLSKey))
	}
	if c.TLSCA != "" {
		attrs = append(attrs, slog.String("tls_ca", c.TLSCA))
	}
	if c.Name != "" {
		attrs = append(attrs, slog.String("name", c.Name))
	}
	return slog.GroupValue(attrs...)
}

// Connect connects to NATS with the Config's options and handlers that log
// connection events to logger (nil discards them). It gives up when ctx is
// done or its deadline passes, and returns an error wrapping
// [ErrInvalidConfig] for a bad Config, or the connection error (naming the
// redacted server URL) when no server can be reached.
func Connect(ctx context.Context, c Config, logger *slog.Logger) (*nats.Conn, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "nats")
	opts, err := c.Options()
	if err != nil {
		return nil, err
	}
	opts = append(opts,
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				logger.Warn("nats disconnected", tint.Err(err))
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			logger.Info("nats reconnected", "url", redactedURL(nc.ConnectedUrlRedacted()))
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			logger.Warn("nats async error", "subject", subject, tint.Err(err))
		}),
	)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < nats.DefaultTimeout {
		opts = append(opts, nats.Timeout(max(time.Until(deadline), time.Millisecond)))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nc, err := nats.Connect(c.url(), opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to nats %s: %w", redactedURL(c.url()), err)
	}
	if err := ctx.Err(); err != nil {
		nc.Close()
		return nil, err
	}
	logger.Info("nats connected", "url", redactedURL(nc.ConnectedUrlRedacted()), "server_id", nc.ConnectedServerId())
	return nc, nil
}
