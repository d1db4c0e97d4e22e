// Diagnostics channels a profiler subscribes to (the bench's --profile): each statement's send and
// reply times, and each notification's arrival. Nothing is timed or published while nobody
// subscribes, so the hot paths pay one property read.
import { channel } from "node:diagnostics_channel";

/** One statement as the driver sent it and saw its reply (performance.now() readings). */
export interface StatementTiming {
  readonly sql: string;
  readonly sentAt: number;
  readonly repliedAt: number;
  readonly ok: boolean;
}

/** One notification as the LISTEN connection handed it over (performance.now() reading). */
export interface NotificationTiming {
  readonly channel: string;
  readonly receivedAt: number;
}

/** Publishes a {@link StatementTiming} per statement sent through sysdb's Kysely instance. */
export const statementTimingChannel = channel("durably:sysdb:statement");

/** Publishes a {@link NotificationTiming} per notification dispatched by the NotificationListener. */
export const notificationTimingChannel = channel("durably:sysdb:notification");
