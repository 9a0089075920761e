/**
 * Opens the session index of a home in a child process, for the schema race test:
 * `node --import tsx test/helpers/index-open-child.ts <home>`. Prints `{"opening": true}` right
 * before `IndexStore.open` (SQLite already loaded), then `{"marker": <meta value of "marker">}`,
 * or `{"error": code}` when the index could not be opened.
 */
import { loadSqlite } from '../../src/search-index/sqlite.js';
import { IndexStore } from '../../src/search-index/store.js';

const home = process.argv[2]!;
loadSqlite();
process.stdout.write(`${JSON.stringify({ opening: true })}\n`);
try {
  const store = IndexStore.open(home, { create: true });
  process.stdout.write(`${JSON.stringify({ marker: store.getMeta('marker') ?? null })}\n`);
  store.close();
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: (error as { code?: string }).code ?? String(error) })}\n`);
}
