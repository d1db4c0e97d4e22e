// What a bulk cancel or resume statement did to one existing workflow.
import type { WorkflowStatusName } from "./workflow-status-name.js";

export interface WorkflowChangeRecord {
  /** True when this statement changed the row; false when its status is one the change leaves alone. */
  readonly changed: boolean;
  /** The row's status just before the statement. */
  readonly previousStatus: WorkflowStatusName | null;
}
