-- Items (SQLite). Keep in step with the postgresql/ and mysql/ versions of this migration.
CREATE TABLE items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name VARCHAR(200) NOT NULL,
    created_at TIMESTAMP NOT NULL
);
