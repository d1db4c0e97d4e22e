// durably's value serialization: how inputs, outputs, errors, messages and events become the
// TEXT stored in Postgres (tagged with a format name) and back, compatible with DBOS TypeScript
// 5.3.0 both ways. It knows nothing about databases or about running workflows.
export {
  defaultSerializationFormat,
  isSerializationFormat,
  serializationFormats,
} from "./serialization-format.js";
export type { SerializationFormat } from "./serialization-format.js";
import { decodeError as decodeErrorUntimed } from "./decode-error.js";
import { decodeValue as decodeValueUntimed } from "./decode-value.js";
import { decodeWorkflowInput as decodeWorkflowInputUntimed } from "./decode-workflow-input.js";
import { encodeError as encodeErrorUntimed } from "./encode-error.js";
import { encodeValue as encodeValueUntimed } from "./encode-value.js";
import { encodeWorkflowInput as encodeWorkflowInputUntimed } from "./encode-workflow-input.js";
import { timedSerialization } from "./serialization-timing.js";

// Timed for a profiler that subscribes (serialization-timing.ts); the same functions otherwise.
export const encodeValue = timedSerialization("encodeValue", encodeValueUntimed);
export const decodeValue = timedSerialization("decodeValue", decodeValueUntimed);
export const encodeWorkflowInput = timedSerialization("encodeWorkflowInput", encodeWorkflowInputUntimed);
export const decodeWorkflowInput = timedSerialization("decodeWorkflowInput", decodeWorkflowInputUntimed);
export const encodeError = timedSerialization("encodeError", encodeErrorUntimed);
export const decodeError = timedSerialization("decodeError", decodeErrorUntimed);
export { encodeWorkflowArguments } from "./encode-workflow-input.js";
export { serializationTimingChannel, type SerializationTiming } from "./serialization-timing.js";
export { checkPayloadSize, defaultMaxPayloadBytes, maxPayloadBytesCeiling } from "./check-payload-size.js";
