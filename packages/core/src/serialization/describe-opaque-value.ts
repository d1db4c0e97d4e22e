// Recognises objects whose contents cannot be stored at all (a pending promise, weak
// collections, raw buffers), so they are refused by name instead of being stored as `{}`.

/** Why `obj` cannot be stored and what to do instead, or `undefined` when it is ordinary data. */
export function describeOpaqueValue(obj: object): { problem: string; fix: string } | undefined {
  if (obj instanceof Promise || typeof readSafely(obj, "then") === "function") {
    return { problem: "is a Promise (or thenable)", fix: "Await it and store the result." };
  }
  const weak =
    obj instanceof WeakMap
      ? "a WeakMap"
      : obj instanceof WeakSet
        ? "a WeakSet"
        : obj instanceof WeakRef
          ? "a WeakRef"
          : undefined;
  if (weak !== undefined) {
    return {
      problem: `is ${weak}`,
      fix: "Its contents cannot be enumerated, so it cannot be stored: use a Map or Set.",
    };
  }
  if (obj instanceof ArrayBuffer || obj instanceof SharedArrayBuffer) {
    return {
      problem: obj instanceof ArrayBuffer ? "is an ArrayBuffer" : "is a SharedArrayBuffer",
      fix: "Wrap it in a Uint8Array (js_superjson), or store it as base64 text.",
    };
  }
  return undefined;
}

function readSafely(obj: object, key: string): unknown {
  try {
    return (obj as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
