"""In-process domain events (blinker signals).

Publishers call ``signal.send(**payload)`` and never look at the result;
subscribers register in their own modules with ``@signal.connect`` or
``signal.connect(handler)``.  :mod:`shop.app` imports the subscriber modules
so that every handler is connected before the first request.
"""

from __future__ import annotations

from blinker import signal

#: Sent once an order has been created, priced and its payment authorised.
#: Payload: ``order_id``, ``user_id``, ``total_cents``, ``currency``, ``placed_at``.
order_placed = signal("order-placed")

#: Sent when a previously authorised payment has been captured by the PSP.
#: Payload: ``payment_id``, ``order_id``, ``amount_cents``, ``currency``.
payment_captured = signal("payment-captured")
