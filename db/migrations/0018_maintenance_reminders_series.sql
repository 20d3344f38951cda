CREATE TABLE `maintenance_occurrences` (
	`series_id` text NOT NULL,
	`number` integer NOT NULL,
	`maintenance_id` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`series_id`, `number`),
	FOREIGN KEY (`series_id`) REFERENCES `maintenance_series`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`maintenance_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `maintenance_occurrences_maintenance_idx` ON `maintenance_occurrences` (`maintenance_id`);--> statement-breakpoint
CREATE TABLE `maintenance_reminders` (
	`maintenance_id` text NOT NULL,
	`interval` text NOT NULL,
	PRIMARY KEY(`maintenance_id`, `interval`),
	FOREIGN KEY (`maintenance_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `maintenance_reminders_done` (
	`maintenance_id` text NOT NULL,
	`interval` text NOT NULL,
	`notification_id` text,
	`skipped` integer NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`maintenance_id`, `interval`),
	FOREIGN KEY (`maintenance_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `maintenance_reminders_done_notification_idx` ON `maintenance_reminders_done` (`notification_id`);--> statement-breakpoint
CREATE TABLE `maintenance_series` (
	`id` text PRIMARY KEY NOT NULL,
	`every` text NOT NULL,
	`name` text NOT NULL,
	`body` text,
	`components` text NOT NULL,
	`first_date` text NOT NULL,
	`local_time` text NOT NULL,
	`duration_ms` integer NOT NULL,
	`until` text,
	`count` integer,
	`reminders` text NOT NULL,
	`auto_transition` integer NOT NULL,
	`notify` integer NOT NULL,
	`created_at` integer NOT NULL,
	`stopped_at` integer
);
