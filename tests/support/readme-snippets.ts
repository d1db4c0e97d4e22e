// Finds the ```ts blocks of a Markdown file and the `<!-- snippet … -->` comment each may carry,
// so a test can compile what a reader copies.
//
// A comment that ends on the line right before a block's fence (a reader never sees it) says how
// to compile the block:
//   <!-- snippet: declare const inventory: { reserve(id: string): Promise<number> }; -->
//       TypeScript declarations of the block's free names, added at the end of its module;
//   <!-- snippet worker.ts -->   the block's module file name, so another block can import it
//       ("./worker.js"); a declaration part may follow after a colon;
//   <!-- snippet skip: shows the shape of X, not code -->   the block is not compiled, for that reason.

export interface Snippet {
  /** 1-based line of the block's opening fence. */
  readonly line: number;
  /** The nearest heading above the block, to name it in a report. */
  readonly heading: string;
  /** The block's code, its list indentation removed; line i of it is line `line + 1 + i` of the file. */
  readonly code: string;
  /** Declarations the block's comment supplies for its free names ("" when none). */
  readonly declarations: string;
  /** The module file name the comment gives the block, if any. */
  readonly fileName?: string;
  /** Why the block is not compiled, if its comment says skip. */
  readonly skip?: string;
}

const fence = /^(\s*)```(\S*)\s*$/;
const directive = /^<!-- snippet(?: (skip|[\w.-]+\.ts))?(?::\s*([\s\S]*?))?\s*-->$/;

/** The ```ts blocks of `markdown`, in order; throws on a snippet comment that is malformed or placed before no ts block. */
export function readmeSnippets(markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const snippets: Snippet[] = [];
  const used = new Set<number>(); // lines where a snippet comment that precedes a ts block starts
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (/^#+ /.test(text)) heading = text.replace(/^#+ /, "");
    const open = fence.exec(text);
    if (!open) continue;
    const [, indent = "", language] = open;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !/^\s*```\s*$/.test(lines[i]!)) body.push(lines[i]!.slice(indent.length));
    if (language !== "ts") continue;
    const comment = commentBefore(lines, start);
    if (comment) used.add(comment.start);
    const parsed = comment ? parseDirective(comment.text, comment.start + 1) : {};
    snippets.push({ line: start + 1, heading, code: body.join("\n"), declarations: "", ...parsed });
  }
  lines.forEach((text, index) => {
    if (text.trim().startsWith("<!-- snippet") && !used.has(index))
      throw new Error(`line ${index + 1}: a snippet comment must end on the line right before a \`\`\`ts block`);
  });
  return snippets;
}

function commentBefore(lines: string[], fenceIndex: number): { start: number; text: string } | undefined {
  const end = fenceIndex - 1;
  if (end < 0 || !lines[end]!.trimEnd().endsWith("-->")) return undefined;
  let start = end;
  while (start > 0 && !lines[start]!.includes("<!--")) start--;
  if (!lines[start]!.trim().startsWith("<!-- snippet")) return undefined;
  return {
    start,
    text: lines
      .slice(start, end + 1)
      .map((l) => l.trim())
      .join("\n"),
  };
}

function parseDirective(text: string, line: number): Pick<Snippet, "declarations" | "fileName" | "skip"> {
  const match = directive.exec(text);
  if (!match) throw new Error(`line ${line}: cannot read the snippet comment ${JSON.stringify(text)}`);
  const [, kind, rest = ""] = match;
  if (kind === "skip") {
    if (!rest) throw new Error(`line ${line}: a skipped snippet must say why (<!-- snippet skip: reason -->)`);
    return { declarations: "", skip: rest };
  }
  return { declarations: rest, ...(kind ? { fileName: kind } : {}) };
}
