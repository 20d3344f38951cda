CREATE TABLE `publish_clock` (
	`id` integer PRIMARY KEY NOT NULL,
	`stamp` integer NOT NULL
);
