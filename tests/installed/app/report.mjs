// How the add-on checks report: one PASS or FAIL line per check, SKIP with a reason, and a
// deadline over the whole file, so that a hang is a FAIL line too and never outlives run.sh's bound.
let failures = 0;

/** Prints one PASS or FAIL line (with `detail` on a FAIL); returns `ok`. */
export function check(ok, what, detail = "") {
  console.log(`${ok ? "PASS" : "FAIL"} ${what}${ok || detail === "" ? "" : `: ${detail}`}`);
  if (!ok) failures++;
  process.exitCode = failures === 0 ? 0 : 1;
  return ok;
}

export function skip(what, reason) {
  console.log(`SKIP ${what}: ${reason}`);
}

/**
 * Fails the file if it has not exited within `ms`. The timer is unref'd: the file exits on its own
 * once its work is done and shut down, so a pool, timer or listener left running shows as a FAIL here.
 */
export function deadline(ms, what) {
  setTimeout(() => {
    console.log(`FAIL ${what}: did not exit within ${ms / 1000} s (still waiting, or something left running)`);
    process.exit(1);
  }, ms).unref();
}

/** Polls `read` every 50 ms until `done(value)`, for at most `ms`; returns the last value read. */
export async function waitFor(read, done, ms) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
