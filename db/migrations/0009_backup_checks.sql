CREATE TABLE `backups` (
	`id` text PRIMARY KEY NOT NULL,
	`taken_at` integer NOT NULL,
	`file` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	`duration_ms` integer NOT NULL,
	`ok` integer NOT NULL,
	`reason` text,
	`checks` text NOT NULL,
	`alerted_at` integer
);
--> statement-breakpoint
CREATE INDEX `backups_taken_idx` ON `backups` (`taken_at`);