/**
 * A soak reader of the home: `node --import tsx soak-lister.ts <json options>`. Pages through the
 * live sessions with `listSessions` from the start, again and again, with small page sizes, and
 * prints each full traversal as `{"traversal": {"pageSize": n, "pages": [{"sessions": [[id,
 * createdAt], …], "next": cursor|null, "skips": [[reason, file, error code], …]}, …]}}`. The parent checks them. On
 * `stop` (or after `maxTraversals`) it finishes the traversal under way, prints
 * `{"done": true, "traversals": n, "pages": n}` and exits; any error is printed and ends it.
 */
import { listSessions } from '../../src/lister/list.js';
import { errorCode, soakIo } from './soak-io.js';

interface Options {
  home: string;
  pageSizes: number[];
  maxTraversals: number;
  /** A traversal longer than this is reported and ends the child (a cursor that never ends). */
  maxPagesPerTraversal: number;
}

const io = soakIo<Options>();
const o = io.options;
let pagesTotal = 0;
let traversals = 0;
try {
  for (; traversals < o.maxTraversals && !io.stopping(); traversals++) {
    const pageSize = o.pageSizes[traversals % o.pageSizes.length]!;
    const pages: { sessions: [string, string][]; next: string | null; skips: [string, string, string][] }[] =
      [];
    let cursor: string | null = null;
    do {
      if (pages.length >= o.maxPagesPerTraversal) {
        io.say({ error: 'E_ENDLESS', message: `more than ${o.maxPagesPerTraversal} pages`, pages });
        process.exit(1);
      }
      const skips: [string, string, string][] = [];
      const page = await listSessions({
        home: o.home,
        pageSize,
        cursor,
        onSkip: (file, reason, error) =>
          skips.push([reason, file, error === undefined ? '' : errorCode(error)]),
      });
      pages.push({ sessions: page.sessions.map((s) => [s.id, s.createdAt]), next: page.nextCursor, skips });
      cursor = page.nextCursor;
    } while (cursor !== null);
    pagesTotal += pages.length;
    io.say({ traversal: { pageSize, pages } });
  }
  // At its own bound a child idles until told to stop, so the parent sees no early exit.
  await io.untilStopped();
  io.say({ done: true, traversals, pages: pagesTotal });
  process.exit(0);
} catch (error) {
  io.fail(error);
}
