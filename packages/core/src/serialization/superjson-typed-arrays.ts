// The typed arrays superjson can revive: what the encoder may hand it, and the only constructors
// the decoder will ever call (see sanitize-superjson-meta.ts).

/** The typed arrays superjson can revive (its `typed-array` rule); Buffer has its own recipe. */
export const superjsonTypedArrays: ReadonlySet<string> = new Set([
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
]);
