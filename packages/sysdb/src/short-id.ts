// The identifiers durably makes that no DBOS reader expects in UUID form. nanoid: 21 URL-safe
// characters from the OS's secure random source, more random bits (126) than a v4 UUID (122) in
// 15 fewer bytes per row and index entry. Workflow IDs stay UUIDs: DBOS's tools show and accept them.
import { nanoid } from "nanoid";

/** A fresh owner token (workflow_status.owner_xid, claim tokens): DBOS only compares it for equality. */
export function newOwnerToken(): string {
  return nanoid();
}

/** The schedule_id of a new schedule: DBOS keys rows by it and looks schedules up by name. */
export function newScheduleID(): string {
  return nanoid();
}

/** A fresh executor lease ID. It prefixes every owner token of its process, so 12 characters (72 bits), not 21. */
export function newLeaseID(): string {
  return nanoid(12);
}
