// A stable port keeps the embedded server's URL the same from run to run; a busy one is replaced.
import { createServer } from "node:net";

/** The port to start on: `requested` if given, else `previous` while it is free, else a free one. */
export async function choosePort(requested: number | undefined, previous: number): Promise<number> {
  if (requested !== undefined) return requested;
  if (previous > 0 && (await listenOnce(previous)) === previous) return previous;
  return listenOnce(0);
}

/** Listens on 127.0.0.1:`port` and closes at once; resolves the port bound, or 0 if it was busy. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(0));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
