// A claim tags the rows it takes with a fresh owner token; when its reply is lost to a connection
// failure, the token finds them again, so claimed workflows are never stranded PENDING.
import { CompiledStatement } from "../compiled-statement.js";
import type { Queryable } from "../queryable.js";
import { classifyError } from "../sqlstate.js";
import { ownerTokenOf } from "./executor-leases.js";
import { toWorkflowRecord, type WorkflowRecord } from "./workflow-record.js";
import { statusLiteral } from "./workflow-status-name.js";

/**
 * Runs a claim that tags the rows it takes with a fresh owner token of `leaseID`. If the
 * connection fails (the claim may have committed with its reply lost), looks the token up until
 * the database answers again and returns what the claim took.
 *
 * @example
 * const claimed = await claimWithToken(sysdb, me.leaseID, (token) => dequeueWithToken(sysdb, options, token));
 */
export async function claimWithToken(
  on: Queryable,
  leaseID: string,
  claim: (token: string) => Promise<WorkflowRecord[]>,
): Promise<WorkflowRecord[]> {
  const token = ownerTokenOf(leaseID);
  try {
    return await claim(token);
  } catch (error) {
    if (classifyError(error) !== "connection") throw error;
    for (let attempt = 0, delay = 100; attempt < 10; attempt++, delay = Math.min(delay * 2, 3_000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        return (await claimedWith.execute(on, { token })).map(toWorkflowRecord);
      } catch (lookupError) {
        if (classifyError(lookupError) !== "connection") throw lookupError;
      }
    }
    throw error;
  }
}

/** The PENDING workflows a claim with `token` took (rare path: only after a lost reply). */
const claimedWith = new CompiledStatement((db, p: { token: string }) =>
  db
    .selectFrom("workflow_status as w")
    .leftJoin("workflow_input as i", "i.workflow_uuid", "w.workflow_uuid")
    .selectAll("w")
    .select((eb) => eb.fn.coalesce("i.inputs", "w.inputs").as("inputs"))
    .where("w.status", "=", statusLiteral("PENDING"))
    .where("w.owner_xid", "=", p.token)
    .orderBy("w.priority")
    .orderBy("w.created_at"),
);
