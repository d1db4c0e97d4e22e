// Wake-ups for waiting readers, keyed by exactly what they wait for (channel + `id::key`
// payload): one listener subscription per channel per process, however many waiters there are.
import type { DBOSContext } from "@durably/core";
import type { Runtime } from "@durably/core/internal";

const registries = new WeakMap<Runtime, Waiters>();

/** The waiter registry of a context's runtime. */
export function waitersOf(ctx: DBOSContext): Waiters {
  let waiters = registries.get(ctx.runtime);
  if (waiters === undefined) registries.set(ctx.runtime, (waiters = new Waiters(ctx.runtime)));
  return waiters;
}

export class Waiters {
  readonly #runtime: Runtime;
  readonly #byKey = new Map<string, Set<() => void>>();
  readonly #channels = new Set<string>();

  constructor(runtime: Runtime) {
    this.#runtime = runtime;
  }

  /** Calls `wake` whenever `payload` is announced on `channel`, from any process. */
  subscribe(channel: string, payload: string, wake: () => void): () => void {
    this.#listen(channel);
    const key = `${channel}\n${payload}`;
    let set = this.#byKey.get(key);
    if (set === undefined) this.#byKey.set(key, (set = new Set()));
    set.add(wake);
    return () => {
      set.delete(wake);
      if (set.size === 0) this.#byKey.delete(key);
    };
  }

  #listen(channel: string): void {
    if (this.#channels.has(channel)) return;
    this.#channels.add(channel);
    const dispatch = (payload: string) => {
      for (const wake of this.#byKey.get(`${channel}\n${payload}`) ?? []) wake();
    };
    this.#runtime.sysdb.listener.subscribe(channel, dispatch);
    this.#runtime.notifier.onLocal(channel, dispatch);
  }
}
