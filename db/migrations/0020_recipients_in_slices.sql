ALTER TABLE `notifications` ADD `recipients_after` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `recipients_queued` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `notifications_filling_idx` ON `notifications` (`created_at`) WHERE "notifications"."recipients_after" is not null;