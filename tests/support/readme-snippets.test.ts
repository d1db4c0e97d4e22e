import { expect, test } from "vitest";
import { readmeSnippets } from "./readme-snippets.js";

const fence = "```";

test("a ts block keeps its README line, loses its list indentation and takes its comment's declarations", () => {
  const markdown = [
    "## Queues",
    "<!-- snippet: declare const to: string; -->",
    `${fence}ts`,
    "send(to);",
    fence,
    "- a list item:",
    "  <!-- snippet worker.ts:",
    "  declare const a: number;",
    "  -->",
    `  ${fence}ts`,
    "  use(a);",
    `  ${fence}`,
    `${fence}sh`,
    "pnpm test",
    fence,
  ].join("\n");
  expect(readmeSnippets(markdown)).toEqual([
    { line: 3, heading: "Queues", code: "send(to);", declarations: "declare const to: string;" },
    { line: 10, heading: "Queues", code: "use(a);", declarations: "declare const a: number;", fileName: "worker.ts" },
  ]);
});

test("a skipped block says why; a skip without a reason or a comment before no ts block is refused", () => {
  const skipped = readmeSnippets(`<!-- snippet skip: pseudo-code -->\n${fence}ts\nfoo(…)\n${fence}`);
  expect(skipped[0]).toMatchObject({ skip: "pseudo-code" });
  expect(() => readmeSnippets(`<!-- snippet skip -->\n${fence}ts\nx\n${fence}`)).toThrow(/must say why/);
  expect(() => readmeSnippets(`<!-- snippet: declare const x: 1; -->\n\n${fence}ts\nx\n${fence}`)).toThrow(
    /line 1: a snippet comment must end on the line right before/,
  );
  expect(() => readmeSnippets(`<!-- snippet: declare const x: 1; -->\n${fence}sh\nx\n${fence}`)).toThrow(
    /line 1: a snippet comment must end/,
  );
});
