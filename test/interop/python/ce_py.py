"""Sends and receives CloudEvents with the official Python SDK (`cloudevents` on PyPI) the way an
application does: events built as SDK CloudEvents, put on the wire by the SDK's HTTP binding and
posted with requests; received with the standard library's HTTP server and read by the SDK.
The interop tests drive it; scripts/interop/install.sh creates its virtual environment.

  ce_py.py send --target URL --mode binary|structured < events.json
    sends each event spec of the JSON array, printing one JSON line per result
  ce_py.py receive --reply-type T --reply-subject S [--reply-ext name=value]... [--reply-mode M]
    prints {"port": N}, then one JSON line per event received, answering each with a reply event
"""

import argparse
import json
import sys
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

WRITERS = {"binary": to_binary_event, "structured": to_structured_event}


def build(spec):
    """An SDK event from a test's spec: its attributes, its extensions, and its data (JSON unless
    the datacontenttype says otherwise, then the text of the body)."""
    attributes = {
        name: spec[name]
        for name in ("id", "source", "type", "subject", "dataschema", "datacontenttype")
        if name in spec
    }
    if "time" in spec:
        attributes["time"] = datetime.fromisoformat(spec["time"].replace("Z", "+00:00"))
    attributes.update(spec.get("extensions", {}))
    return CloudEvent(attributes=attributes, data=spec.get("data"))


def send(target, mode):
    session = requests.Session()
    for spec in json.load(sys.stdin):
        message = WRITERS[mode](build(spec))
        response = session.post(target, headers=message.headers, data=message.body, timeout=30)
        print(json.dumps({"id": spec["id"], "status": response.status_code}), flush=True)


def record_of(event):
    """Every attribute as the SDK read it, formatted to a string; data as its text."""
    attributes = {}
    for name, value in event.get_attributes().items():
        if isinstance(value, datetime):
            value = value.isoformat().replace("+00:00", "Z")
        attributes[name] = str(value)
    data = event.get_data()
    if isinstance(data, (dict, list)):
        data = json.dumps(data, ensure_ascii=False)
    elif isinstance(data, (bytes, bytearray)):
        data = data.decode("utf-8")
    return {"attributes": attributes, "data": data or ""}


def receive(reply_type, reply_subject, reply_extensions, reply_mode):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            event = from_http_event(HTTPMessage(headers=dict(self.headers.items()), body=body))
            print(json.dumps(record_of(event), ensure_ascii=False), flush=True)
            reply = CloudEvent(
                attributes={
                    "id": f"reply-{event.get_id()}",
                    "source": "/interop/python-receiver",
                    "type": reply_type,
                    "subject": reply_subject,
                    "datacontenttype": "application/json",
                    **reply_extensions,
                },
                data={"inReplyTo": event.get_id()},
            )
            message = WRITERS[reply_mode](reply)
            self.send_response(200)
            for name, value in message.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(message.body)))
            self.end_headers()
            self.wfile.write(message.body)

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
    sender.add_argument("--target", required=True)
    sender.add_argument("--mode", choices=sorted(WRITERS), default="binary")
    receiver = commands.add_parser("receive")
    receiver.add_argument("--reply-type", required=True)
    receiver.add_argument("--reply-subject", required=True)
    receiver.add_argument("--reply-ext", type=extension, action="append", default=[])
    receiver.add_argument("--reply-mode", choices=sorted(WRITERS), default="binary")
    args = parser.parse_args()
    if args.command == "send":
        send(args.target, args.mode)
    else:
        receive(args.reply_type, args.reply_subject, dict(args.reply_ext), args.reply_mode)


if __name__ == "__main__":
    main()
