// The normalisers may hide layout and the schema's name, never a real difference.
import { describe, expect, it } from "vitest";
import { normaliseFunctionBody, replaceSchemaName } from "./normalise-definition.js";

describe("normaliseFunctionBody", () => {
  it("drops comments and collapses whitespace outside quotes", () => {
    expect(normaliseFunctionBody("BEGIN\n    -- say why\n    RETURN  /* inline */ 1;\nEND;")).toBe(
      "BEGIN RETURN 1; END;",
    );
  });

  it("keeps quoted text exactly, comment markers and doubled quotes included", () => {
    const body = "RAISE EXCEPTION 'it''s  --  not /* a */ comment'; SELECT \"odd  -- name\";";
    expect(normaliseFunctionBody(body)).toBe(body);
  });
});

describe("replaceSchemaName", () => {
  it("replaces the quoted and, for plain names, the bare schema prefix", () => {
    expect(replaceSchemaName(`INSERT INTO "dbos".t; SELECT dbos.f(); SELECT 'dbos_channel', xdbos.t`, "dbos")).toBe(
      `INSERT INTO {{schema}}.t; SELECT {{schema}}.f(); SELECT 'dbos_channel', xdbos.t`,
    );
  });

  it("replaces only the quoted form of a name that needs quotes", () => {
    expect(replaceSchemaName(`"F8nny_sCHem@-n@m3".t F8nny_sCHem.t`, "F8nny_sCHem@-n@m3")).toBe(
      `{{schema}}.t F8nny_sCHem.t`,
    );
  });
});
