// The nanoid identifiers (owner tokens, schedule IDs): URL-safe, 21 characters, never repeated.
import { expect, test } from "vitest";
import { newOwnerToken } from "../src/queries.js";
import { newScheduleID } from "../src/short-id.js";

test.each([
  ["newOwnerToken", newOwnerToken],
  ["newScheduleID", newScheduleID],
])("%s makes 21 URL-safe characters, distinct over 10 000 calls, and no UUID", (_name, make) => {
  const ids = Array.from({ length: 10_000 }, make);
  for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
  expect(new Set(ids).size).toBe(ids.length);
});
