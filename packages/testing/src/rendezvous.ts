// Lines concurrent work up at one point, so that a test can make transactions conflict on purpose.

/** A meeting point for `parties` callers: each `arrive()` resolves once all of them arrived. */
export class Rendezvous {
  readonly #parties: number;
  readonly #timeoutMs: number;
  readonly #everyone: Promise<void>;
  #arrived = 0;
  #open: () => void = () => undefined;

  /** `timeoutMs` bounds the wait: `arrive()` rejects when the others do not come in time. Default 10 000. */
  constructor(parties: number, timeoutMs = 10_000) {
    this.#parties = parties;
    this.#timeoutMs = timeoutMs;
    this.#everyone = new Promise<void>((resolve) => (this.#open = resolve));
  }

  /** Resolves when every party has arrived. */
  async arrive(): Promise<void> {
    if (++this.#arrived === this.#parties) this.#open();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      const message = () => `rendezvous: ${this.#arrived} of ${this.#parties} arrived within ${this.#timeoutMs} ms`;
      timer = setTimeout(() => reject(new Error(message())), this.#timeoutMs);
    });
    try {
      await Promise.race([this.#everyone, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
