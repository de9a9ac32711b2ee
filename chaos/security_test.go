package chaos

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// startSecureServer starts a single JetStream server with the
// authentication and TLS settings of opts and returns its client port.
func startSecureServer(t *testing.T, opts *server.Options) int {
	t.Helper()
	opts.ServerName = "secure"
	opts.Host = "127.0.0.1"
	opts.Port = server.RANDOM_PORT
	opts.JetStream = true
	opts.StoreDir = t.TempDir()
	opts.NoLog = true
	opts.NoSigs = true
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("server not ready after 10s")
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s.Addr().(*net.TCPAddr).Port
}

// pki is a test certificate authority with a server and a client
// certificate it signed, written as PEM files.
type pki struct {
	caFile, serverCert, serverKey, clientCert, clientKey string
	clientKeyPEM                                         string // the secret the logs must not show
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "wiredesk test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte) (string, string) {
		path := filepath.Join(dir, name)
		data := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path, string(data)
	}
	leaf := func(name string, serial int64, usage x509.ExtKeyUsage) (certFile, keyFile, keyPEM string) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: name},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		certFile, _ = write(name+".pem", "CERTIFICATE", der)
		keyFile, keyPEM = write(name+"-key.pem", "PRIVATE KEY", keyDER)
		return certFile, keyFile, keyPEM
	}
	var p pki
	p.caFile, _ = write("ca.pem", "CERTIFICATE", caDER)
	p.serverCert, p.serverKey, _ = leaf("server", 2, x509.ExtKeyUsageServerAuth)
	p.clientCert, p.clientKey, p.clientKeyPEM = leaf("client", 3, x509.ExtKeyUsageClientAuth)
	return p
}

// serverTLS requires clients to present a certificate signed by the CA.
func (p pki) serverTLS(t *testing.T) *tls.Config {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(p.serverCert, p.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(p.caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("bad CA PEM")
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
	}
}

// operatorMode returns server options trusting a new operator, with an
// account allowed to use JetStream, and a .creds file (user JWT and seed)
// of a user of that account, as nsc issues them; it also returns the
// user's seed, a secret.
func operatorMode(t *testing.T) (opts *server.Options, credsFile, userSeed string) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	op, err := nkeys.CreateOperator()
	must(err)
	opPub, err := op.PublicKey()
	must(err)
	opClaims := jwt.NewOperatorClaims(opPub)
	resolver := &server.MemAccResolver{}
	newAccount := func(js bool) (nkeys.KeyPair, string) {
		kp, err := nkeys.CreateAccount()
		must(err)
		pub, err := kp.PublicKey()
		must(err)
		ac := jwt.NewAccountClaims(pub)
		if js {
			ac.Limits.JetStreamLimits.DiskStorage = -1
			ac.Limits.JetStreamLimits.MemoryStorage = -1
		}
		token, err := ac.Encode(op)
		must(err)
		must(resolver.Store(pub, token))
		return kp, pub
	}
	_, sysPub := newAccount(false)
	acc, _ := newAccount(true)
	user, err := nkeys.CreateUser()
	must(err)
	userPub, err := user.PublicKey()
	must(err)
	userJWT, err := jwt.NewUserClaims(userPub).Encode(acc)
	must(err)
	seed, err := user.Seed()
	must(err)
	creds, err := jwt.FormatUserConfig(userJWT, seed)
	must(err)
	credsFile = filepath.Join(t.TempDir(), "user.creds")
	must(os.WriteFile(credsFile, creds, 0o600))
	return &server.Options{TrustedOperators: []*jwt.OperatorClaims{opClaims}, AccountResolver: resolver, SystemAccount: sysPub}, credsFile, string(seed)
}

// secret returns a random secret, easy to spot in logs.
func secret(prefix string) string { return prefix + "-" + rand.Text() }

