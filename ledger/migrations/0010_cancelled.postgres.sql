-- PostgreSQL twin of 0010_cancelled.sql: the new terminal state 'cancelled'
-- joins the items' CHECK (PostgreSQL alters a constraint; no schema editing).
ALTER TABLE items DROP CONSTRAINT items_state_check;
ALTER TABLE items ADD CONSTRAINT items_state_check
    CHECK (state IN ('planned','submitting','pending','succeeded','failed','unknown','review','rejected','cancelled'));
