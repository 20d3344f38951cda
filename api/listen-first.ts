import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { errorBody } from "./errors";

/**
 * Takes the port before anything else is made: a busy port then stops the first start before it creates the
 * database or prints the admin key it shows only once. One line, naming PORT, no stack.
 */
export async function listenFirst(server: Server, port: number): Promise<number> {
  await new Promise<void>((ok, fail) => {
    const failed = (error: NodeJS.ErrnoException) => {
      server.off("listening", listening);
      if (error.code === "EADDRINUSE")
        fail(new Error(`PORT ${port} is already in use by another program: stop it, or set PORT to a free port`));
      else if (error.code === "EACCES")
        fail(new Error(`PORT ${port} needs privileges this user lacks: set PORT to 1024 or above`));
      else fail(error);
    };
    const listening = () => {
      server.off("error", failed);
      ok();
    };
    server.once("error", failed);
    server.once("listening", listening);
    server.listen(port, "0.0.0.0");
  });
  const address = server.address();
  return typeof address === "object" && address ? address.port : port;
}

/** What the server answers in the moment between taking the port and having opened the database. */
export function answerStarting(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(503, { "content-type": "application/json", "retry-after": "1" });
  res.end(JSON.stringify(errorBody("unavailable", "Marquee is starting; try again in a moment")));
}