// TestChaosSecurity starts a server requiring each kind of authentication
// and runs the worker against it with matching settings, given by flag or
// by the standard NATS_* variable, and with wrong ones: it must connect
// with the right settings, fail with the wrong ones, and never write a
// secret (password, token, nkey or creds seed, private key) to its logs.
// The kinds are user/password, token, nkey, a .creds file (operator mode)
// and TLS with a client certificate and a custom CA.
func TestChaosSecurity(t *testing.T) {
	const user = "wiredesk"
	password, token := secret("pw"), secret("tok")
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	seed, err := kp.Seed()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	other, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	otherSeed, err := other.Seed()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	seedFile, otherSeedFile := filepath.Join(dir, "user.nk"), filepath.Join(dir, "other.nk")
	for path, data := range map[string][]byte{seedFile: seed, otherSeedFile: otherSeed} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := newPKI(t)
	credsOpts, credsFile, credsSeed := operatorMode(t)
	secrets := []string{password, token, string(seed), string(otherSeed), credsSeed, p.clientKeyPEM, strings.Split(p.clientKeyPEM, "\n")[1]}

	passwordPort := startSecureServer(t, &server.Options{Username: user, Password: password})
	tokenPort := startSecureServer(t, &server.Options{Authorization: token})
	nkeyPort := startSecureServer(t, &server.Options{Nkeys: []*server.NkeyUser{{Nkey: pub}}})
	credsPort := startSecureServer(t, credsOpts)
	tlsPort := startSecureServer(t, &server.Options{TLS: true, TLSVerify: true, TLSConfig: p.serverTLS(t)})
	natsURL := func(port int) string { return fmt.Sprintf("nats://127.0.0.1:%d", port) }
	tlsURL := fmt.Sprintf("tls://127.0.0.1:%d", tlsPort)

	tests := []struct {
		name    string
		args    []string
		env     []string
		connect bool
	}{
		{name: "password flags", args: []string{"-nats-url", natsURL(passwordPort), "-nats-user", user, "-nats-password", password}, connect: true},
		{name: "password env", env: []string{"NATS_URL=" + natsURL(passwordPort), "NATS_USER=" + user, "NATS_PASSWORD=" + password}, connect: true},
		{name: "password in url", args: []string{"-nats-url", fmt.Sprintf("nats://%s:%s@127.0.0.1:%d", user, password, passwordPort)}, connect: true},
		{name: "wrong password", args: []string{"-nats-url", natsURL(passwordPort), "-nats-user", user, "-nats-password", token}},
		{name: "token flag", args: []string{"-nats-url", natsURL(tokenPort), "-nats-token", token}, connect: true},
		{name: "token env", env: []string{"NATS_URL=" + natsURL(tokenPort), "NATS_TOKEN=" + token}, connect: true},
		{name: "wrong token", args: []string{"-nats-url", natsURL(tokenPort), "-nats-token", password}},
		{name: "nkey flag", args: []string{"-nats-url", natsURL(nkeyPort), "-nats-nkey", seedFile}, connect: true},
		{name: "nkey env", env: []string{"NATS_URL=" + natsURL(nkeyPort), "NATS_NKEY=" + seedFile}, connect: true},
		{name: "unknown nkey", args: []string{"-nats-url", natsURL(nkeyPort), "-nats-nkey", otherSeedFile}},
		{name: "creds flag", args: []string{"-nats-url", natsURL(credsPort), "-nats-creds", credsFile}, connect: true},
		{name: "creds env", env: []string{"NATS_URL=" + natsURL(credsPort), "NATS_CREDS=" + credsFile}, connect: true},
		{name: "nkey seed where creds are needed", args: []string{"-nats-url", natsURL(credsPort), "-nats-nkey", seedFile}},
		{name: "tls flags", args: []string{"-nats-url", tlsURL, "-tls-cert", p.clientCert, "-tls-key", p.clientKey, "-tls-ca", p.caFile}, connect: true},
		{name: "tls env", env: []string{"NATS_URL=" + tlsURL, "NATS_CERT=" + p.clientCert, "NATS_KEY=" + p.clientKey, "NATS_CA=" + p.caFile}, connect: true},
		{name: "tls without client certificate", args: []string{"-nats-url", tlsURL, "-tls-ca", p.caFile}},
		{name: "tls without the CA", args: []string{"-nats-url", tlsURL, "-tls-cert", p.clientCert, "-tls-key", p.clientKey}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"-log-format", "json", "-log-level", "debug", "-metrics-addr", ""}, tc.args...)
			w := startProc(t, "worker", args, workerEnv(tc.env...))
			if tc.connect {
				w.waitLog(t, time.Minute, "consuming")
				w.stop(t, 30*time.Second)
			} else {
				select {
				case <-w.done:
				case <-time.After(time.Minute):
					t.Fatal("worker still running a minute after being given wrong credentials")
				}
				if w.err == nil {
					t.Error("worker exited cleanly with wrong credentials, want an error")
				}
			}
			logs := w.logs.String()
			for _, s := range secrets {
				if strings.Contains(logs, s) {
					t.Errorf("logs contain the secret %.12q…:\n%s", s, logs)
				}
			}
		})
	}
}
