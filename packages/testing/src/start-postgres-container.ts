// The middle path: a throwaway Postgres container, loaded only when Docker answers because
// @testcontainers/postgresql is an optional dependency.

/** A started container: its superuser URL (database `postgres`) and how to stop it. */
export interface PostgresContainer {
  readonly url: string;
  stop(): Promise<void>;
}

/** The image started when Docker is available. */
export const POSTGRES_IMAGE = "postgres:17-alpine";

/** Starts {@link POSTGRES_IMAGE}; throws if @testcontainers/postgresql is not installed or Docker fails. */
export async function startPostgresContainer(): Promise<PostgresContainer> {
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE)
    .withDatabase("postgres")
    .withUsername("postgres")
    .withPassword("postgres")
    .withCommand(["postgres", "-c", "fsync=off", "-c", "synchronous_commit=off"])
    .start();
  return {
    url: container.getConnectionUri(),
    stop: async () => {
      await container.stop();
    },
  };
}
