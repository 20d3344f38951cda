CREATE TABLE `confirmation_emails` (
	`id` text PRIMARY KEY NOT NULL,
	`batch` text NOT NULL,
	`chunk` integer NOT NULL,
	`subscriber_id` text NOT NULL,
	`email` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`lease_until` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`subscriber_id`) REFERENCES `subscribers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `confirmation_emails_pending_idx` ON `confirmation_emails` (`status`,`batch`,`chunk`);