// I10, hygiene after chaos: connections bounded per worker, a listener back for each, no session
// stuck idle in a transaction, nothing left after shutdown, no worker crashed on its own.
import type { Sql } from "postgres";
import { Violations, type InvariantResult } from "./check-invariants.js";
import type { TcpProxy } from "./tcp-proxy.js";
import type { WorkerExit, WorkerFleet } from "./worker-fleet.js";
import { workerExitCodes } from "./worker-messages.js";

interface Session {
  readonly pid: number;
  readonly application_name: string;
  readonly client_port: number;
  readonly state: string | null;
  readonly query: string;
  readonly idle_tx_s: number | null;
}

async function sessions(admin: Sql): Promise<Session[]> {
  return admin<Session[]>`
    select pid, application_name, client_port, state, left(query, 80) as query,
           case when state like 'idle in transaction%'
             then extract(epoch from now() - state_change)::float8 end as idle_tx_s
    from pg_stat_activity where application_name like 'durably-chaos%'`;
}

/** Checks the live fleet; waits up to `graceMs` for listeners to come back and counts to settle. */
export async function checkLiveHygiene(
  admin: Sql,
  fleet: WorkerFleet,
  proxies: readonly TcpProxy[],
  poolSize: number,
  graceMs = 5_000,
): Promise<InvariantResult[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const connections = new Violations(
      "I10a",
      `at most poolSize + 1 listener (${poolSize + 1}) connections per live worker`,
    );
    const listeners = new Violations("I10b", "every live worker has its LISTEN session back");
    const idle = new Violations("I10c", "no session idle in a transaction for more than 5 s");
    const all = await sessions(admin);
    for (const slot of fleet.readySlots()) {
      const ports = proxies[slot.index]!.upstreamPorts();
      const mine = all.filter((s) => ports.has(s.client_port));
      const open = proxies[slot.index]!.connectionCount;
      if (mine.length > poolSize + 1 || open > poolSize + 1)
        connections.add({ worker: slot.executorID, serverSessions: mine.length, proxyConnections: open });
      const listening = mine.filter(
        (s) => s.application_name === "durably-chaos-listen" && /^listen/i.test(s.query),
      ).length;
      if (listening !== 1) listeners.add({ worker: slot.executorID, listenSessions: listening });
    }
    const owned = new Set(proxies.flatMap((p) => [...p.upstreamPorts()]));
    for (const s of all)
      if (!owned.has(s.client_port))
        connections.add({ problem: "a server session no live proxy connection owns", session: s });
    for (const s of all) if ((s.idle_tx_s ?? 0) > 5) idle.add(s);
    const results = [connections, listeners, idle].map((v) => v.result());
    if (results.every((r) => r.held) || Date.now() >= deadline) return results;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** After every worker was asked to shut down: no session left, no shutdown hung. */
export async function checkShutdownHygiene(
  admin: Sql,
  hungSlots: readonly number[],
  graceMs = 5_000,
): Promise<InvariantResult> {
  const left = new Violations("I10d", "workers shut down cleanly and left no session behind");
  for (const slot of hungSlots) left.add({ problem: "shutdown did not finish; the worker was killed", slot });
  const deadline = Date.now() + graceMs;
  let remaining = await sessions(admin);
  while (remaining.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    remaining = await sessions(admin);
  }
  for (const s of remaining) left.add({ problem: "session left after shutdown", session: s });
  return left.result();
}

/** No worker exited unless the harness killed or stopped it, or it could not launch (database down). */
export function checkWorkerExits(exits: readonly WorkerExit[]): InvariantResult {
  const crashed = new Violations("I10e", "no worker died on its own (unhandled rejection, uncaught exception, hang)");
  for (const exit of exits) {
    if (exit.expected && (exit.signal === "SIGKILL" || exit.code === workerExitCodes.ok)) continue;
    if (!exit.expected && exit.code === workerExitCodes.launchFailed) continue;
    crashed.add({
      ...exit,
      meaning:
        exit.code === workerExitCodes.unhandled
          ? "unhandled rejection or uncaught exception (see its log)"
          : exit.code === workerExitCodes.shutdownHung
            ? "shutdown hung for 20 s"
            : "unexpected exit",
    });
  }
  return crashed.result();
}
