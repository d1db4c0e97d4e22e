// @durably/notifications: messages, events and streams between workflows and the outside world.
//
// Its job: send/recv (exactly-once delivery), setEvent/getEvent, and streams, stored in DBOS's
// notifications, workflow_events(_history) and streams tables so DBOS clients interoperate.
// Waiters wake through the shared LISTEN connection (payloads carry IDs only), re-check after a
// listener reconnect, and poll as a bounded fallback. It may import @durably/core (public API and
// ./internal) and @durably/sysdb (queries); it speaks no SQL itself.
export { send, type SendOptions } from "./send.js";
export { recv, type RecvOptions } from "./recv.js";
export { setEvent } from "./set-event.js";
export { getEvent, type GetEventOptions } from "./get-event.js";
export { writeStream, closeStream } from "./write-stream.js";
export { readStream, type ReadStreamOptions, type StreamValue } from "./read-stream.js";
