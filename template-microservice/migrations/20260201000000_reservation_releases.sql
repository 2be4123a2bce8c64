-- Reservations to release at the inventory service: the outbox of calls to it. A row is
-- written in the transaction that cancels an order (a failed payment, an expired order), or
-- after an order's commit failed once the stock was reserved. A worker calls the inventory
-- until it answers, then sets done_at.
CREATE TABLE reservation_releases (
    order_id UUID PRIMARY KEY,
    reason TEXT NOT NULL,
    traceparent TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    done_at TIMESTAMPTZ
);

CREATE INDEX reservation_releases_due ON reservation_releases (next_attempt_at)
    WHERE done_at IS NULL;

-- The orders that may expire.
CREATE INDEX orders_pending ON orders (created_at) WHERE status = 'pending';
