CREATE TABLE `admin_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`api_key_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`api_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `admin_sessions_api_key_idx` ON `admin_sessions` (`api_key_id`);--> statement-breakpoint
CREATE INDEX `admin_sessions_expires_idx` ON `admin_sessions` (`expires_at`);--> statement-breakpoint
-- Answers stored for idempotent replay before this release could hold a new API key or webhook secret in clear.
UPDATE `idempotency_keys` SET `status` = 409, `body` = '{"error":{"code":"secret_not_replayable","message":"The answer to this request carried a secret, which is shown only once and not kept for a retry"}}' WHERE `body` LIKE '%"key":"mq%' OR `body` LIKE '%"secret":%';
