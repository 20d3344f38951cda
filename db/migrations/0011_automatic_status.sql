CREATE TABLE `automatic_states` (
	`source_kind` text NOT NULL,
	`source_id` text NOT NULL,
	`component_id` text,
	`problem` integer NOT NULL,
	`wanted_status` text,
	`set_status` text,
	`incident_id` text,
	`draft_id` text,
	`changed_at` integer NOT NULL,
	PRIMARY KEY(`source_kind`, `source_id`),
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `automatic_states_component_idx` ON `automatic_states` (`component_id`);--> statement-breakpoint
CREATE TABLE `incident_drafts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`body` text NOT NULL,
	`components` text NOT NULL,
	`notify` integer NOT NULL,
	`source_kind` text NOT NULL,
	`source_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `monitor_results` (
	`monitor_id` text NOT NULL,
	`at` integer NOT NULL,
	`level` integer NOT NULL,
	`response_ms` integer,
	`message` text,
	FOREIGN KEY (`monitor_id`) REFERENCES `monitors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `monitor_results_idx` ON `monitor_results` (`monitor_id`,`at`);--> statement-breakpoint
CREATE INDEX `monitor_results_at_idx` ON `monitor_results` (`at`);--> statement-breakpoint
CREATE TABLE `monitor_rollups` (
	`monitor_id` text NOT NULL,
	`hour` integer NOT NULL,
	`checks` integer NOT NULL,
	`degraded` integer NOT NULL,
	`down` integer NOT NULL,
	`response_ms_sum` integer NOT NULL,
	`response_count` integer NOT NULL,
	`response_ms_max` integer,
	PRIMARY KEY(`monitor_id`, `hour`),
	FOREIGN KEY (`monitor_id`) REFERENCES `monitors`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `monitors` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`check` text NOT NULL,
	`interval_seconds` integer NOT NULL,
	`timeout_ms` integer NOT NULL,
	`failure_threshold` integer NOT NULL,
	`success_threshold` integer NOT NULL,
	`component_id` text,
	`down_status` text NOT NULL,
	`incident_mode` text NOT NULL,
	`notify` integer NOT NULL,
	`show_chart` integer DEFAULT false NOT NULL,
	`paused` integer DEFAULT false NOT NULL,
	`state` text NOT NULL,
	`state_status` text,
	`state_changed_at` integer,
	`recent` text DEFAULT '' NOT NULL,
	`last_checked_at` integer,
	`last_response_ms` integer,
	`last_message` text,
	`next_check_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `monitors_due_idx` ON `monitors` (`paused`,`next_check_at`);