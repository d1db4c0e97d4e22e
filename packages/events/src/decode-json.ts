// The default decoder: a message body is UTF-8 JSON.
import type { ReceivedMessage } from "./event-source.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses a message's body as UTF-8 JSON; throws (so the message is dead-lettered) when it is not.
 *
 * @example
 * const order = decodeJson({ id: "x", key: undefined, body: Buffer.from('{"n":1}'), headers: {}, deliveryCount: 1 });
 */
export function decodeJson(message: ReceivedMessage): unknown {
  return JSON.parse(utf8.decode(message.body));
}
