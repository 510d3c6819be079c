-- A new terminal item state, 'cancelled': an item a person cancelled before it
-- was ever sent. SQLite cannot alter a CHECK constraint, and rebuilding the
-- items table would drop the rows attempts and events refer to; widening the
-- list of allowed states only loosens the constraint, so the table's stored
-- definition is edited in place (SQLite's documented procedure for removing or
-- loosening a CHECK: every row that passed the old check passes the new one),
-- and the connection's schema is read again.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''review'',''rejected'')', '''review'',''rejected'',''cancelled'')')
 WHERE type = 'table' AND name = 'items';
PRAGMA writable_schema = RESET;
