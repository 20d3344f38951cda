import type { MetricsCollector } from "./metrics";
import { backupGauges } from "./backup-gauges";
import { outboxGauges } from "./outbox-gauges";

/** The scrape-time gauges the Node server registers. Add monitor collectors here. */
export const collectors: MetricsCollector[] = [outboxGauges, backupGauges];
