"""Live order tracking over WebSockets.

A long-running process: browsers open a socket and subscribe to one of their
orders; a background consumer long-polls the tracking SQS queue (fed by the
carrier poller) and pushes every update to the subscribed sockets.

Run with ``python -m shop.services.push_gateway``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
from collections import defaultdict
from functools import partial
from typing import Any

import boto3
import websockets
from websockets.exceptions import ConnectionClosed

from shop.config import get_config
from shop.services import auth_service, notification_service
from shop.utils.logging_setup import configure_logging

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 25
RECEIVE_WAIT_SECONDS = 20
MAX_MESSAGES = 10


class PushGateway:
    """Keeps socket subscriptions in memory and fans queue messages out to them."""

    def __init__(self, queue_url: str, port: int):
        self.queue_url = queue_url
        self.port = port
        self.sqs = boto3.client("sqs")
        self.subscribers: dict[int, set[Any]] = defaultdict(set)
        self._stopping = asyncio.Event()

    async def handle_client(self, websocket: Any) -> None:
        """First frame must be ``{"token": ..., "order_id": ...}``."""
        order_id: int | None = None
        try:
            hello = json.loads(await asyncio.wait_for(websocket.recv(), timeout=10))
            user_id = auth_service.decode_token(str(hello.get("token", "")))
            if not notification_service.push_allowed(user_id, topic="shipping"):
                log.info("user %s has switched live shipping updates off", user_id)
                await websocket.close(code=4403, reason="push updates disabled")
                return
            order_id = int(hello["order_id"])
            self.subscribers[order_id].add(websocket)
            log.info("user %s watching order %s (%d sockets)", user_id, order_id, self.connection_count())
            await websocket.send(json.dumps({"type": "subscribed", "order_id": order_id}))
            async for message in websocket:
                if message == "ping":
                    await websocket.send("pong")
        except (asyncio.TimeoutError, KeyError, ValueError) as exc:
            log.info("rejecting socket: %s", exc)
            await websocket.close(code=4400, reason="bad subscription")
        except ConnectionClosed:
            log.debug("socket closed by client")
        except Exception as exc:
            log.warning("socket error: %s", exc)
            await websocket.close(code=4401, reason="unauthorised")
        finally:
            if order_id is not None:
                self.subscribers[order_id].discard(websocket)
                if not self.subscribers[order_id]:
                    del self.subscribers[order_id]

    def connection_count(self) -> int:
        return sum(len(sockets) for sockets in self.subscribers.values())

    async def broadcast(self, order_id: int, payload: dict[str, Any]) -> int:
        sockets = list(self.subscribers.get(order_id, ()))
        if not sockets:
            return 0
        frame = json.dumps({"type": "tracking", "order_id": order_id, **payload})
        results = await asyncio.gather(*(ws.send(frame) for ws in sockets), return_exceptions=True)
        delivered = 0
        for ws, result in zip(sockets, results, strict=True):
            if isinstance(result, Exception):
                self.subscribers[order_id].discard(ws)
            else:
                delivered += 1
        return delivered

    async def consume_queue(self) -> None:
        """Long-poll SQS forever and push each tracking update to its watchers."""
        loop = asyncio.get_running_loop()
        receive = partial(
            self.sqs.receive_message,
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=MAX_MESSAGES,
            WaitTimeSeconds=RECEIVE_WAIT_SECONDS,
        )
        while True:
            if self._stopping.is_set():
                log.info("queue consumer stopping")
                return
            try:
                response = await loop.run_in_executor(None, receive)
            except Exception:
                log.exception("SQS receive failed; backing off")
                await asyncio.sleep(5)
                continue
            for message in response.get("Messages", []):
                try:
                    body = json.loads(message["Body"])
                    delivered = await self.broadcast(int(body["order_id"]), body)
                    log.debug("tracking update for order %s reached %d sockets", body["order_id"], delivered)
                except (KeyError, ValueError) as exc:
                    log.error("dropping malformed tracking message: %s", exc)
                await loop.run_in_executor(
                    None,
                    partial(self.sqs.delete_message, QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]),
                )

    async def heartbeat(self) -> None:
        while not self._stopping.is_set():
            await asyncio.sleep(HEARTBEAT_SECONDS)
            for sockets in list(self.subscribers.values()):
                for ws in list(sockets):
                    try:
                        await ws.ping()
                    except ConnectionClosed:
                        sockets.discard(ws)

    def stop(self) -> None:
        self._stopping.set()

    async def serve_forever(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        async with websockets.serve(self.handle_client, "0.0.0.0", self.port, max_size=2**16):
            log.info("push gateway listening on :%d", self.port)
            await asyncio.gather(self.consume_queue(), self.heartbeat())


def main() -> None:
    configure_logging(service="push-gateway")
    cfg = get_config()
    gateway = PushGateway(cfg.tracking_queue_url, cfg.websocket_port)
    asyncio.run(gateway.serve_forever())


if __name__ == "__main__":
    main()
