// The container path is only worth trying when a Docker engine answers; asking must be quick and bounded.
import { connect } from "node:net";

/**
 * True when a Docker engine answers `GET /_ping` at `DOCKER_HOST` (unix:// or tcp://) or at
 * /var/run/docker.sock, within `timeoutMs`.
 */
export function dockerEngineAnswers(env: NodeJS.ProcessEnv, timeoutMs = 1_000): Promise<boolean> {
  const host = env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
  let target: { path: string } | { host: string; port: number };
  try {
    const url = new URL(host);
    target = url.protocol === "unix:" ? { path: url.pathname } : { host: url.hostname, port: Number(url.port || 2375) };
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = connect(target);
    const finish = (answer: boolean) => {
      socket.destroy();
      clearTimeout(timer);
      resolve(answer);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once("error", () => finish(false));
    socket.once("connect", () => socket.write("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"));
    socket.once("data", (chunk) => finish(chunk.toString("latin1").startsWith("HTTP/")));
  });
}
