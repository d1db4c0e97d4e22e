// Collects the timings durably publishes on its diagnostics channels (sysdb: each statement's send
// and reply, each notification's arrival; core: each encode and decode) while a profile runs.
import { subscribe, unsubscribe } from "node:diagnostics_channel";

/** The shapes published by @durably/sysdb (profiling-channels.ts) and @durably/core (serialization-timing.ts). */
export interface StatementEvent {
  readonly sql: string;
  readonly sentAt: number;
  readonly repliedAt: number;
  readonly ok: boolean;
}
export interface NotificationEvent {
  readonly channel: string;
  readonly receivedAt: number;
}
export interface SerializationEvent {
  readonly operation: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface PhaseRecorder {
  readonly statements: StatementEvent[];
  readonly notifications: NotificationEvent[];
  readonly serializations: SerializationEvent[];
  clear(): void;
  stop(): void;
}

const channels = {
  statement: "durably:sysdb:statement",
  notification: "durably:sysdb:notification",
  serialization: "durably:core:serialization",
} as const;

export function startPhaseRecorder(): PhaseRecorder {
  const statements: StatementEvent[] = [];
  const notifications: NotificationEvent[] = [];
  const serializations: SerializationEvent[] = [];
  const onStatement = (message: unknown) => void statements.push(message as StatementEvent);
  const onNotification = (message: unknown) => void notifications.push(message as NotificationEvent);
  const onSerialization = (message: unknown) => void serializations.push(message as SerializationEvent);
  subscribe(channels.statement, onStatement);
  subscribe(channels.notification, onNotification);
  subscribe(channels.serialization, onSerialization);
  return {
    statements,
    notifications,
    serializations,
    clear() {
      statements.length = 0;
      notifications.length = 0;
      serializations.length = 0;
    },
    stop() {
      unsubscribe(channels.statement, onStatement);
      unsubscribe(channels.notification, onNotification);
      unsubscribe(channels.serialization, onSerialization);
    },
  };
}
