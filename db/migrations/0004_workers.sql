CREATE TABLE `publish_marker` (
	`id` integer PRIMARY KEY NOT NULL,
	`marker` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `published_pages` (
	`path` text PRIMARY KEY NOT NULL,
	`content_type` text NOT NULL,
	`etag` text NOT NULL,
	`body` blob NOT NULL,
	`gzip` blob NOT NULL,
	`br` blob NOT NULL,
	`rendered_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `deliveries` ADD `lease_until` integer;