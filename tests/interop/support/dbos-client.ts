// DBOS 5.3.0's own client on a test database, polling fast (its defaults wait 1-10 s between polls),
// and DBOS's two serializers, so a test can write exactly what a DBOS application writes.
import { DBOSClient, type DBOSSerializer } from "@dbos-inc/dbos-sdk";
import { DBOSJSON, DBOSPortableJSON } from "@dbos-inc/dbos-sdk/internal/serialization";

/** DBOS's default serializer (js_superjson) and its plain-JSON one (portable_json). */
export const dbosSerializers = { superjson: DBOSJSON as DBOSSerializer, portable: DBOSPortableJSON as DBOSSerializer };

/** A DBOS client acting for `applicationName`, polling every 50 ms. */
export async function createDBOSClient(
  url: string,
  applicationName: string,
  serializer: DBOSSerializer = dbosSerializers.superjson,
): Promise<DBOSClient> {
  const client = await DBOSClient.create({ systemDatabaseUrl: url, applicationName, serializer });
  // The client exposes no polling settings; its system database holds them.
  const sysdb = (client as unknown as { systemDatabase: Record<string, number> }).systemDatabase;
  for (const key of [
    "dbPollingIntervalResultMs",
    "dbPollingIntervalEventMs",
    "dbPollingIntervalStreamMs",
    "dbPollingIntervalCancelMs",
  ]) {
    if (typeof sysdb[key] !== "number")
      throw new Error(`DBOSClient no longer has ${key}: update this helper for the installed @dbos-inc/dbos-sdk`);
    sysdb[key] = 50;
  }
  return client;
}
