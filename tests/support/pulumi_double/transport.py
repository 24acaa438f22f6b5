"""The two ways engine events reach the Automation API, as the double writes them.

The SDK chooses (pulumi/automation/_stack.py `Stack._setup_event_log`): CLI versions <= 3.205 get
`--event-log <file>`, which the SDK tails line by line (`_watch_logs`); newer ones get
`--event-log tcp://127.0.0.1:<port>`, a gRPC server implementing `pulumirpc.Events/StreamEvents`
(`_EventsServicer`), to which the CLI streams one `EventRequest{event: <JSON>}` per event.

Both carry the same JSON: pkg/backend/display/display.go `startEventLogger` converts each engine event with
`ConvertEngineEvent` (sdk/go/common/apitype/events.go field names), numbers them from 0 (`sequence`) and
stamps them with Unix seconds (`timestamp`), and stops after the `cancelEvent` that ends every stream.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from typing import Any, Optional


class EventSink:
    """Numbers and stamps events, then hands them to a transport."""

    def __init__(self) -> None:
        self.sequence = 0

    def emit(self, payload: dict[str, Any]) -> None:
        event = {"sequence": self.sequence, "timestamp": int(time.time()), **payload}
        self.sequence += 1
        self.write(json.dumps(event))

    def write(self, line: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class NoSink(EventSink):
    def write(self, line: str) -> None:
        pass


class FileSink(EventSink):
    """`--event-log <path>`: one JSON object per line, flushed as written (json.Encoder on an os.File)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.handle = open(path, "a", encoding="utf-8")

    def write(self, line: str) -> None:
        self.handle.write(line + "\n")
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()


class GrpcSink(EventSink):
    """`--event-log tcp://host:port`: a client stream to pulumirpc.Events/StreamEvents (proto/pulumi/events.proto)."""

    _END = object()

    def __init__(self, address: str) -> None:
        super().__init__()
        import grpc
        from pulumi.runtime.proto import events_pb2, events_pb2_grpc

        self._request = events_pb2.EventRequest
        self._queue: "queue.Queue[Any]" = queue.Queue()
        self._channel = grpc.insecure_channel(address)
        stub = events_pb2_grpc.EventsStub(self._channel)
        self._error: Optional[BaseException] = None

        def requests() -> Any:
            while True:
                item = self._queue.get()
                if item is self._END:
                    return
                yield item

        def stream() -> None:
            try:
                stub.StreamEvents(requests())
            except Exception as exc:  # the SDK's server stopped: nothing more to deliver
                self._error = exc

        self._thread = threading.Thread(target=stream, daemon=True)
        self._thread.start()

    def write(self, line: str) -> None:
        self._queue.put(self._request(event=line))

    def close(self) -> None:
        self._queue.put(self._END)
        self._thread.join(10)
        self._channel.close()


def open_sink(target: Optional[str]) -> EventSink:
    if not target:
        return NoSink()
    if target.startswith("tcp://"):
        return GrpcSink(target[len("tcp://"):])
    return FileSink(target)
