// A small seeded PRNG, so a chaos run's workload and fault schedule replay from its printed seed.

/** Random numbers from a 32-bit seed (mulberry32): fast, and good enough for scheduling faults. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return Math.floor(this.between(min, max + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** The seed from DURABLY_CHAOS_SEED, else a fresh one (printed in the summary to replay a run). */
export function chaosSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.DURABLY_CHAOS_SEED;
  if (given !== undefined && given !== "") {
    const seed = Number(given);
    if (!Number.isInteger(seed)) throw new Error(`DURABLY_CHAOS_SEED must be an integer, got ${given}`);
    return seed >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32);
}
