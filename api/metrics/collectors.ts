import type { MetricsCollector } from "./metrics";
import { outboxGauges } from "./outbox-gauges";

/** The scrape-time gauges the Node server registers. Add backup and monitor collectors here. */
export const collectors: MetricsCollector[] = [outboxGauges];
