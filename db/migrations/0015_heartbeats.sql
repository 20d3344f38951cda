CREATE TABLE `heartbeat_pings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`heartbeat_id` text NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`exit_code` integer,
	`method` text NOT NULL,
	`client_address` text NOT NULL,
	`user_agent` text,
	`body` text,
	`ignored` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`heartbeat_id`) REFERENCES `heartbeats`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `heartbeat_pings_idx` ON `heartbeat_pings` (`heartbeat_id`,`id`);--> statement-breakpoint
CREATE TABLE `heartbeats` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`period_seconds` integer,
	`schedule` text,
	`time_zone` text NOT NULL,
	`grace_seconds` integer NOT NULL,
	`component_id` text,
	`down_status` text NOT NULL,
	`incident_mode` text NOT NULL,
	`notify` integer NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`down_reason` text,
	`last_ping_at` integer,
	`last_start_at` integer,
	`late_at` integer,
	`down_at` integer,
	`due_at` integer,
	`reported` integer DEFAULT false NOT NULL,
	`report_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `heartbeats_token_idx` ON `heartbeats` (`token_hash`);--> statement-breakpoint
CREATE INDEX `heartbeats_due_idx` ON `heartbeats` (`due_at`);