/**
 * One instance per process. Next compiles each route into its own bundle, each with its own copy of
 * module state; state that must be shared — remembered credentials (revocation forgets them for
 * every route at once), rate-limit counters — lives on globalThis under a name.
 */
export function processSingleton<T>(name: string, create: () => T): T {
  const registry = globalThis as unknown as Record<symbol, T | undefined>;
  const key = Symbol.for(`facility-webhooks.${name}`);
  registry[key] ??= create();
  return registry[key];
}
