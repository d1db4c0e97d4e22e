// durably's value serialization: how inputs, outputs, errors, messages and events become the
// TEXT stored in Postgres (tagged with a format name) and back, compatible with DBOS TypeScript
// 5.3.0 both ways. It knows nothing about databases or about running workflows.
export {
  defaultSerializationFormat,
  isSerializationFormat,
  serializationFormats,
} from "./serialization-format.js";
export type { SerializationFormat } from "./serialization-format.js";
export { encodeValue } from "./encode-value.js";
export { decodeValue } from "./decode-value.js";
export { encodeWorkflowArguments, encodeWorkflowInput } from "./encode-workflow-input.js";
export { decodeWorkflowInput } from "./decode-workflow-input.js";
export { encodeError } from "./encode-error.js";
export { decodeError } from "./decode-error.js";
export { checkPayloadSize, defaultMaxPayloadBytes, maxPayloadBytesCeiling } from "./check-payload-size.js";
