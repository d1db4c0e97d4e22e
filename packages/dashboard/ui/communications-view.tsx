// A workflow's events, the messages sent to it and the tail of its streams (live: a stream write
// NOTIFYs, and the page re-reads). Under --redact only keys, topics and offsets show.
import { time } from "./format.js";
import { ValueView } from "./value-view.js";

export interface Communications {
  readonly events: ReadonlyArray<{ key: string; value?: unknown }>;
  readonly messages: ReadonlyArray<{ topic: string | null; createdAt: number; consumed: boolean; value?: unknown }>;
  readonly streams: ReadonlyArray<{ key: string; offset: number; closed: boolean; value?: unknown }>;
}

export function CommunicationsView({ events, messages, streams }: Communications) {
  return (
    <>
      {events.length > 0 && (
        <>
          <h3>Events ({events.length})</h3>
          <table data-testid="events">
            <tbody>
              {events.map((e) => (
                <tr key={e.key}>
                  <td>{e.key}</td>
                  <td>{"value" in e ? <ValueView value={e.value} /> : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {messages.length > 0 && (
        <>
          <h3>Messages received ({messages.length})</h3>
          <table data-testid="messages">
            <tbody>
              {messages.map((m, i) => (
                <tr key={`${m.createdAt}-${m.topic}-${i.toString()}`}>
                  <td>{m.topic ?? "(no topic)"}</td>
                  <td>{time(m.createdAt)}</td>
                  <td>{m.consumed ? "consumed" : "waiting"}</td>
                  <td>{"value" in m ? <ValueView value={m.value} /> : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {streams.length > 0 && (
        <>
          <h3>Streams (newest {streams.length} entries)</h3>
          <table data-testid="streams">
            <tbody>
              {streams.map((e) => (
                <tr key={`${e.key}/${e.offset}`} data-stream-offset={e.offset}>
                  <td>{e.key}</td>
                  <td>{e.offset}</td>
                  <td>{e.closed ? <em>closed</em> : "value" in e ? <ValueView value={e.value} /> : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
