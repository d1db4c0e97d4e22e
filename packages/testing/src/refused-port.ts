// A local port that refuses connections, for tests of what a refused server gives.
import { connect, createServer } from "node:net";

/**
 * A port on 127.0.0.1 that nothing listens on, checked to refuse (the test's premise): throws if a
 * connection to it does not fail with ECONNREFUSED.
 *
 * @example
 * const url = `postgres://postgres@127.0.0.1:${await refusedPort()}/postgres`;
 */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  const code = await new Promise<string | undefined>((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code));
  });
  if (code !== "ECONNREFUSED") {
    throw new Error(`premise: port ${port} should refuse connections, got ${code ?? "a connection"}`);
  }
  return port;
}
