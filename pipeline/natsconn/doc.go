// Package natsconn turns NATS connection settings (server URLs,
// credentials, TLS files) into nats.go options and a logged connection, for
// every wiredesk command.
//
// # Configuration
//
// [Config] holds the settings; its zero value connects to
// [DefaultURL] without authentication. Precedence is flag > environment >
// default: call [Config.FromEnv] (the NATS ecosystem's variables, such as
// NATS_URL and NATS_CREDS) before [Config.RegisterFlags], whose defaults are
// the values already in the Config, then parse the flags.
//
// # Secrets
//
// Passwords, tokens and the user info of URLs never appear in
// [Config.Redacted] or in the slog value of a Config ([Config.LogValue]),
// so the effective configuration can be logged at start-up. Credentials,
// nkey seed and TLS files are referred to by path only.
//
// # Connection
//
// [Connect] reconnects forever (the worker and publisher should ride out a
// server restart) and logs disconnections and asynchronous errors at Warn
// and reconnections at Info. It does not log the close: the caller closes
// the connection and logs its own shutdown, and a log line from nats.go's
// callback goroutine could come after the caller has returned.
package natsconn
