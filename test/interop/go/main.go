// ce-go sends and receives CloudEvents with the official Go SDK (github.com/cloudevents/sdk-go/v2)
// the way an application does: events built with its setters, sent and received by its HTTP
// client. The interop tests drive it; scripts/interop/install.sh builds it.
//
//	ce-go send -target URL -mode binary|structured < events.json
//	  sends each event spec of the JSON array, printing one JSON line per result
//	ce-go receive -reply-type T -reply-subject S -reply-ext name=value
//	  prints {"port":N}, then one JSON line per event received, answering each with a reply event
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/protocol"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
	"github.com/cloudevents/sdk-go/v2/types"
)

// spec is an event as the tests describe it; data is JSON unless datacontenttype says otherwise,
// then it is the text of the body.
type spec struct {
	ID              string            `json:"id"`
	Source          string            `json:"source"`
	Type            string            `json:"type"`
	Subject         string            `json:"subject,omitempty"`
	Time            string            `json:"time,omitempty"`
	DataSchema      string            `json:"dataschema,omitempty"`
	DataContentType string            `json:"datacontenttype"`
	Extensions      map[string]string `json:"extensions,omitempty"`
	Data            json.RawMessage   `json:"data,omitempty"`
}

// record is what the SDK read from a request: every attribute as the SDK formats it to a string.
type record struct {
	Attributes map[string]string `json:"attributes"`
	Data       string            `json:"data"`
}

func build(s spec) (event.Event, error) {
	e := cloudevents.NewEvent()
	e.SetID(s.ID)
	e.SetSource(s.Source)
	e.SetType(s.Type)
	if s.Subject != "" {
		e.SetSubject(s.Subject)
	}
	if s.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, s.Time)
		if err != nil {
			return e, fmt.Errorf("time %q: %w", s.Time, err)
		}
		e.SetTime(t)
	}
	if s.DataSchema != "" {
		e.SetDataSchema(s.DataSchema)
	}
	for name, value := range s.Extensions {
		e.SetExtension(name, value)
	}
	if strings.Contains(s.DataContentType, "json") {
		return e, e.SetData(s.DataContentType, s.Data)
	}
	var text string
	if err := json.Unmarshal(s.Data, &text); err != nil {
		return e, fmt.Errorf("data of a %s event must be a JSON string: %w", s.DataContentType, err)
	}
	return e, e.SetData(s.DataContentType, []byte(text))
}

func recordOf(e event.Event) record {
	attributes := map[string]string{
		"specversion": e.SpecVersion(),
		"id":          e.ID(),
		"source":      e.Source(),
		"type":        e.Type(),
	}
	optional := map[string]string{
		"subject":         e.Subject(),
		"dataschema":      e.DataSchema(),
		"datacontenttype": e.DataContentType(),
	}
	if !e.Time().IsZero() {
		optional["time"] = e.Time().UTC().Format(time.RFC3339Nano)
	}
	for name, value := range optional {
		if value != "" {
			attributes[name] = value
		}
	}
	for name, value := range e.Extensions() {
		formatted, err := types.Format(value)
		if err != nil {
			formatted = fmt.Sprint(value)
		}
		attributes[name] = formatted
	}
	return record{Attributes: attributes, Data: string(e.Data())}
}

func send(target, mode, token string) error {
	var specs []spec
	if err := json.NewDecoder(os.Stdin).Decode(&specs); err != nil {
		return fmt.Errorf("reading event specs from stdin: %w", err)
	}
	var options []cehttp.Option
	if token != "" {
		// The sender's identity, as a Knative source sends its OIDC token.
		options = append(options, cehttp.WithHeader("Authorization", "Bearer "+token))
	}
	client, err := cloudevents.NewClientHTTP(options...)
	if err != nil {
		return err
	}
	ctx := cloudevents.ContextWithTarget(context.Background(), target)
	switch mode {
	case "binary":
		ctx = cloudevents.WithEncodingBinary(ctx)
	case "structured":
		ctx = cloudevents.WithEncodingStructured(ctx)
	default:
		return fmt.Errorf("-mode must be binary or structured, not %q", mode)
	}
	out := json.NewEncoder(os.Stdout)
	for _, s := range specs {
		e, err := build(s)
		if err != nil {
			return err
		}
		result := client.Send(ctx, e)
		status := 0
		var httpResult *cehttp.Result
		if cloudevents.ResultAs(result, &httpResult) {
			status = httpResult.StatusCode
		}
		if err := out.Encode(map[string]any{
			"id":     s.ID,
			"status": status,
			"acked":  cloudevents.IsACK(result),
			"result": fmt.Sprint(result),
		}); err != nil {
			return err
		}
	}
	return nil
}

func receive(replyType, replySubject string, replyExtensions map[string]string) error {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	client, err := cloudevents.NewClientHTTP(cehttp.WithListener(listener))
	if err != nil {
		return err
	}
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(map[string]int{"port": listener.Addr().(*net.TCPAddr).Port}); err != nil {
		return err
	}
	return client.StartReceiver(context.Background(), func(e event.Event) (*event.Event, protocol.Result) {
		if err := out.Encode(recordOf(e)); err != nil {
			return nil, err
		}
		reply := cloudevents.NewEvent()
		reply.SetID("reply-" + e.ID())
		reply.SetSource("/interop/go-receiver")
		reply.SetType(replyType)
		reply.SetSubject(replySubject)
		for name, value := range replyExtensions {
			reply.SetExtension(name, value)
		}
		if err := reply.SetData(cloudevents.ApplicationJSON, map[string]string{"inReplyTo": e.ID()}); err != nil {
			return nil, err
		}
		return &reply, nil
	})
}

type extensionFlags map[string]string

func (f extensionFlags) String() string { return fmt.Sprint(map[string]string(f)) }

func (f extensionFlags) Set(value string) error {
	name, v, ok := strings.Cut(value, "=")
	if !ok {
		return fmt.Errorf("-reply-ext must be name=value, not %q", value)
	}
	f[name] = v
	return nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: ce-go send|receive [flags]")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	var err error
	switch os.Args[1] {
	case "send":
		target := flags.String("target", "", "the URL to send to")
		mode := flags.String("mode", "binary", "binary or structured")
		token := flags.String("token", "", "sent as Authorization: Bearer <token>, the sender's identity")
		_ = flags.Parse(os.Args[2:])
		err = send(*target, *mode, *token)
	case "receive":
		replyType := flags.String("reply-type", "", "the type of the reply to each event")
		replySubject := flags.String("reply-subject", "", "the subject of the reply")
		extensions := extensionFlags{}
		flags.Var(extensions, "reply-ext", "an extension of the reply, name=value (repeatable)")
		_ = flags.Parse(os.Args[2:])
		err = receive(*replyType, *replySubject, extensions)
	default:
		err = fmt.Errorf("unknown command %q: send or receive", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ce-go:", err)
		os.Exit(1)
	}
}
