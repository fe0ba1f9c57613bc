/**
 * The chart page's Content-Security-Policy: everything from its own origin (the API included, under /api/* of
 * the same CloudFront distribution), no inline script or style, no framing. CloudFront sends it
 * (lib/chart-site.ts); the browser tests load the page under it to prove the page needs nothing more.
 */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";
