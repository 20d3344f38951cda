CREATE TABLE `received_alerts` (
	`source` text NOT NULL,
	`fingerprint` text NOT NULL,
	`component_id` text,
	`status` text NOT NULL,
	`starts_at` integer NOT NULL,
	`ends_at` integer,
	`labels` text NOT NULL,
	`summary` text,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`source`, `fingerprint`),
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `received_alerts_prune_idx` ON `received_alerts` (`status`,`updated_at`);