BEGIN;
CREATE TABLE `sessions` (`id` bigint AUTO_INCREMENT PRIMARY KEY, `user_id` bigint NOT NULL, `expires_at` datetime NOT NULL) ENGINE=InnoDB;
COMMIT;
