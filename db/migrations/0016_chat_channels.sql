CREATE TABLE `chat_channel_components` (
	`channel_id` text NOT NULL,
	`component_id` text NOT NULL,
	PRIMARY KEY(`channel_id`, `component_id`),
	FOREIGN KEY (`channel_id`) REFERENCES `chat_channels`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`component_id`) REFERENCES `components`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `chat_channel_components_component_idx` ON `chat_channel_components` (`component_id`);--> statement-breakpoint
CREATE TABLE `chat_channels` (
	`id` text PRIMARY KEY NOT NULL,
	`platform` text NOT NULL,
	`url` text NOT NULL,
	`purpose` text NOT NULL,
	`status` text NOT NULL,
	`name` text,
	`all_components` integer NOT NULL,
	`confirm_token_hash` text,
	`confirm_expires_at` integer,
	`confirmed_at` integer,
	`not_before` integer,
	`failing_since` integer,
	`disabled_at` integer,
	`disabled_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_channels_url_idx` ON `chat_channels` (`platform`,`url`);--> statement-breakpoint
CREATE INDEX `chat_channels_status_idx` ON `chat_channels` (`status`);--> statement-breakpoint
CREATE TABLE `chat_posts` (
	`id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`kind` text NOT NULL,
	`incident_id` text,
	`update_id` text,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`sent_at` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`channel_id`) REFERENCES `chat_channels`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`update_id`) REFERENCES `incident_updates`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chat_posts_once_idx` ON `chat_posts` (`channel_id`,`update_id`);--> statement-breakpoint
CREATE INDEX `chat_posts_due_idx` ON `chat_posts` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `chat_posts_channel_idx` ON `chat_posts` (`channel_id`);