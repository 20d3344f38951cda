CREATE TABLE `received_webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`received_at` integer NOT NULL
);
