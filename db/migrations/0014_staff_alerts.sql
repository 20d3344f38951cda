CREATE TABLE `staff_alert_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`alert_id` text NOT NULL,
	`destination_id` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`sent_at` integer,
	FOREIGN KEY (`alert_id`) REFERENCES `staff_alerts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`destination_id`) REFERENCES `staff_destinations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_alert_deliveries_once_idx` ON `staff_alert_deliveries` (`alert_id`,`destination_id`);--> statement-breakpoint
CREATE INDEX `staff_alert_deliveries_due_idx` ON `staff_alert_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `staff_alert_deliveries_destination_idx` ON `staff_alert_deliveries` (`destination_id`);--> statement-breakpoint
CREATE TABLE `staff_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`link` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_alerts_key_idx` ON `staff_alerts` (`key`);--> statement-breakpoint
CREATE INDEX `staff_alerts_created_idx` ON `staff_alerts` (`created_at`);--> statement-breakpoint
CREATE TABLE `staff_destinations` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`target` text NOT NULL,
	`name` text,
	`source` text NOT NULL,
	`secret` text,
	`created_at` integer NOT NULL,
	`disabled_at` integer,
	`disabled_reason` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_destinations_target_idx` ON `staff_destinations` (`kind`,`target`);