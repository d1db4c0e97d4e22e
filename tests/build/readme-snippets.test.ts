// The README's ```ts blocks are what a new user copies: each must compile, strict, as an ES module
// with top-level await, against the published types of the built packages (dist/*.d.ts, resolved
// through the workspace as an app resolves them from npm). A renamed export, a misspelled option
// key or a wrong argument type in the README fails here. How a block declares its free names or is
// skipped: tests/support/readme-snippets.ts. All blocks are compiled as one program.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, test } from "vitest";
import { readmeSnippets, type Snippet } from "../support/readme-snippets.js";

const tests = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = join(tests, "..", "README.md");
// The blocks live here in memory only, so they resolve packages from @durably/tests' node_modules.
const snippetDir = join(tests, "build", "readme-snippets");

// Free names that many blocks share, as a reader has them at hand from the README's first example.
const prelude = `
declare const dbos: import("@durably/core").DBOSContext; // a worker's context (createDBOSContext)
declare const client: import("@durably/core").DBOSContext; // a client (createClient)
declare const ctx: import("@durably/core").DBOSContext; // a workflow's context, inside its function
// Modules a block imports that the workspace does not install (the OpenTelemetry SDK setup): typed as any.
declare module "@opentelemetry/sdk-node";
declare module "@opentelemetry/exporter-metrics-otlp-http";
`;

const snippets = readmeSnippets(readFileSync(readme, "utf8"));
const fileOf = (snippet: Snippet) => join(snippetDir, snippet.fileName ?? `readme-line-${snippet.line}.ts`);
const compiled = snippets.filter((s) => !s.skip);
// Each block's declarations go after its code, so its lines keep their README line numbers.
const sources = new Map<string, string>([
  [join(snippetDir, "prelude.d.ts"), prelude],
  ...compiled.map((s): [string, string] => [fileOf(s), `${s.code}\n${s.declarations}\n`]),
]);

let built: ts.Program | undefined;
function compile(): ts.Program {
  if (built) return built;
  const config = ts.getParsedCommandLineOfConfigFile(
    join(tests, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  const options: ts.CompilerOptions = {
    ...config!.options, // the repo's strict settings (strict, noUncheckedIndexedAccess, NodeNext, ...)
    noEmit: true,
    moduleDetection: ts.ModuleDetectionKind.Force, // a block without imports is still a module
  };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.fileExists = (file) => sources.has(file) || fileExists.call(host, file);
  host.readFile = (file) => sources.get(file) ?? readFile.call(host, file);
  host.directoryExists = (dir) => dir === snippetDir || (directoryExists?.call(host, dir) ?? true);
  host.getSourceFile = (file, language, ...rest) => {
    const text = sources.get(file);
    return text === undefined
      ? getSourceFile.call(host, file, language, ...rest)
      : ts.createSourceFile(file, text, language, true, ts.ScriptKind.TS);
  };
  built = ts.createProgram([...sources.keys()], options, host);
  return built;
}

function problems(snippet: Snippet): string[] {
  const program = compile();
  const file = program.getSourceFile(fileOf(snippet))!;
  const codeLines = snippet.code.split("\n").length;
  return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n  ");
    const at = d.start === undefined ? undefined : file.getLineAndCharacterOfPosition(d.start);
    if (!at) return message;
    const where =
      at.line < codeLines
        ? `README.md:${snippet.line + 1 + at.line}:${at.character + 1}`
        : `README.md:${snippet.line} (its snippet comment)`;
    return `${where}: ${message}`;
  });
}

test("every ```ts fence of the README is found", () => {
  const fences = readFileSync(readme, "utf8").match(/^\s*```ts\s*$/gm) ?? [];
  expect(snippets.length).toBe(fences.length);
  expect(snippets.length).toBeGreaterThan(20);
  expect(compile().getOptionsDiagnostics()).toEqual([]);
});

test.for(snippets.map((s) => [`README.md:${s.line} (${s.heading})`, s] as const))(
  "%s compiles against the published types",
  ([, snippet], { skip }) => {
    if (snippet.skip) skip(snippet.skip);
    const found = problems(snippet);
    expect(found, found.join("\n")).toEqual([]);
  },
);
