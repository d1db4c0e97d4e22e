// Counts SQL statements and commits the way the driver sends them, per connection, so durably
// (postgres.js, via onQuery) and DBOS (pg, via a patched Client.prototype.query) are counted alike.

/** What a counter has seen since it was created or last reset. */
export interface StatementCounts {
  /** Statements of the workload: everything not matched as a background poll. */
  readonly statements: number;
  /** Explicit COMMITs plus statements sent outside a transaction (each is its own commit). */
  readonly commits: number;
  /** The part of `commits` that were lone SELECTs: transactions that write nothing, so no WAL flush. */
  readonly readOnlyCommits: number;
  /** Statements of background polls, excluded from the two figures above. */
  readonly background: number;
  /** Workload statements by shape (whitespace collapsed, first 80 characters), for the report. */
  readonly shapes: Readonly<Record<string, number>>;
  /** Background statements by shape, so the report shows what was set apart. */
  readonly backgroundShapes: Readonly<Record<string, number>>;
}

export interface StatementCounter {
  /** Records one statement sent on `connection` (any value that identifies one connection). */
  record(sql: string, connection: unknown): void;
  reset(): void;
  counts(): StatementCounts;
}

/**
 * Creates a counter. Transaction state is tracked per connection: `begin`/`start transaction`
 * opens one, `commit`/`end` closes it with one commit, `rollback` closes it without; any other
 * statement outside a transaction is a commit of its own. A statement for which `isBackground`
 * is true (a library's periodic poll) is counted apart, and so is every statement of a
 * transaction that contains one: a transaction is classified when it ends.
 */
export function createStatementCounter(isBackground: (sql: string) => boolean): StatementCounter {
  const open = new Map<unknown, string[]>();
  let statements = 0;
  let commits = 0;
  let readOnlyCommits = 0;
  let background = 0;
  let shapes = new Map<string, number>();
  let backgroundShapes = new Map<string, number>();
  const tally = (into: Map<string, number>, texts: readonly string[]) => {
    for (const text of texts) into.set(text.slice(0, 80), (into.get(text.slice(0, 80)) ?? 0) + 1);
  };

  const settle = (texts: readonly string[], committed: boolean) => {
    if (texts.some(isBackground)) {
      background += texts.length;
      tally(backgroundShapes, texts);
      return;
    }
    statements += texts.length;
    if (committed) commits++;
    if (committed && texts.length === 1 && /^select\b/i.test(texts[0]!) && !/\bfor (no key )?update\b/i.test(texts[0]!))
      readOnlyCommits++;
    tally(shapes, texts);
  };

  return {
    record(sql, connection) {
      const text = sql.replace(/\s+/g, " ").trim();
      const transaction = open.get(connection);
      if (transaction === undefined) {
        if (/^(begin|start transaction)\b/i.test(text)) open.set(connection, [text]);
        else settle([text], true);
        return;
      }
      transaction.push(text);
      if (/^(commit|end)\b/i.test(text)) {
        open.delete(connection);
        settle(transaction, true);
      } else if (/^rollback\b/i.test(text) && !/^rollback to\b/i.test(text)) {
        open.delete(connection);
        settle(transaction, false);
      }
    },
    reset() {
      // Transactions still open keep their statements: they are counted when they end.
      statements = 0;
      commits = 0;
      readOnlyCommits = 0;
      background = 0;
      shapes = new Map();
      backgroundShapes = new Map();
    },
    counts() {
      return {
        statements,
        commits,
        readOnlyCommits,
        background,
        shapes: Object.fromEntries(shapes),
        backgroundShapes: Object.fromEntries(backgroundShapes),
      };
    },
  };
}
