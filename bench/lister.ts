/**
 * `npm run bench -- lister [sizes…]`: the session lister on generated homes of 1k, 10k and 100k
 * sessions over three years (bench/gen-home.ts; made once under bench/.data/, reused after).
 *
 * For each home, warm cache: created order first page and tenth page (page size 25), updated order
 * first page (with the default scan cap, and uncapped for its full cost). Prints the best of several
 * runs, files opened (heads read), peak RSS above the start, and the ratios the lister promises:
 * first page at the largest home within 1.5× of the smallest (cost follows the page, not the home),
 * tenth page within 3× of the first. Also times full enumeration of the rollout files by fast-glob
 * against the lister's own traversal (used by updated order and prefix lookup).
 */
import fg from 'fast-glob';
import { findSession, listSessions, type ListSessionsOptions } from '../src/index.js';
import { ScanContext, listAllLive } from '../src/files/traverse.js';
import { bestOf, mib, peakRssDuring, table } from './_util.js';
import { generateHome } from './gen-home.js';

const PAGE = 25;

interface Row {
  size: number;
  case: string;
  ms: number;
  opened: number;
  rss: number;
  note: string;
}

async function measure(size: number, name: string, options: ListSessionsOptions, runs: number): Promise<Row> {
  const ms = await bestOf(runs, () => listSessions(options));
  const { value: page, peakAboveStart } = await peakRssDuring(() => listSessions(options));
  const note = [
    page.reachedScanCap ? 'reached scan cap' : '',
    page.sessions.length < PAGE ? `${page.sessions.length} sessions` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return { size, case: name, ms, opened: page.scannedFiles, rss: peakAboveStart, note };
}

export default async function lister(args: string[]): Promise<void> {
  const sizes = args.length > 0 ? args.map(Number) : [1_000, 10_000, 100_000];
  const rows: Row[] = [];
  const enumeration: (string | number)[][] = [['sessions', 'fast-glob ms', 'own traversal ms', 'files']];
  for (const size of sizes) {
    const t0 = performance.now();
    const { home, bytes } = generateHome(size, (m) => console.log(m));
    const took = performance.now() - t0;
    console.log(
      `home of ${size} sessions: ${mib(bytes)}${took > 1000 ? `, generated in ${(took / 1000).toFixed(0)} s` : ''}`,
    );

    // The cursor of page 10, found by paging (this also warms the cache).
    let cursor: string | null = null;
    for (let i = 0; i < 9; i++) cursor = (await listSessions({ home, pageSize: PAGE, cursor })).nextCursor;

    rows.push(await measure(size, 'created, page 1', { home, pageSize: PAGE }, 7));
    rows.push(await measure(size, 'created, page 10', { home, pageSize: PAGE, cursor }, 7));
    rows.push(
      await measure(size, 'updated, page 1 (cap 10 000)', { home, pageSize: PAGE, sortKey: 'updated' }, 3),
    );
    rows.push(
      await measure(
        size,
        'updated, page 1 (no cap)',
        { home, pageSize: PAGE, sortKey: 'updated', scanCap: Infinity },
        3,
      ),
    );
    const newest = (await listSessions({ home, pageSize: 1 })).sessions[0]!;
    const findMs = await bestOf(5, () => findSession(newest.id, { home }));
    const prefixMs = await bestOf(3, () => findSession(newest.id.slice(0, 13), { home }));
    rows.push({ size, case: 'findSession, full v7 id', ms: findMs, opened: 1, rss: -1, note: '' });
    rows.push({ size, case: 'findSession, 12-digit prefix', ms: prefixMs, opened: 1, rss: -1, note: '' });

    let globCount = 0;
    let ownCount = 0;
    const globMs = await bestOf(3, async () => {
      globCount = (await fg('*/*/*/rollout-*.jsonl', { cwd: `${home}/sessions`, onlyFiles: true })).length;
    });
    const ownMs = await bestOf(3, async () => {
      ownCount = (await listAllLive(`${home}/sessions`, new ScanContext(Infinity, undefined, undefined)))
        .length;
    });
    enumeration.push([size, globMs.toFixed(1), ownMs.toFixed(1), `${globCount} / ${ownCount}`]);
  }

  console.log('');
  table([
    ['sessions', 'case', 'ms (best)', 'files opened', 'peak RSS', 'note'],
    ...rows.map((r) => [r.size, r.case, r.ms.toFixed(1), r.opened, r.rss >= 0 ? mib(r.rss) : '-', r.note]),
  ]);
  console.log('');
  table(enumeration);

  const get = (size: number, name: string): number =>
    rows.find((r) => r.size === size && r.case === name)!.ms;
  const small = Math.min(...sizes);
  const large = Math.max(...sizes);
  console.log('');
  const ratio = get(large, 'created, page 1') / get(small, 'created, page 1');
  console.log(`created page 1 at ${large} vs ${small}: ${ratio.toFixed(2)}× (target ≤ 1.5×)`);
  for (const size of sizes) {
    const r = get(size, 'created, page 10') / get(size, 'created, page 1');
    console.log(`created page 10 vs page 1 at ${size}: ${r.toFixed(2)}× (target ≤ 3×)`);
  }
}
