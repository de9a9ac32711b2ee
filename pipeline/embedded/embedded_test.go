package embedded

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestStartKeepsStoreAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	s, err := Start(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "t.a", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if got := nc.MaxPayload(); got != DefaultMaxPayload {
		t.Errorf("MaxPayload() = %d, want %d", got, DefaultMaxPayload)
	}
	nc.Close()
	s.Stop()

	s, err = Start(Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	nc, err = nats.Connect(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ = jetstream.New(nc)
	st, err := js.Stream(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("messages after restart = %d, want 1", info.State.Msgs)
	}
}

func TestStartRejectsBadAddress(t *testing.T) {
	if _, err := Start(Config{Listen: "nonsense", DataDir: t.TempDir()}); err == nil {
		t.Fatal("Start with a bad address succeeded")
	}
}
