/**
 * Storefront reads kept in this process's memory, keyed by the store's catalog_version (bumped at commit by a
 * trigger on every visible catalog change, see migration 061). A reader always reads the store row first, on the same
 * server as the data (a replica or the primary: `app.readDb` pins one per request, and a replica failing mid-request
 * hands over only to the newer primary); data read after it is at least as new as that version, so an entry is never
 * older than its key says. Other workers and
 * servers see the same version in the database, so no cross-process invalidation is needed.
 */
const MAX_ENTRIES = 2000;
const entries = new Map<string, Promise<unknown>>();

export async function cachedRead<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = entries.get(key);
  if (hit) {
    // Refresh its place: the Map's insertion order is the eviction order.
    entries.delete(key);
    entries.set(key, hit);
    return hit as Promise<T>;
  }
  const loading = load();
  entries.set(key, loading);
  // A failed load (a 404, the database away) is not kept.
  loading.catch(() => entries.delete(key));
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  return loading;
}
