import { html } from '../transcript/text.js';

/**
 * The policy of every viewer response: only the viewer's own stylesheet, `data:` images, forms that
 * post back to it, no script at all, never framed.
 */
export const VIEWER_CSP =
  "default-src 'none'; style-src 'self'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** The headers of every viewer response. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': VIEWER_CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** The start of a viewer page; `base` is the token's root (`/<token>/`), linked relative to it. */
export function pageStart(title: string, base: string): string {
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="referrer" content="no-referrer">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${html(title)}</title>\n<link rel="stylesheet" href="${base}assets/app.css">\n</head>\n<body>\n` +
    `<nav class="pages"><a href="${base}">sessions</a></nav>\n`
  );
}

export const pageEnd = '</body>\n</html>\n';

/** A whole short page: an error or a notice. */
export function messagePage(title: string, text: string, base: string): string {
  return `${pageStart(title, base)}<main><h1>${html(title)}</h1><p>${html(text)}</p></main>\n${pageEnd}`;
}
