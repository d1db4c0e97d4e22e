// Plays the operator who hands a lost machine's workflows to the live ones: every few seconds,
// a live worker calls recoverPendingWorkflows for every executor ID retired after a SIGKILL.
// Repeating it catches rows a dead executor wrote after the previous sweep (late packets).
import type { WorkerFleet } from "./worker-fleet.js";
import type { WorkerMessage } from "./worker-messages.js";

export class ExecutorRecoveryOperator {
  sweeps = 0;
  failedSweeps = 0;
  /** Workflows moved back to the queue, in all. */
  moved = 0;
  /** Moved by a sweep whose executor IDs had all been swept before (work that arrived late). */
  movedLate = 0;
  readonly #fleet: WorkerFleet;
  readonly #pending = new Map<number, (ids: readonly string[] | undefined) => void>();
  readonly #swept = new Set<string>();
  #requestID = 0;
  #stop = new AbortController();

  constructor(fleet: WorkerFleet) {
    this.#fleet = fleet;
  }

  onMessage(message: WorkerMessage): void {
    if (message.type === "recovered") this.#pending.get(message.requestID)?.(message.ids);
    else if (message.type === "recover-failed") this.#pending.get(message.requestID)?.(undefined);
  }

  /** Sweeps every `intervalMs` until stop(). */
  async run(intervalMs: number): Promise<void> {
    while (!this.#stop.signal.aborted) {
      await new Promise((resolve) => {
        const stopped = () => (clearTimeout(timer), resolve(undefined));
        const timer = setTimeout(() => (this.#stop.signal.removeEventListener("abort", stopped), resolve(undefined)), intervalMs);
        this.#stop.signal.addEventListener("abort", stopped, { once: true });
      });
      if (!this.#stop.signal.aborted) await this.sweep();
    }
  }

  stop(): void {
    this.#stop.abort();
  }

  /** One sweep through a random live worker; false if none answered. */
  async sweep(): Promise<boolean> {
    const dead = [...this.#fleet.deadExecutorIDs];
    const ready = this.#fleet.readySlots();
    if (dead.length === 0 || ready.length === 0) return dead.length === 0;
    const slot = ready[Math.floor(Math.random() * ready.length)]!;
    const requestID = ++this.#requestID;
    const reply = new Promise<readonly string[] | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), 5_000);
      this.#pending.set(requestID, (ids) => (clearTimeout(timer), resolve(ids)));
    });
    this.sweeps++;
    const ids = this.#fleet.send(slot, { type: "recover", requestID, executorIDs: dead }) ? await reply : undefined;
    this.#pending.delete(requestID);
    if (ids === undefined) {
      this.failedSweeps++;
      return false;
    }
    this.moved += ids.length;
    if (dead.every((id) => this.#swept.has(id))) this.movedLate += ids.length;
    for (const id of dead) this.#swept.add(id);
    return true;
  }
}
