-- One row that every change able to remove an administrator (a demotion, a deletion) updates
-- first, in the same transaction as its check. The update takes the row lock, so such changes
-- run one at a time and the last administrator can never be removed by two requests racing
-- each other (under READ COMMITTED, the check that follows sees every change committed before).
CREATE TABLE admin_guard (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL DEFAULT 0
);

INSERT INTO admin_guard (id) VALUES (1);
