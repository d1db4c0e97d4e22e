// Encodes and decodes are timed on a diagnostics channel for a profiler, and only while one listens.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { expect, test } from "vitest";
import {
  decodeValue,
  encodeValue,
  encodeWorkflowInput,
  serializationTimingChannel,
  type SerializationTiming,
} from "../../src/serialization/index.js";

test("each encode and decode is published with its operation and times while someone subscribes", () => {
  const seen: SerializationTiming[] = [];
  const onTiming = (message: unknown) => void seen.push(message as SerializationTiming);
  subscribe(serializationTimingChannel.name, onTiming);
  try {
    const text = encodeValue({ at: new Date(0) }, "js_superjson", "test value");
    expect(decodeValue(text, "js_superjson", "js_superjson", "test value")).toEqual({ at: new Date(0) });
    encodeWorkflowInput(1, "portable_json");
    // A failing encode is timed too.
    expect(() => encodeValue(() => 1, "portable_json", "test value")).toThrow();
  } finally {
    unsubscribe(serializationTimingChannel.name, onTiming);
  }
  expect(seen.map((s) => s.operation)).toEqual(["encodeValue", "decodeValue", "encodeWorkflowInput", "encodeValue"]);
  for (const s of seen) expect(s.endedAt).toBeGreaterThanOrEqual(s.startedAt);
  encodeValue(2, "portable_json", "unobserved");
  expect(seen).toHaveLength(4);
});
