-- Items (MySQL 8.4 and MariaDB 10.11+). Keep in step with the sqlite/ version, which the tests
-- use by default. DATETIME(6) holds UTC (Hibernate's hibernate.jdbc.time_zone=UTC); utf8mb4
-- stores every Unicode character.
CREATE TABLE items (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    created_at DATETIME(6) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
