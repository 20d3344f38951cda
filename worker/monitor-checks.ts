import { connect } from "cloudflare:sockets";
import { createWorkerRunCheck } from "@/api/monitors/worker-checks";

/** Monitor checks on Workers (api/monitors/worker-checks.ts), with the runtime's own TCP sockets. */
export const runCheck = createWorkerRunCheck(connect);
