"""Sends and receives CloudEvents with the official Python SDK (`cloudevents` on PyPI) the way an
application does: events built as SDK CloudEvents, put on the wire by the SDK's HTTP binding and
posted with requests; received with the standard library's HTTP server and read by the SDK.
`--api core` is the SDK's current API (cloudevents.core); `--api v1` the one 1.x applications
were written against (cloudevents.v1, formerly cloudevents.http), kept by the SDK.
The interop tests drive it; scripts/interop/install.sh creates its virtual environment.

  ce_py.py send --api A --target URL --mode binary|structured < events.json
    sends each event spec of the JSON array, printing one JSON line per result
  ce_py.py receive --api A --reply-type T --reply-subject S [--reply-ext name=value]...
                   [--reply-mode M]
    prints {"port": N}, then one JSON line per event received, answering each with a reply event
"""

import argparse
import json
import sys
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from cloudevents.core.bindings.http import (
    HTTPMessage,
    from_http_event,
    to_binary_event,
    to_structured_event,
)
from cloudevents.core.v1.event import CloudEvent
from cloudevents.v1 import conversion as v1_conversion
from cloudevents.v1 import http as v1_http

WRITERS = {"binary": to_binary_event, "structured": to_structured_event}
V1_WRITERS = {"binary": v1_conversion.to_binary, "structured": v1_conversion.to_structured}


class CoreApi:
    """cloudevents.core: attributes percent-encoded and decoded as the HTTP binding specifies."""

    @staticmethod
    def build(attributes, data):
        if "time" in attributes:
            attributes["time"] = datetime.fromisoformat(attributes["time"].replace("Z", "+00:00"))
        return CloudEvent(attributes=attributes, data=data)

    @staticmethod
    def write(event, mode):
        message = WRITERS[mode](event)
        return message.headers, message.body

    @staticmethod
    def read(headers, body):
        event = from_http_event(HTTPMessage(headers=headers, body=body))
        return event.get_id(), event.get_attributes(), event.get_data()


class V1Api:
    """cloudevents.v1: header values written and read as they are, text data given as bytes."""

    @staticmethod
    def build(attributes, data):
        if isinstance(data, str) and "json" not in attributes.get("datacontenttype", ""):
            data = data.encode("utf-8")
        return v1_http.CloudEvent(attributes, data)

    @staticmethod
    def write(event, mode):
        return V1_WRITERS[mode](event)

    @staticmethod
    def read(headers, body):
        event = v1_http.from_http(headers, body)
        return event["id"], event.get_attributes(), event.get_data()


APIS = {"core": CoreApi, "v1": V1Api}


def build(api, spec):
    """An SDK event from a test's spec: its attributes, its extensions, and its data (JSON unless
    the datacontenttype says otherwise, then the text of the body)."""
    attributes = {
        name: spec[name]
        for name in ("id", "source", "type", "subject", "time", "dataschema", "datacontenttype")
        if name in spec
    }
    attributes.update(spec.get("extensions", {}))
    return api.build(attributes, spec.get("data"))


def send(api, target, mode, token):
    session = requests.Session()
    if token:
        # The sender's identity, as a Knative source sends its OIDC token.
        session.headers["Authorization"] = f"Bearer {token}"
    for spec in json.load(sys.stdin):
        headers, body = api.write(build(api, spec), mode)
        response = session.post(target, headers=headers, data=body, timeout=30)
        print(json.dumps({"id": spec["id"], "status": response.status_code}), flush=True)


def record_of(attributes_read, data):
    """Every attribute as the SDK read it, formatted to a string; data as its text."""
    attributes = {}
    for name, value in attributes_read.items():
        if isinstance(value, datetime):
            value = value.isoformat().replace("+00:00", "Z")
        attributes[name] = str(value)
    if isinstance(data, (dict, list)):
        data = json.dumps(data, ensure_ascii=False)
    elif isinstance(data, (bytes, bytearray)):
        data = data.decode("utf-8")
    return {"attributes": attributes, "data": data or ""}


def receive(api, reply_type, reply_subject, reply_extensions, reply_mode):
    # The server answers each request on a thread of its own; print writes a line and its end
    # apart, so two threads at once could share a line.
    printing = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            event_id, attributes, data = api.read(dict(self.headers.items()), body)
            with printing:
                print(json.dumps(record_of(attributes, data), ensure_ascii=False), flush=True)
            reply = api.build(
                {
                    "id": f"reply-{event_id}",
                    "source": "/interop/python-receiver",
                    "type": reply_type,
                    "subject": reply_subject,
                    "datacontenttype": "application/json",
                    **reply_extensions,
                },
                {"inReplyTo": event_id},
            )
            headers, reply_body = api.write(reply, reply_mode)
            if isinstance(reply_body, str):
                reply_body = reply_body.encode("utf-8")
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(reply_body)))
            self.end_headers()
            self.wfile.write(reply_body)

        def log_message(self, format, *args):
            """Quiet: stdout carries the records, one JSON line each."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()


def extension(value):
    name, sep, text = value.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"--reply-ext must be name=value, not {value!r}")
    return name, text


def main():
    parser = argparse.ArgumentParser(prog="ce_py.py")
    commands = parser.add_subparsers(dest="command", required=True)
    sender = commands.add_parser("send")
    sender.add_argument("--api", choices=sorted(APIS), default="core")
    sender.add_argument("--target", required=True)
    sender.add_argument("--mode", choices=sorted(WRITERS), default="binary")
    sender.add_argument("--token", help="sent as Authorization: Bearer <token>, the sender's identity")
    receiver = commands.add_parser("receive")
    receiver.add_argument("--api", choices=sorted(APIS), default="core")
    receiver.add_argument("--reply-type", required=True)
    receiver.add_argument("--reply-subject", required=True)
    receiver.add_argument("--reply-ext", type=extension, action="append", default=[])
    receiver.add_argument("--reply-mode", choices=sorted(WRITERS), default="binary")
    args = parser.parse_args()
    api = APIS[args.api]
    if args.command == "send":
        send(api, args.target, args.mode, args.token)
    else:
        receive(api, args.reply_type, args.reply_subject, dict(args.reply_ext), args.reply_mode)


if __name__ == "__main__":
    main()
