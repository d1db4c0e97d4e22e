// Shared settings: see @durably/testing/vitest-config.
export { default } from "@durably/testing/vitest-config";
