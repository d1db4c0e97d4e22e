// Cron expressions: validated once (5 fields, or 6 with seconds first, or a @descriptor, in an
// IANA time zone) and asked for their next tick. croner does the calendar and DST arithmetic.
import { Cron } from "croner";
import { DurablyError } from "@durably/sysdb";

const descriptors = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

export class CronSchedule {
  readonly expression: string;
  readonly timezone: string | undefined;
  readonly #cron: Cron;

  /** Throws INVALID_ARGUMENT naming the field (`cron` or `timezone`) for what it cannot use. */
  constructor(expression: string, timezone: string | undefined, scheduleName: string) {
    if (
      typeof expression !== "string" ||
      (!descriptors.has(expression.trim()) && ![5, 6].includes(expression.trim().split(/\s+/).length))
    ) {
      throw new DurablyError(
        "INVALID_ARGUMENT",
        `Schedule ${scheduleName}: cron ${JSON.stringify(expression)} is not valid: use 5 fields (minute ` +
          `hour day month weekday), 6 with seconds first, or @hourly/@daily/@weekly/@monthly/@yearly.`,
      );
    }
    if (timezone !== undefined) {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: timezone });
      } catch {
        throw new DurablyError(
          "INVALID_ARGUMENT",
          `Schedule ${scheduleName}: timezone ${JSON.stringify(timezone)} is not a known IANA time zone ` +
            `(e.g. "Europe/Berlin").`,
        );
      }
    }
    try {
      this.#cron = new Cron(expression.trim(), { paused: true, ...(timezone === undefined ? {} : { timezone }) });
    } catch (error) {
      throw new DurablyError(
        "INVALID_ARGUMENT",
        `Schedule ${scheduleName}: cron ${JSON.stringify(expression)} is not valid: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.expression = expression.trim();
    this.timezone = timezone;
  }

  /** The first tick strictly after `after`, or undefined if there is none. */
  nextAfter(after: Date): Date | undefined {
    return this.#cron.nextRun(after) ?? undefined;
  }

  /** Every tick in [from, to), in order (at most `limit`). */
  ticksBetween(from: Date, to: Date, limit = 100_000): Date[] {
    const ticks: Date[] = [];
    for (
      let tick = this.nextAfter(new Date(from.getTime() - 1));
      tick !== undefined && tick < to && ticks.length < limit;
      tick = this.nextAfter(tick)
    ) {
      ticks.push(tick);
    }
    return ticks;
  }
}
