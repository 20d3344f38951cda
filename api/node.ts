import { parseConfig } from "./config";
import { startNodeServer } from "./node-runtime";

// The Node entry: `npm start`. Reads the environment once, starts everything, stops cleanly on a signal.
// Everything Marquee creates from here on (DATA_DIR, the database, its -wal and -shm, the outbox) is its user's alone.
process.umask(0o077);
try {
  const config = parseConfig(process.env);
  const server = await startNodeServer(config);
  console.log(`Marquee is serving ${config.siteUrl ?? `http://localhost:${server.port}`} (data in ${config.dataDir})`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
