// What a call that should fail threw, as one string a test can match: `CODE: message` for the
// library's own typed error, a marked line for anything else, "no error" when it did not fail.

/**
 * Awaits `fn` and describes how it failed. `isTyped` says which errors are the typed ones (their
 * `code` is shown); any other error reads `not a <typeName>: …`, so a test expecting a code fails.
 *
 * @example
 * const failure = (fn: () => unknown) => failureOf(fn, isDurablyError, "DurablyError");
 * expect(await failure(() => runWorkflow(ctx, wf, x, { workflowId: "a" }))).toMatch(/^INVALID_ARGUMENT: /);
 */
export async function failureOf(
  fn: () => unknown,
  isTyped: (error: unknown) => boolean,
  typeName: string,
): Promise<string> {
  try {
    await fn();
  } catch (error) {
    if (!isTyped(error)) return `not a ${typeName}: ${String(error)}`;
    const { code, message } = error as { code: string; message: string };
    return `${code}: ${message}`;
  }
  return "no error";
}
